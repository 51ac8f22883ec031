import { SFNClient } from '@aws-sdk/client-sfn';

let sfn: SFNClient | undefined;
/** The handler's Step Functions client, created once per container. */
export const defaultSfnClient = () => (sfn ??= new SFNClient({}));

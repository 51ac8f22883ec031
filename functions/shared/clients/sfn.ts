import { SFNClient } from '@aws-sdk/client-sfn';
import { CLIENT_TIMEOUTS, clientTimeoutOptions } from './timeouts';

/** The Step Functions client options (SendTaskSuccess): the timeouts and attempts of timeouts.ts. */
export const SFN_CLIENT_OPTIONS = clientTimeoutOptions(CLIENT_TIMEOUTS.sfn);

let sfn: SFNClient | undefined;
/** The handler's Step Functions client, created once per container. */
export const defaultSfnClient = () => (sfn ??= new SFNClient(SFN_CLIENT_OPTIONS));

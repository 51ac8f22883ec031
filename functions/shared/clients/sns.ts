import { SNSClient } from '@aws-sdk/client-sns';

let sns: SNSClient | undefined;
/** The handler's SNS client, created once per container. */
export const defaultSnsClient = () => (sns ??= new SNSClient({}));

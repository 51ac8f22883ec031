import { SNSClient } from '@aws-sdk/client-sns';
import { CLIENT_TIMEOUTS, clientTimeoutOptions } from './timeouts';

/** The SNS client options (Publish): the timeouts and attempts of timeouts.ts. */
export const SNS_CLIENT_OPTIONS = clientTimeoutOptions(CLIENT_TIMEOUTS.sns);

let sns: SNSClient | undefined;
/** The handler's SNS client, created once per container. */
export const defaultSnsClient = () => (sns ??= new SNSClient(SNS_CLIENT_OPTIONS));

import { CLIENT_TIMEOUTS, clientTimeoutOptions } from './timeouts';

/**
 * The Lambda client options for the Slack relay's Invoke (notify, request-decision): a request
 * timeout just above the slack-relay function's own and one attempt (timeouts.ts says why).
 */
export const LAMBDA_CLIENT_OPTIONS = clientTimeoutOptions(CLIENT_TIMEOUTS.lambda);

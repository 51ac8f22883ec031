import { lambdaLog, type Log } from '../shared/log';
import type { SlackPoster } from '../shared/slack/slack-poster';
import { MALFORMED_RELAY_REQUEST, relaySlackCall, slackRelayCallOf, type SlackRelayResponse } from '../shared/slack/slack-relay';
import { lambdaHandler } from '../shared/lambda-handler';
import { requireEnv } from '../shared/runtime';
import { secretValue } from '../shared/secrets';
import { lazySlackCalls } from '../shared/slack/lazy-notifier';

export interface SlackRelayDependencies {
  /** Slack with the bot token: in Lambda a client built from the secret, locally the stand-in or real Slack. */
  slack: SlackPoster;
  log?: Log;
}

/**
 * How long the relay waits for Slack. The workflow's notices may wait longer than a person's
 * click can (slack-interactions answers within Slack's 3 s), but all within this function's
 * 10 s, which the Lambda client of notify and request-decision waits for (clients/timeouts.ts):
 * two attempts of at most 2.5 s, a Retry-After of at most 2 s and at most 1 s of backoff.
 */
export const RELAY_SLACK_OPTIONS = { retries: 1, timeoutMs: 2_500, maxRetryAfterSeconds: 2 } as const;

/**
 * The workflow's Slack posts and updates, for notify and request-decision, which invoke this
 * function by IAM (it has no URL). It answers Slack's result, or a refusal for anything that is
 * not a relay request; it does not throw for Slack's errors, which the caller records.
 */
export function createSlackRelayHandler(deps: SlackRelayDependencies) {
  return async (event: unknown): Promise<SlackRelayResponse> => {
    const log = deps.log ?? lambdaLog();
    const call = slackRelayCallOf(event);
    if (call === undefined) {
      log.error('refused a malformed Slack relay request', { keys: typeof event === 'object' && event !== null ? Object.keys(event) : typeof event });
      return MALFORMED_RELAY_REQUEST;
    }
    const answer = await relaySlackCall(call, deps.slack);
    if (answer.ok) log.info('relayed', { method: call.method, channel: answer.channel, ts: answer.ts });
    else log.warn('Slack refused a relayed call', { method: answer.method, slackError: answer.slackError });
    return answer;
  };
}

export const handler = lambdaHandler(() => {
  const botTokenArn = requireEnv('BOT_TOKEN_ARN');
  const slack = lazySlackCalls(() => secretValue(botTokenArn), { ...RELAY_SLACK_OPTIONS, slackApiUrl: process.env.SLACK_API_URL || undefined });
  return createSlackRelayHandler({ slack });
});

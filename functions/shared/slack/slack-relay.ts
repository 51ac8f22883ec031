import { describeError } from '../errors';
import { isObject } from '../cloudtrail';
import type { SlackMessage } from './messages';
import { SlackDeliveryError } from './slack-delivery-error';
import type { SlackPoster } from './slack-poster';

/**
 * The workflow's Slack calls go through one function: slack-relay, which holds the bot token and
 * the Slack client. notify and request-decision invoke it with a relay request (IAM-authorised
 * Lambda Invoke; it has no URL), so they carry neither the token nor @slack/web-api. It is not
 * the public slack-interactions function: that one's reserved concurrency, which caps a flood of
 * its URL, must not throttle the workflow's posts.
 */
export const SLACK_RELAY_KEY = 'scpGuardianSlackRelay';

export type SlackRelayCall =
  | { method: 'post'; channel: string; message: SlackMessage }
  | { method: 'update'; channel: string; ts: string; message: SlackMessage };

export interface SlackRelayRequest {
  [SLACK_RELAY_KEY]: SlackRelayCall;
}

/** Slack's answer, or its error code: a relay answers, it does not throw. */
export type SlackRelayResponse = { ok: true; channel: string; ts: string } | { ok: false; method: string; slackError: string };

/** The relay's answer to an invocation that is not a well-formed relay request. */
export const MALFORMED_RELAY_REQUEST: SlackRelayResponse = { ok: false, method: 'relay', slackError: 'malformed_relay_request' };

const isMessage = (value: unknown): value is SlackMessage => isObject(value) && typeof value.text === 'string' && Array.isArray(value.blocks);

/** The relay call in an invocation event, or undefined for anything else. */
export function slackRelayCallOf(event: unknown): SlackRelayCall | undefined {
  const call = isObject(event) ? event[SLACK_RELAY_KEY] : undefined;
  if (!isObject(call) || typeof call.channel !== 'string' || !isMessage(call.message)) return undefined;
  if (call.method === 'post') return { method: 'post', channel: call.channel, message: call.message };
  if (call.method === 'update' && typeof call.ts === 'string') return { method: 'update', channel: call.channel, ts: call.ts, message: call.message };
  return undefined;
}

/** Carries out a relay call with the Slack client. */
export async function relaySlackCall(call: SlackRelayCall, slack: SlackPoster): Promise<SlackRelayResponse> {
  try {
    if (call.method === 'post') return { ok: true, ...(await slack.post(call.channel, call.message)) };
    await slack.update(call.channel, call.ts, call.message);
    return { ok: true, channel: call.channel, ts: call.ts };
  } catch (error) {
    const slackError = error instanceof SlackDeliveryError ? error.slackError : describeError(error);
    return { ok: false, method: call.method === 'post' ? 'chat.postMessage' : 'chat.update', slackError };
  }
}

/** A SlackPoster that hands each call to a relay (the slack-relay function) and turns its refusals back into errors. */
export class RelayedSlackPoster implements SlackPoster {
  constructor(private readonly send: (request: SlackRelayRequest) => Promise<SlackRelayResponse>) {}

  private async call(call: SlackRelayCall): Promise<{ channel: string; ts: string }> {
    const answer = await this.send({ [SLACK_RELAY_KEY]: call });
    if (!answer.ok) throw new SlackDeliveryError(answer.method, answer.slackError);
    return { channel: answer.channel, ts: answer.ts };
  }

  post(channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }> {
    return this.call({ method: 'post', channel, message });
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.call({ method: 'update', channel, ts, message });
  }
}

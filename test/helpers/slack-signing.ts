import { createHmac } from 'node:crypto';

/**
 * Builds requests the way Slack sends them, independently of the verifier under test: a
 * form-encoded `payload=` body signed with `v0=HMAC_SHA256(secret, "v0:ts:body")`.
 */

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: boolean;
}

/** Slack's signature for a body at a timestamp (seconds). */
export function slackSignature(secret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The form body Slack posts for an interaction payload. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A signed request carrying `body`; `base64` encodes it as a function URL may. */
export function signedRequest(secret: string, body: string, at: Date, options: { base64?: boolean } = {}): SignedRequest {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(secret, timestamp, body),
    },
    body: options.base64 === true ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 === true,
  };
}

/** A signed interaction request for `payload`. */
export function signedInteraction(secret: string, payload: unknown, at: Date, options: { base64?: boolean } = {}): SignedRequest {
  return signedRequest(secret, interactionBody(payload), at, options);
}

/** A block_actions payload for one button click on a message. */
export function buttonClick(input: { userId: string; actionId: string; value?: string; channel: string; messageTs: string; triggerId?: string }) {
  return {
    type: 'block_actions',
    team: { id: 'T00000001', domain: 'example' },
    user: { id: input.userId, username: `user-${input.userId.toLowerCase()}`, name: `user-${input.userId.toLowerCase()}`, team_id: 'T00000001' },
    api_app_id: 'A00000001',
    token: 'legacy-verification-token',
    trigger_id: input.triggerId ?? '1234567890.1234567890.abcdef0123456789abcdef0123456789',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
    channel: { id: input.channel, name: 'security-alerts' },
    response_url: 'https://hooks.slack.com/actions/T00000001/1/abc',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'Button', emoji: true },
        value: input.value,
        action_ts: '1700000000.123456',
      },
    ],
  };
}

/** A view_submission payload of the override modal. */
export function reasonSubmission(input: { userId: string; decisionId: string; reason: string | null; callbackId?: string }) {
  return {
    type: 'view_submission',
    team: { id: 'T00000001', domain: 'example' },
    user: { id: input.userId, username: `user-${input.userId.toLowerCase()}`, team_id: 'T00000001' },
    api_app_id: 'A00000001',
    trigger_id: '1234567890.1234567890.fedcba',
    view: {
      id: 'V00000001',
      type: 'modal',
      callback_id: input.callbackId ?? 'scp_guardian_override_reason',
      private_metadata: input.decisionId,
      state: { values: { reason: { reason: { type: 'plain_text_input', value: input.reason } } } },
      hash: '1700000000.abc',
    },
    response_urls: [],
  };
}

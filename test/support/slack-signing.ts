import { createHmac } from 'node:crypto';
import { TEST_SLACK } from './local-harness';

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

/** The channel the test rules name in notify.slackChannel. */
export const TEST_CHANNEL = 'C0SECURITY';

/**
 * Where an interaction comes from. The defaults are the test rules' workspace and app
 * (TEST_SLACK); `userTeamId` defaults to the workspace; `enterpriseId` makes it an Enterprise
 * Grid payload (`enterprise` and `team.enterprise_id`).
 */
export interface SlackOrigin {
  teamId?: string;
  userTeamId?: string;
  appId?: string;
  enterpriseId?: string;
}

function originFields(origin: SlackOrigin) {
  const teamId = origin.teamId ?? TEST_SLACK.teamId;
  const grid = origin.enterpriseId === undefined ? {} : { enterprise_id: origin.enterpriseId, enterprise_name: 'Example Org' };
  return {
    teamId,
    userTeamId: origin.userTeamId ?? teamId,
    appId: origin.appId ?? TEST_SLACK.appId,
    team: { id: teamId, domain: 'example', ...grid },
    enterprise: origin.enterpriseId === undefined ? null : { id: origin.enterpriseId, name: 'Example Org' },
    is_enterprise_install: false,
  };
}

/** A block_actions payload for one button click on a message. */
export function buttonClick(input: { userId: string; actionId: string; value?: string; channel: string; messageTs: string; triggerId?: string } & SlackOrigin) {
  const origin = originFields(input);
  return {
    type: 'block_actions',
    team: origin.team,
    enterprise: origin.enterprise,
    is_enterprise_install: origin.is_enterprise_install,
    user: { id: input.userId, username: `user-${input.userId.toLowerCase()}`, name: `user-${input.userId.toLowerCase()}`, team_id: origin.userTeamId },
    api_app_id: origin.appId,
    token: 'legacy-verification-token',
    trigger_id: input.triggerId ?? '1234567890.1234567890.abcdef0123456789abcdef0123456789',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
    channel: { id: input.channel, name: 'security-alerts' },
    response_url: `https://hooks.slack.com/actions/${origin.teamId}/1/abc`,
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

/**
 * The override modal's private_metadata as scp-guardian writes it (functions/shared/slack/messages.ts):
 * the decision, and the channel and message whose "Keep detached" opened the modal.
 */
export function modalMetadata(input: { decisionId: string; channel: string; messageTs?: string }): string {
  return JSON.stringify({ decisionId: input.decisionId, channel: input.channel, messageTs: input.messageTs });
}

/**
 * A view_submission payload of the override modal. Slack returns the private_metadata the app
 * set: by default the metadata of a modal opened for the decision from TEST_CHANNEL (or
 * `channel`); `privateMetadata` sends any other string. `duration` is the value of the option
 * chosen in the duration menu (null: none chosen); without it, the dialog had no menu.
 */
export function reasonSubmission(
  input: {
    userId: string;
    decisionId: string;
    reason: string | null;
    duration?: string | null;
    callbackId?: string;
    channel?: string;
    messageTs?: string;
    privateMetadata?: string;
  } & SlackOrigin,
) {
  const origin = originFields(input);
  const metadata = input.privateMetadata ?? modalMetadata({ decisionId: input.decisionId, channel: input.channel ?? TEST_CHANNEL, messageTs: input.messageTs ?? '1700000000.000100' });
  return {
    type: 'view_submission',
    team: origin.team,
    enterprise: origin.enterprise,
    is_enterprise_install: origin.is_enterprise_install,
    user: { id: input.userId, username: `user-${input.userId.toLowerCase()}`, team_id: origin.userTeamId },
    api_app_id: origin.appId,
    trigger_id: '1234567890.1234567890.fedcba',
    view: {
      id: 'V00000001',
      team_id: origin.teamId,
      app_id: origin.appId,
      type: 'modal',
      callback_id: input.callbackId ?? 'scp_guardian_override_reason',
      private_metadata: metadata,
      state: {
        values: {
          reason: { reason: { type: 'plain_text_input', value: input.reason } },
          // Slack's shape for a static_select: the chosen option with its text, or null.
          ...(input.duration === undefined
            ? {}
            : {
                duration: {
                  duration: {
                    type: 'static_select',
                    selected_option: input.duration === null ? null : { text: { type: 'plain_text', text: input.duration, emoji: true }, value: input.duration },
                  },
                },
              }),
        },
      },
      hash: '1700000000.abc',
    },
    response_urls: [],
  };
}

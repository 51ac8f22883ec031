// zod/mini: the same schemas at a fraction of the bundle size (this runs in a Lambda).
import * as z from 'zod/mini';
import { formatPath } from '../shared/format-path';
import { OverrideModal, readOverrideModalMetadata } from '../shared/slack/messages';

/** The Slack user behind an interaction. */
export interface SlackUser {
  id: string;
  /**
   * `user.team_id`: the user's workspace, or under Enterprise Grid the organization (E…).
   * A user id names a person only together with it.
   */
  teamId?: string;
  /** The user's handle, when Slack sends one (for logs only: authorisation uses the team and id). */
  name?: string;
}

/**
 * Where an interaction came from, as the (signed) payload says. Identity is checked on all
 * of it: the workspace, the app, and for a click the channel of the message.
 */
export interface InteractionOrigin {
  /** `team.id`: the workspace the person acted in; Slack sends null for an org-wide install. */
  teamId?: string;
  /** `enterprise.id`: the Enterprise Grid organization, when there is one. */
  enterpriseId?: string;
  /** `team.enterprise_id`: the organization of that workspace, when Slack says. */
  teamEnterpriseId?: string;
  /** `api_app_id`: the Slack app the interaction was sent to. */
  appId?: string;
  /** Where the person acted: the clicked message's channel, or the channel the dialog was opened for. */
  channelId?: string;
}

/** A button click (`block_actions`), reduced to what scp-guardian uses. */
export interface BlockActionInteraction {
  type: 'block_actions';
  user: SlackUser;
  origin: InteractionOrigin;
  actionId: string;
  value?: string;
  triggerId: string;
  channelId?: string;
  messageTs?: string;
  responseUrl?: string;
}

/** A modal submission (`view_submission`), reduced to what scp-guardian uses. */
export interface ViewSubmissionInteraction {
  type: 'view_submission';
  user: SlackUser;
  /** The channel is the one the modal's private_metadata names (a submission has none of its own). */
  origin: InteractionOrigin;
  callbackId: string;
  /** From private_metadata: the decision, and the message whose button opened the modal. */
  decisionId?: string;
  messageTs?: string;
  /** `view.app_id`: the app that opened the modal. */
  viewAppId?: string;
  /** The override reason as typed (null and absent become undefined). */
  reason?: string;
  /**
   * The value of the duration chosen in the menu (`4h`), as the modal set it; undefined when the
   * dialog had no menu (one opened before durations were offered) or nothing was chosen.
   */
  duration?: string;
}

/** The interactions scp-guardian handles. */
export type Interaction = BlockActionInteraction | ViewSubmissionInteraction;

/** The interaction, or what is wrong with the request. */
export type ParseInteractionResult = { ok: true; interaction: Interaction } | { ok: false; error: string };

const nonEmpty = () => z.string().check(z.minLength(1));
const userSchema = z.object({ id: nonEmpty(), team_id: z.optional(z.string()), username: z.optional(z.string()), name: z.optional(z.string()) });
// Slack sends `team: null` for an org-wide install, and `enterprise: null` outside Enterprise Grid.
const originFields = {
  team: z.nullish(z.object({ id: z.optional(z.string()), enterprise_id: z.nullish(z.string()) })),
  enterprise: z.nullish(z.object({ id: z.optional(z.string()) })),
  api_app_id: z.optional(z.string()),
};

const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: userSchema,
  ...originFields,
  trigger_id: nonEmpty(),
  actions: z.array(z.object({ action_id: nonEmpty(), value: z.optional(z.string()) })).check(z.minLength(1)),
  channel: z.optional(z.object({ id: nonEmpty() })),
  container: z.optional(z.object({ message_ts: z.optional(z.string()), channel_id: z.optional(z.string()) })),
  response_url: z.optional(z.string()),
});

const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: userSchema,
  ...originFields,
  view: z.object({
    callback_id: z.string(),
    app_id: z.optional(z.string()),
    private_metadata: z._default(z.string(), ''),
    // A plain_text_input reports `value`; a static_select reports `selected_option` (null when nothing is chosen).
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.nullish(z.string()), selected_option: z.nullish(z.object({ value: z.string() })) }))),
    }),
  }),
});

const payloadSchema = z.discriminatedUnion('type', [blockActionsSchema, viewSubmissionSchema]);

function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${formatPath(issue.path) || '(payload)'}: ${issue.message}`).join('; ');
}

const present = (value: string | null | undefined): string | undefined => (value === null || value === '' ? undefined : value);

function originOf(payload: z.infer<typeof payloadSchema>, channelId: string | undefined): InteractionOrigin {
  return {
    teamId: present(payload.team?.id),
    enterpriseId: present(payload.enterprise?.id),
    teamEnterpriseId: present(payload.team?.enterprise_id),
    appId: present(payload.api_app_id),
    channelId: present(channelId),
  };
}

function toInteraction(payload: z.infer<typeof payloadSchema>): Interaction {
  const user = { id: payload.user.id, teamId: present(payload.user.team_id), name: payload.user.username ?? payload.user.name };
  if (payload.type === 'block_actions') {
    const [action] = payload.actions;
    const channelId = payload.channel?.id ?? payload.container?.channel_id;
    return {
      type: 'block_actions',
      user,
      origin: originOf(payload, channelId),
      actionId: action.action_id,
      value: action.value,
      triggerId: payload.trigger_id,
      channelId,
      messageTs: payload.container?.message_ts,
      responseUrl: payload.response_url,
    };
  }
  const { values } = payload.view.state;
  const reason = values[OverrideModal.REASON_BLOCK_ID]?.[OverrideModal.REASON_ACTION_ID]?.value;
  const duration = values[OverrideModal.DURATION_BLOCK_ID]?.[OverrideModal.DURATION_ACTION_ID]?.selected_option?.value;
  const context = readOverrideModalMetadata(payload.view.private_metadata);
  return {
    type: 'view_submission',
    user,
    origin: originOf(payload, context.channel),
    callbackId: payload.view.callback_id,
    decisionId: context.decisionId,
    messageTs: context.messageTs,
    viewAppId: present(payload.view.app_id),
    reason: reason ?? undefined,
    duration: present(duration),
  };
}

/**
 * Reads Slack's interaction POST: a form-encoded body whose `payload` field is JSON. Answers
 * the interaction, or an error naming what is wrong with it.
 */
export function parseInteractionPayload(rawBody: string): ParseInteractionResult {
  const field = new URLSearchParams(rawBody).get('payload');
  if (field === null || field === '') return { ok: false, error: 'no payload field in the form body' };
  let json: unknown;
  try {
    json = JSON.parse(field);
  } catch {
    return { ok: false, error: 'payload is not valid JSON' };
  }
  const type = typeof json === 'object' && json !== null && 'type' in json ? json.type : undefined;
  if (type !== 'block_actions' && type !== 'view_submission') {
    return { ok: false, error: `unsupported interaction type ${JSON.stringify(type ?? null)}` };
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, error: describeIssues(parsed.error) };
  return { ok: true, interaction: toInteraction(parsed.data) };
}

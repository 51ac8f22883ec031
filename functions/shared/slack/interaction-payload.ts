// zod/mini: the same schemas at a fraction of the bundle size (this runs in a Lambda).
import * as z from 'zod/mini';
import { formatPath } from '../format-path';
import { OverrideModal } from './messages';

/** The Slack user behind an interaction. */
export interface SlackUser {
  id: string;
  /** The user's handle, when Slack sends one (for logs only: authorisation uses `id`). */
  name?: string;
}

/** A button click (`block_actions`), reduced to what scp-guardian uses. */
export interface BlockActionInteraction {
  type: 'block_actions';
  user: SlackUser;
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
  callbackId: string;
  privateMetadata: string;
  /** The override reason as typed (null and absent become undefined). */
  reason?: string;
}

/** The interactions scp-guardian handles. */
export type Interaction = BlockActionInteraction | ViewSubmissionInteraction;

/** The interaction, or what is wrong with the request. */
export type ParseInteractionResult = { ok: true; interaction: Interaction } | { ok: false; error: string };

const nonEmpty = () => z.string().check(z.minLength(1));
const userSchema = z.object({ id: nonEmpty(), username: z.optional(z.string()), name: z.optional(z.string()) });

const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: userSchema,
  trigger_id: nonEmpty(),
  actions: z.array(z.object({ action_id: nonEmpty(), value: z.optional(z.string()) })).check(z.minLength(1)),
  channel: z.optional(z.object({ id: nonEmpty() })),
  container: z.optional(z.object({ message_ts: z.optional(z.string()), channel_id: z.optional(z.string()) })),
  response_url: z.optional(z.string()),
});

const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: userSchema,
  view: z.object({
    callback_id: z.string(),
    private_metadata: z._default(z.string(), ''),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.nullish(z.string()) }))) }),
  }),
});

const payloadSchema = z.discriminatedUnion('type', [blockActionsSchema, viewSubmissionSchema]);

function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${formatPath(issue.path) || '(payload)'}: ${issue.message}`).join('; ');
}

function toInteraction(payload: z.infer<typeof payloadSchema>): Interaction {
  const user = { id: payload.user.id, name: payload.user.username ?? payload.user.name };
  if (payload.type === 'block_actions') {
    const [action] = payload.actions;
    return {
      type: 'block_actions',
      user,
      actionId: action.action_id,
      value: action.value,
      triggerId: payload.trigger_id,
      channelId: payload.channel?.id ?? payload.container?.channel_id,
      messageTs: payload.container?.message_ts,
      responseUrl: payload.response_url,
    };
  }
  const reason = payload.view.state.values[OverrideModal.REASON_BLOCK_ID]?.[OverrideModal.REASON_ACTION_ID]?.value;
  return {
    type: 'view_submission',
    user,
    callbackId: payload.view.callback_id,
    privateMetadata: payload.view.private_metadata,
    reason: reason ?? undefined,
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

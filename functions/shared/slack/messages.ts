import type { ActionsBlock, Button, ContextBlock, HeaderBlock, InputBlock, KnownBlock, ModalView, PlainTextOption, SectionBlock } from '@slack/web-api';
import { MAX_REASON_LENGTH } from '../decisions/decide';
import { DEFAULT_OVERRIDE_BOUNDS, describeOverrideDuration, formatOverrideDuration, type OverrideBounds } from '../decisions/override-duration';
import { remediationTime } from '../duration';
import type { Closure, Incident, PolicyRef, RestoreAction, RestoreReport, TargetRef } from '../incident';
import {
  actionText,
  actionsSummary,
  actorLabel,
  kindDescription,
  kindFacts,
  NOT_RESTORED,
  plainWhatHappened,
  policyTypeWord,
  readableContent,
  remedyWords,
  restoresContent,
  targetTypeOf,
  whatHappened,
  wordsKind,
  type NameStyle,
} from '../notifications/kind-words';
import { consequence, headline, type Notice } from '../notifications/notice';
import { Decision, Kind, Mode, OnTimeout, Outcome, TargetType, Verdict } from '../vocabulary';

/** Action ids of the decision buttons; the interactions endpoint routes on them. */
export const SlackActionId = {
  APPROVE: 'scp_guardian_approve',
  OVERRIDE: 'scp_guardian_override',
} as const;

/** The override modal's callback id and the block/action ids of its reason input and duration menu. */
export const OverrideModal = {
  CALLBACK_ID: 'scp_guardian_override_reason',
  REASON_BLOCK_ID: 'reason',
  REASON_ACTION_ID: 'reason',
  DURATION_BLOCK_ID: 'duration',
  DURATION_ACTION_ID: 'duration',
} as const;

/** Slack's documented limits that these messages could reach. */
export const SlackLimit = {
  SECTION_TEXT: 3000,
  SECTION_FIELD: 2000,
  SECTION_FIELDS: 10,
  HEADER_TEXT: 150,
  CONTEXT_TEXT: 2000,
  FALLBACK_TEXT: 3000,
  CONFIRM_TITLE: 100,
  CONFIRM_TEXT: 300,
  MODAL_TITLE: 24,
} as const;

/** A message as chat.postMessage and chat.update take it; `text` is the notification fallback. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Who decided what, when; `by` is a Slack user id or, from the CLI, an IAM ARN. */
export interface DecisionSummary {
  decision: Decision;
  by?: string;
  at?: string;
  reason?: string;
  /** Where a person decided: the Slack buttons or `scp-guardian decide`. */
  via?: 'slack' | 'cli';
  /** For an OVERRIDE: when it ends (ISO 8601). */
  until?: string;
}

/** The stage an incident's Slack message shows. */
export type IncidentMessageState =
  | { kind: 'detected' }
  | { kind: 'awaiting-decision'; decisionId: string; deadline: string }
  | ({ kind: 'decided' } & DecisionSummary)
  | {
      kind: 'closed';
      outcome: Outcome;
      cause?: string;
      timeToRemediateSeconds?: number;
      decision?: DecisionSummary;
      overriddenUntil?: string;
      /** For a kind other than DETACHED: every write of the restoration, in order. */
      actions?: RestoreAction[];
      /** POLICY_CHANGED's diff, POLICY_DELETED's last known content and targets. */
      report?: RestoreReport;
    };

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Shortens already-escaped text to `max` characters, never leaving half an entity, half a
 * mention or half a surrogate pair at the cut.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text
    .slice(0, max - 1)
    .replace(/&[a-z#0-9]*$/i, '')
    .replace(/<[^>]*$/, '')
    .replace(/[\uD800-\uDBFF]$/, '');
  return `${cut}…`;
}

/** A Slack user id becomes a mention; anything else (an IAM ARN from the CLI) is shown as code. */
export function formatDecider(by: string | undefined): string {
  if (by === undefined || by === '') return 'someone';
  if (/^[UW][A-Z0-9]{2,}$/.test(by)) return `<@${by}>`;
  return code(by);
}

function code(text: string): string {
  return `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;
}

function named(name: string | undefined, id: string | undefined): string {
  const idText = id === undefined ? '(unknown id)' : code(id);
  return name === undefined || name === '' ? idText : `*${escapeMrkdwn(name)}* (${idText})`;
}

const TARGET_KIND: Record<TargetType, string> = {
  [TargetType.ROOT]: 'the root',
  [TargetType.ORGANIZATIONAL_UNIT]: 'OU',
  [TargetType.ACCOUNT]: 'account',
};

/** Names as Slack shows them: bold names, ids as code, everything escaped. */
const SLACK_STYLE: NameStyle = {
  policy: (policy: PolicyRef) => `${escapeMrkdwn(policyTypeWord(policy.type))} ${named(policy.name, policy.id)}`,
  target: (target: TargetRef) => {
    const type = target.type ?? targetTypeOf(target.id);
    return `${type === undefined ? 'target' : TARGET_KIND[type]} ${named(target.name, target.id)}`;
  },
  text: escapeMrkdwn,
};

/** Whether the incident speaks as a detachment (DETACHED, a drift of a missing pair, or no kind). */
function detachedWords(incident: Incident): boolean {
  const kind = wordsKind(incident);
  return kind === undefined || kind === Kind.DETACHED || kind === Kind.DRIFT;
}

const capitalize = (text: string) => (text === '' ? text : `${text[0].toUpperCase()}${text.slice(1)}`);

function yesNo(value: boolean | undefined): string {
  if (value === undefined) return 'unknown';
  return value ? 'yes' : 'no';
}


function mrkdwnSection(text: string): SectionBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text, SlackLimit.SECTION_TEXT) } };
}

function decisionText(incident: Incident, decision: Exclude<Decision, typeof Decision.TIMEOUT>): string {
  const words = remedyWords(incident);
  return { [Decision.APPROVE]: words.approved, [Decision.OVERRIDE]: words.overrode, [Decision.AUTO]: words.auto }[decision];
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  [Outcome.REATTACHED]: 'The policy was reattached.',
  [Outcome.ALREADY_ATTACHED]: 'The policy was already attached again; nothing to do.',
  [Outcome.RESTORED]: 'The protection was restored.',
  [Outcome.OVERRIDDEN]: 'The policy stays detached (override).',
  [Outcome.OBSERVED]: 'Observed; nothing was changed.',
  [Outcome.FAILED]: 'Could not reattach the policy.',
  [Outcome.DUPLICATE]: 'Duplicate delivery of an event already handled.',
};

function timeoutConsequence(incident: Incident, onTimeout: OnTimeout | undefined): string {
  const words = remedyWords(incident);
  return onTimeout === OnTimeout.KEEP_DETACHED ? words.stays : words.restores;
}

/** The closing state as the notice module reads it, to say the outcome in its words. */
function closureOfState(state: Extract<IncidentMessageState, { kind: 'closed' }>): Closure {
  return {
    outcome: state.outcome,
    cause: state.cause,
    timeToRemediateSeconds: state.timeToRemediateSeconds,
    overriddenUntil: state.overriddenUntil,
    decision: state.decision?.decision,
    decidedBy: state.decision?.by,
    decisionReason: state.decision?.reason,
    actions: state.actions,
    report: state.report,
    closedAt: state.decision?.at ?? state.overriddenUntil ?? '',
  };
}

function noticeOf(incident: Incident, state: IncidentMessageState): Notice {
  if (state.kind === 'closed') return { phase: 'closed', incident, closure: closureOfState(state) };
  if (state.kind === 'awaiting-decision') return { phase: 'awaiting-decision', incident, deadline: state.deadline };
  return { phase: 'opened', incident };
}

const EMOJI_CLOSED: Partial<Record<Outcome, string>> = {
  [Outcome.FAILED]: '❌',
  [Outcome.REATTACHED]: '✅',
  [Outcome.ALREADY_ATTACHED]: '✅',
  [Outcome.RESTORED]: '✅',
  [Outcome.OVERRIDDEN]: '✋',
};

/** The header of a kind other than a detachment: the email's headline, with an emoji for the stage. */
function kindHeadline(incident: Incident, state: IncidentMessageState): string {
  const words = remedyWords(incident);
  const what = plainWhatHappened(incident);
  const protectedPolicy = incident.verdict === Verdict.PROTECTED;
  switch (state.kind) {
    case 'detected':
      if (!protectedPolicy) return `ℹ️ ${what}: observed, no change (${incident.verdict})`;
      return `${wordsKind(incident) === Kind.POLICY_DELETED ? '🔥' : '🚨'} ${headline(noticeOf(incident, state))}`;
    case 'awaiting-decision':
      return `🚨 ${what}: decision needed`;
    case 'decided':
      return state.decision === Decision.OVERRIDE ? `✋ ${what}: decided to ${words.keepShort}` : `✅ ${what}: decided to ${words.toDo}`;
    case 'closed': {
      const notice = noticeOf(incident, state);
      const reported = state.outcome === Outcome.OBSERVED && protectedPolicy;
      const emoji = wordsKind(incident) === Kind.POLICY_DELETED ? '🔥' : reported ? '⚠️' : (EMOJI_CLOSED[state.outcome] ?? 'ℹ️');
      if (!protectedPolicy && state.outcome === Outcome.OBSERVED) return `ℹ️ ${what}: observed, no change (${incident.verdict})`;
      return `${emoji} ${headline(notice)}`;
    }
  }
}

/** The message's header: short, with an emoji, since the message itself names the policy and the target. */
function slackHeadline(incident: Incident, state: IncidentMessageState): string {
  if (!detachedWords(incident)) return kindHeadline(incident, state);
  const protectedPolicy = incident.verdict === Verdict.PROTECTED;
  switch (state.kind) {
    case 'detected':
      if (!protectedPolicy) return `ℹ️ Policy detached: observed, no change (${incident.verdict})`;
      return incident.mode === Mode.AUTO ? '🚨 Protected policy detached: reattaching now' : '🚨 Protected policy detached';
    case 'awaiting-decision':
      return '🚨 Protected policy detached: decision needed';
    case 'decided':
      return state.decision === Decision.OVERRIDE ? '✋ Decided: keep the policy detached' : '✅ Decided: reattach the policy';
    case 'closed':
      return closedHeadline(incident, state.outcome, state.decision?.decision);
  }
}

function closedHeadline(incident: Incident, outcome: Outcome, decision: Decision | undefined): string {
  const timedOut = decision === Decision.TIMEOUT ? ' (no decision in time)' : '';
  switch (outcome) {
    case Outcome.FAILED:
      return '❌ Could not reattach the policy';
    case Outcome.REATTACHED:
      return `✅ Policy reattached${timedOut}`;
    case Outcome.ALREADY_ATTACHED:
      return '✅ Policy already attached again';
    case Outcome.OVERRIDDEN:
      return `✋ Policy kept detached${timedOut || ' (override)'}`;
    default:
      return `ℹ️ Policy detached: observed, no change (${incident.verdict})`;
  }
}

/** What happened, in the words of the kind, with the names in bold and the ids as code. */
function summaryLine(incident: Incident): string {
  return `${capitalize(whatHappened(incident, SLACK_STYLE))}.`;
}

/** The facts of a kind other than a detachment (the account's parents, the forbid rule, ...), one line each. */
function kindFactsText(incident: Incident, report: RestoreReport | undefined): string | undefined {
  if (detachedWords(incident)) return undefined;
  const lines = kindFacts(incident, report)
    .filter((fact): fact is [string, string] => fact[1] !== undefined && fact[0] !== 'Kind')
    .map(([label, value]) => `*${escapeMrkdwn(label)}:* ${escapeMrkdwn(value)}`);
  return lines.length === 0 ? undefined : lines.join('\n');
}

/** A titled code block (a diff, a policy's content), cut to what a section holds. */
function codeSection(title: string, text: string): SectionBlock {
  const fence = '```';
  const room = SlackLimit.SECTION_TEXT - title.length - 2 * fence.length - 2;
  const body = clip(escapeMrkdwn(text.replace(/```/g, "'''")), room);
  return { type: 'section', text: { type: 'mrkdwn', text: `${title}\n${fence}${body}${fence}` } };
}

/** The most actions the closing message lists one by one. */
const MAX_LISTED_ACTIONS = 20;

/** The closing message's blocks of the restoration: its actions, the diff, the last known content. */
function restorationBlocks(state: IncidentMessageState): SectionBlock[] {
  if (state.kind !== 'closed') return [];
  const blocks: SectionBlock[] = [];
  if (state.actions !== undefined && state.actions.length > 0) {
    // A disabled type can restore hundreds of attachments: the failures first, then as many as read well.
    const ordered = [...state.actions.filter((action) => action.result === 'failed'), ...state.actions.filter((action) => action.result !== 'failed')];
    const shown = state.actions.length > MAX_LISTED_ACTIONS ? ordered.slice(0, MAX_LISTED_ACTIONS - 1) : state.actions;
    const more = state.actions.length - shown.length;
    const lines = shown.map((action) => `• ${escapeMrkdwn(actionText(action))}`);
    if (more > 0) lines.push(`• … and ${more} more (\`scp-guardian audit show\` lists every one)`);
    blocks.push(mrkdwnSection(`*Actions (${escapeMrkdwn(actionsSummary(state.actions))}):*\n${lines.join('\n')}`));
  }
  if (state.report?.diff !== undefined && state.report.diff.length > 0) blocks.push(codeSection('*What changed:*', state.report.diff.join('\n')));
  if (state.report?.desiredTargets !== undefined) {
    const targets = state.report.desiredTargets;
    blocks.push(mrkdwnSection(`*It protected ${targets.length} ${targets.length === 1 ? 'target' : 'targets'}:* ${targets.map((id) => code(id)).join(', ') || 'none'}`));
  }
  if (state.report?.lastKnownContent !== undefined) blocks.push(codeSection('*Last known content:*', readableContent(state.report.lastKnownContent)));
  return blocks;
}

function modeText(mode: Mode | undefined): string {
  return mode === undefined ? '' : ` (mode ${mode})`;
}

function detailFields(incident: Incident): string[] {
  const { actor } = incident;
  const principal = actor.principalArn ?? actor.arn;
  const who = [`${escapeMrkdwn(actor.type)} ${principal === undefined ? '(no ARN)' : code(principal)}`];
  if (actor.arn !== undefined && actor.arn !== principal) who.push(`session ${code(actor.arn)}`);
  if (actor.invokedBy !== undefined) who.push(`via ${escapeMrkdwn(actor.invokedBy)}`);
  const where = `${actor.sourceIp === undefined ? 'unknown IP' : code(actor.sourceIp)}, ${actor.console ? 'console' : 'not console (API/CLI)'}, MFA: ${yesNo(actor.mfa)}`;
  const rule = incident.rule === undefined ? 'no protection rule matched' : escapeMrkdwn(incident.rule.explanation);
  const description = incident.rule?.description === undefined ? '' : `\n_${escapeMrkdwn(incident.rule.description)}_`;
  return [
    `*${actorLabel(incident)}*\n${who.join('\n')}`,
    `*From*\n${where}`,
    `*When*\n${escapeMrkdwn(incident.eventTime ?? incident.detectedAt)}`,
    `*Verdict*\n${incident.verdict}${modeText(incident.mode)}: ${escapeMrkdwn(incident.reason)}`,
    `*Rule*\n${rule}${description}`,
    ...(incident.kind === undefined ? [] : [`*Kind*\n${escapeMrkdwn(kindDescription(incident.kind, incident.driftOf))}`]),
  ];
}

function decisionLine(incident: Incident, summary: DecisionSummary): string {
  const when = summary.at === undefined ? '' : ` at ${escapeMrkdwn(summary.at)}`;
  if (summary.decision === Decision.TIMEOUT) {
    const onTimeout = incident.approval?.onTimeout ?? OnTimeout.REATTACH;
    return `*${summary.decision}*: nobody decided by the deadline${when}, so onTimeout (${onTimeout}) applied: ${timeoutConsequence(incident, onTimeout)}.`;
  }
  const who = summary.decision === Decision.AUTO ? '' : `${formatDecider(summary.by)} `;
  const via = summary.via === 'cli' ? ' (with `scp-guardian decide`)' : '';
  const until = summary.decision === Decision.OVERRIDE && summary.until !== undefined ? `, until *${escapeMrkdwn(summary.until)}*` : '';
  const reason = summary.reason === undefined ? '' : `\n*Reason:* ${escapeMrkdwn(summary.reason)}`;
  return `*${summary.decision}*: ${who}${decisionText(incident, summary.decision)}${when}${via}${until}.${reason}`;
}

/** What the guard does now that the incident opened, for a protected incident. */
function detectedText(incident: Incident): string {
  const kind = wordsKind(incident);
  if (kind === Kind.POLICY_DELETED) return 'Nothing can bring it back under its id: create it again from its last known content, and update the rules.';
  if (kind === Kind.POLICY_CHANGED && restoresContent(incident) === false) return `${capitalize(NOT_RESTORED)}: the diff follows when the incident closes.`;
  if (incident.mode !== Mode.AUTO) return 'A decision will be requested.';
  return `${capitalize(remedyWords(incident).doing)} now (auto mode).`;
}

/** The outcome in a sentence: the detachment's own words, else the kind's (the email's consequence). */
function outcomeText(incident: Incident, state: Extract<IncidentMessageState, { kind: 'closed' }>): string {
  if (detachedWords(incident) || state.outcome === Outcome.DUPLICATE) return OUTCOME_TEXT[state.outcome];
  if (state.outcome === Outcome.OBSERVED && incident.verdict !== Verdict.PROTECTED) return OUTCOME_TEXT[state.outcome];
  return `${escapeMrkdwn(capitalize(consequence(noticeOf(incident, state))))}.`;
}

function stateText(incident: Incident, state: IncidentMessageState): string {
  const words = remedyWords(incident);
  switch (state.kind) {
    case 'detected':
      if (incident.verdict !== Verdict.PROTECTED) return 'Nothing will be changed in the organization.';
      return detectedText(incident);
    case 'awaiting-decision':
      return (
        `Decide by *${escapeMrkdwn(state.deadline)}*. If nobody decides by then, ${timeoutConsequence(incident, incident.approval?.onTimeout)}` +
        ` (onTimeout: ${incident.approval?.onTimeout ?? OnTimeout.REATTACH}).`
      );
    case 'decided':
      return `${decisionLine(incident, state)}\n${state.decision === Decision.OVERRIDE ? words.cancelled : words.doingNow}`;
    case 'closed': {
      const lines = [`*Outcome:* ${state.outcome}. ${outcomeText(incident, state)}`];
      if (state.outcome === Outcome.OVERRIDDEN && state.overriddenUntil !== undefined) {
        lines.push(`*${capitalize(words.kept)} until:* ${escapeMrkdwn(state.overriddenUntil)}; then it is restored in its rule's mode (an approval rule asks again).`);
      }
      if (state.cause !== undefined) lines.push(`*Cause:* ${escapeMrkdwn(state.cause)}`);
      if (state.timeToRemediateSeconds !== undefined) lines.push(`*Time to remediate:* ${remediationTime(state.timeToRemediateSeconds, incident)}`);
      if (state.decision !== undefined) lines.push(decisionLine(incident, state.decision));
      return lines.join('\n');
    }
  }
}

/** What the "keep" button's confirmation says will happen. */
function keepConfirmText(incident: Incident): string {
  const ask = 'You will be asked for a reason and for how long; both go into the audit trail.';
  if (detachedWords(incident)) {
    const policy = incident.policy.name ?? incident.policy.id ?? 'the policy';
    const target = incident.target.name ?? incident.target.id ?? 'its target';
    return `${policy} stays detached from ${target} for a while, and the reattachment is cancelled. ${ask}`;
  }
  return `${plainWhatHappened(incident, { policy: 'ids', target: 'ids' }, true)}: it stays so for a while. ${remedyWords(incident).cancelled} ${ask}`;
}

function decisionButtons(decisionId: string, incident: Incident): ActionsBlock {
  const words = remedyWords(incident);
  // Button values hold only the short decision id: the task token stays in DynamoDB.
  const approve: Button = {
    type: 'button',
    action_id: SlackActionId.APPROVE,
    text: { type: 'plain_text', text: words.approveButton },
    style: 'primary',
    value: decisionId,
  };
  const override: Button = {
    type: 'button',
    action_id: SlackActionId.OVERRIDE,
    text: { type: 'plain_text', text: words.keepButton },
    style: 'danger',
    value: decisionId,
    confirm: {
      title: { type: 'plain_text', text: clip(words.keepConfirm, SlackLimit.CONFIRM_TITLE) },
      text: { type: 'plain_text', text: clip(keepConfirmText(incident), SlackLimit.CONFIRM_TEXT) },
      confirm: { type: 'plain_text', text: 'Give a reason' },
      deny: { type: 'plain_text', text: 'Cancel' },
      style: 'danger',
    },
  };
  return { type: 'actions', elements: [approve, override] };
}

function fallbackTail(state: IncidentMessageState): string {
  switch (state.kind) {
    case 'detected':
      return '';
    case 'awaiting-decision':
      return `; decide by ${state.deadline}`;
    case 'decided':
      return `; ${state.decision} by ${state.by ?? 'someone'}`;
    case 'closed':
      return `; outcome ${state.outcome}`;
  }
}

function fallbackText(incident: Incident, state: IncidentMessageState): string {
  const { policy, target, actor } = incident;
  const by = actor.principalArn ?? actor.arn ?? actor.type;
  if (!detachedWords(incident)) return clip(escapeMrkdwn(`${slackHeadline(incident, state)} (by ${by})${fallbackTail(state)}`), SlackLimit.FALLBACK_TEXT);
  const text =
    `${slackHeadline(incident, state)}: ${policy.name ?? ''} (${policy.id ?? 'unknown policy'}) detached from ` +
    `${target.name ?? ''} (${target.id ?? 'unknown target'}) by ${actor.principalArn ?? actor.arn ?? actor.type}${fallbackTail(state)}`;
  return clip(escapeMrkdwn(text), SlackLimit.FALLBACK_TEXT);
}

/**
 * The Slack message for an incident at one stage. Every stage says what happened in the words of
 * its kind (functions/shared/notifications/kind-words.ts), by whom, from where, when, which rule
 * matched and the verdict; awaiting-decision adds the two decision buttons, every later stage has
 * none; the closing one lists the restoration's actions, a rewrite's diff and a deleted policy's
 * last known content.
 */
export function incidentMessage(incident: Incident, state: IncidentMessageState): SlackMessage {
  const header: HeaderBlock = { type: 'header', text: { type: 'plain_text', text: clip(slackHeadline(incident, state), SlackLimit.HEADER_TEXT), emoji: true } };
  const details: SectionBlock = {
    type: 'section',
    fields: detailFields(incident)
      .slice(0, SlackLimit.SECTION_FIELDS)
      .map((text) => ({ type: 'mrkdwn', text: clip(text, SlackLimit.SECTION_FIELD) })),
  };
  const context: ContextBlock = {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: clip(`Incident ${code(incident.incidentId)}${incident.region === undefined ? '' : ` · ${escapeMrkdwn(incident.region)}`}`, SlackLimit.CONTEXT_TEXT) }],
  };
  const facts = kindFactsText(incident, state.kind === 'closed' ? state.report : undefined);
  const blocks: KnownBlock[] = [header, mrkdwnSection(summaryLine(incident)), ...(facts === undefined ? [] : [mrkdwnSection(facts)]), details, mrkdwnSection(stateText(incident, state))];
  blocks.push(...restorationBlocks(state));
  if (state.kind === 'awaiting-decision') blocks.push(decisionButtons(state.decisionId, incident));
  blocks.push(context);
  return { text: fallbackText(incident, state), blocks };
}

/**
 * What the override modal carries in `private_metadata`: the decision, and the channel and
 * message whose "Keep detached" opened it. A submission has no channel of its own, so this is
 * how the interactions endpoint knows where the dialog came from (Slack returns the metadata
 * the app set, unchanged).
 */
export interface OverrideModalContext {
  decisionId: string;
  channel: string;
  messageTs?: string;
}

/** The metadata as read back from a submission: any part may be missing from an old or foreign dialog. */
export type ReadModalContext = Partial<OverrideModalContext>;

/** `private_metadata` for the override modal (JSON, well under Slack's 3,000 characters). */
export function overrideModalMetadata(context: OverrideModalContext): string {
  return JSON.stringify({ decisionId: context.decisionId, channel: context.channel, messageTs: context.messageTs });
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Reads the override modal's `private_metadata`. A dialog opened before the metadata named its
 * channel carried the bare decision id: that id is read, with no channel.
 */
export function readOverrideModalMetadata(metadata: string): ReadModalContext {
  let json: unknown;
  try {
    json = JSON.parse(metadata);
  } catch {
    json = undefined;
  }
  if (typeof json !== 'object' || json === null) return /^[a-z0-9]{8,64}$/i.test(metadata) ? { decisionId: metadata } : {};
  const fields = json as Record<string, unknown>;
  return { decisionId: text(fields.decisionId), channel: text(fields.channel), messageTs: text(fields.messageTs) };
}

/** The durations the override dialog offers before the rules' bounds are applied, in minutes: 1 h, 4 h, 8 h, 1 d, 3 d, 7 d. */
const OFFERED_OVERRIDE_MINUTES = [60, 4 * 60, 8 * 60, 24 * 60, 3 * 24 * 60, 7 * 24 * 60];

/**
 * The durations the override dialog offers, in minutes, shortest first: the usual ones up to
 * `maxHours`, with `defaultHours` and `maxHours` themselves among them.
 */
export function overrideDurationChoices(bounds: OverrideBounds): number[] {
  const max = bounds.maxHours * 60;
  const choices = new Set([...OFFERED_OVERRIDE_MINUTES.filter((minutes) => minutes <= max), bounds.defaultHours * 60, max]);
  return [...choices].sort((a, b) => a - b);
}

function durationOption(minutes: number, bounds: OverrideBounds): PlainTextOption {
  const isDefault = minutes === bounds.defaultHours * 60;
  // The value is the spelling `decide --for` takes; the submission parses it back.
  return { text: { type: 'plain_text', text: `${describeOverrideDuration(minutes)}${isDefault ? ' (default)' : ''}` }, value: formatOverrideDuration(minutes) };
}

/**
 * The modal `views.open` shows after "Keep detached": one required multi-line reason, and how
 * long the override lasts (up to the rules' `overrides.maxHours`, `defaultHours` chosen). The
 * decision id, channel and message travel in private_metadata; the decision is taken on submission.
 */
export function overrideModal(context: OverrideModalContext, incident: Incident, bounds: OverrideBounds = DEFAULT_OVERRIDE_BOUNDS): ModalView {
  const words = remedyWords(incident);
  const detached = detachedWords(incident);
  const reason: InputBlock = {
    type: 'input',
    block_id: OverrideModal.REASON_BLOCK_ID,
    label: { type: 'plain_text', text: words.keepQuestion },
    hint: { type: 'plain_text', text: 'Recorded in the audit trail with your name.' },
    element: {
      type: 'plain_text_input',
      action_id: OverrideModal.REASON_ACTION_ID,
      multiline: true,
      min_length: 1,
      max_length: MAX_REASON_LENGTH,
      placeholder: { type: 'plain_text', text: 'e.g. planned change CHG-1234, reattach after the migration' },
    },
  };
  const duration: InputBlock = {
    type: 'input',
    block_id: OverrideModal.DURATION_BLOCK_ID,
    label: { type: 'plain_text', text: detached ? 'Keep it detached for' : `${words.keepButton} for` },
    hint: { type: 'plain_text', text: `Then ${detached ? 'the policy' : 'the protection'} is restored in its rule's mode: an approval rule asks again.` },
    element: {
      type: 'static_select',
      action_id: OverrideModal.DURATION_ACTION_ID,
      options: overrideDurationChoices(bounds).map((minutes) => durationOption(minutes, bounds)),
      initial_option: durationOption(bounds.defaultHours * 60, bounds),
    },
  };
  return {
    type: 'modal',
    callback_id: OverrideModal.CALLBACK_ID,
    private_metadata: overrideModalMetadata(context),
    title: { type: 'plain_text', text: clip(words.keepTitle, SlackLimit.MODAL_TITLE) },
    submit: { type: 'plain_text', text: words.keepButton },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [mrkdwnSection(`${summaryLine(incident)}\n${words.cancelled.replace(/\.$/, '')} until the override ends.`), reason, duration],
  };
}

import { UNCONFIRMED } from '../closure';
import { humanDuration, remediationClockStart } from '../duration';
import type { Closure, Incident, TargetRef } from '../incident';
import { Decision, Kind, OnTimeout, Outcome, Priority, Verdict } from '../vocabulary';
import {
  criticalByKind,
  deletedWords,
  attachmentCounts,
  NOT_RESTORED,
  NOT_RESTORED_SHORT,
  openingWords,
  plainWhatHappened,
  policyRefLabel,
  remedyWords,
  restoredWords,
  targetRefLabel,
  wordsKind,
  type Brevity,
  type LabelDetail,
} from './kind-words';

/** The moments people are told about: when an incident opens, asks, and closes. */
export type NoticePhase = 'opened' | 'awaiting-decision' | 'closed';

/** One notification: the incident at one moment of its life. */
export interface Notice {
  phase: NoticePhase;
  incident: Incident;
  /** For awaiting-decision: when the window closes. */
  deadline?: string;
  closure?: Closure;
}

/** "SCP DenyLeaveOrg (p-12345678)", or "SCP p-12345678" without the name. */
export function policyLabel(incident: Incident, detail: LabelDetail = 'names'): string {
  return policyRefLabel(incident.policy, detail);
}

/** "OU Prod", "account prod-app (111111111111)", "the root r-ab12"; ids alone on request. */
export function targetLabel(target: TargetRef, detail: LabelDetail = 'names'): string {
  return targetRefLabel(target, detail);
}

/** The short name of whoever decided: a Slack user id as it is, an IAM ARN's last segment. */
export function shortDecider(by: string | undefined): string {
  if (by === undefined || by === '') return 'an approver';
  return by.startsWith('arn:') ? (by.split(/[/:]/).pop() ?? by) : by;
}

/** "reattach" or "keep detached" (or the kind's own: "move back", "leave it"): what the window's end does. */
export function timeoutAction(incident: Incident): string {
  const words = remedyWords(incident);
  return incident.approval?.onTimeout === OnTimeout.KEEP_DETACHED ? words.keepShort : words.restoreShort;
}

/** A time as a subject line says it: "10:15 UTC" on the day of `reference`, with the date on any other. */
function shortTime(time: string, reference: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return time;
  const iso = date.toISOString();
  const sameDay = reference.slice(0, 10) === iso.slice(0, 10);
  return `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/** When the window closes: "10:15 UTC" the same day, with the date when it is further away. */
function deadlineText(notice: Notice): string {
  if (notice.deadline === undefined) return 'the deadline';
  // The day the reader is in: the detection's, or a replay's (its event may be days old).
  return shortTime(notice.deadline, remediationClockStart(notice.incident));
}

/**
 * A consequence in full, in fewer words (for a subject that must fit), and in the fewest that
 * still say it (`tiny`: the outcome alone, for a subject whose ids are long).
 */
interface Said {
  long: string;
  short: string;
  tiny?: string;
}

const same = (text: string): Said => ({ long: text, short: text });

function closedConsequence(incident: Incident, closure: Closure): Said {
  const words = remedyWords(incident);
  const kind = wordsKind(incident);
  const until = closure.overriddenUntil === undefined ? '' : ` until ${shortTime(closure.overriddenUntil, closure.closedAt)}`;
  const timedOut = closure.decision === Decision.TIMEOUT;
  const after = closure.timeToRemediateSeconds === undefined ? '' : ` after ${humanDuration(closure.timeToRemediateSeconds)}`;
  const why = timedOut ? ' (no decision in time)' : closure.decision === Decision.APPROVE ? ` (approved by ${shortDecider(closure.decidedBy)})` : '';
  const briefWhy = timedOut ? ' (timed out)' : closure.decision === Decision.APPROVE ? ' (approved)' : '';
  switch (closure.outcome) {
    case Outcome.REATTACHED:
      return { long: `reattached${after}${why}`, short: `reattached${after}${briefWhy}`, tiny: 'reattached' };
    case Outcome.ALREADY_ATTACHED:
      return same('already attached again');
    case Outcome.RESTORED: {
      const done = restoredWords(incident, closure);
      return { long: `${done.long}${after}${why}`, short: `${done.short}${after}${briefWhy}`, tiny: done.short };
    }
    case Outcome.OVERRIDDEN:
      return timedOut
        ? { long: `${words.kept} (no decision in time)${until}`, short: `${words.kept} (timed out)${until}`, tiny: words.kept }
        : { long: `${words.kept} (override by ${shortDecider(closure.decidedBy)})${until}`, short: `${words.kept} (override)${until}`, tiny: words.kept };
    case Outcome.FAILED: {
      if (kind === Kind.POLICY_DELETED) return deletedWords(closure.report);
      if (closure.cause?.startsWith(UNCONFIRMED)) return same('attached, NOT CONFIRMED');
      const { restored, failed } = attachmentCounts(closure.actions);
      if (kind === Kind.POLICY_TYPE_DISABLED && restored + failed > 0) return { long: `${words.failed}: ${restored} attachments restored, ${failed} not`, short: `${words.failed} (${failed} not restored)` };
      return same(words.failed);
    }
    case Outcome.OBSERVED:
      if (incident.verdict === Verdict.PROTECTED && kind === Kind.POLICY_CHANGED) return { long: NOT_RESTORED, short: NOT_RESTORED_SHORT };
      if (incident.verdict === Verdict.PROTECTED && kind === Kind.POLICY_DELETED) return deletedWords(closure.report);
      return same('recorded, no change');
    default:
      return same('recorded, no change');
  }
}

function said(notice: Notice): Said {
  const { incident, closure } = notice;
  if (incident.verdict === Verdict.IGNORED_ACTOR) return same('not undone (ignored principal)');
  if (notice.phase === 'opened') return incident.verdict === Verdict.PROTECTED ? openingWords(incident) : same('recorded, no change');
  if (notice.phase === 'awaiting-decision') return { ...same(`approval needed by ${deadlineText(notice)}, else ${timeoutAction(incident)}`), tiny: 'approval needed' };
  return closure === undefined ? same('recorded, no change') : closedConsequence(incident, closure);
}

/** How many words a consequence takes: all (`false`), fewer (`true`), the fewest (`'tiny'`). */
export type Shortness = boolean | 'tiny';

/** What will happen, or what happened, in a few words; `short` in fewer, for a subject that must fit. */
export function consequence(notice: Notice, short: Shortness = false): string {
  const words = said(notice);
  if (short === 'tiny') return words.tiny ?? words.short;
  return short ? words.short : words.long;
}

/** How loudly the notice speaks: critical for a failure or a deleted protected policy, low for an ignored principal's change. */
export function noticePriority(notice: Notice): Priority {
  if (notice.closure?.outcome === Outcome.FAILED || notice.incident.priority === Priority.CRITICAL || criticalByKind(notice.incident)) return Priority.CRITICAL;
  return notice.incident.priority ?? Priority.NORMAL;
}

function prefix(notice: Notice): string {
  const priority = noticePriority(notice);
  if (priority === Priority.CRITICAL) return 'CRITICAL: ';
  if (priority === Priority.LOW) return 'Low priority: ';
  return notice.incident.verdict === Verdict.UNPROTECTED ? 'Unprotected ' : '';
}

/** How a headline is written: names or ids, the what in full or brief, the consequence long or short. */
export interface HeadlineDetail {
  policy: LabelDetail;
  target: LabelDetail;
  /** Leave out of the "what" what the reader can do without (never the policy or the target). */
  brief?: Brevity;
  /** Say the consequence in fewer words (`'tiny'`: the fewest; `'none'`: leave it out). */
  short?: Shortness | 'none';
}

/** One line that says what happened and what will happen, as an email subject would. */
export function headline(notice: Notice, detail: HeadlineDetail = { policy: 'names', target: 'names' }): string {
  const { incident } = notice;
  if (incident.verdict === Verdict.INVALID) return 'Unreadable Organizations event: recorded, no action';
  const start = prefix(notice);
  const what = plainWhatHappened(incident, detail, detail.brief ?? false);
  // "Unprotected account prod-app ... moved", but "CRITICAL: Account ..." and "Unprotected SCP ...".
  const head = start === 'Unprotected ' && what.startsWith('Account ') ? `${start}a${what.slice(1)}` : `${start}${what}`;
  return detail.short === 'none' ? head : `${head}: ${consequence(notice, detail.short ?? false)}`;
}

/** Organizations ids are at most 130 characters (a policy id), and an id cut shorter than this says little. */
const MAX_ID_LENGTH = 130;
const MIN_CUT_ID = 10;

/** `id` in at most `max` characters, its start and end kept around a `~` (printable ASCII, as SNS wants). */
function cutId(id: string | undefined, max: number): string | undefined {
  if (id === undefined || id.length <= max) return id;
  const tail = Math.ceil((max - 1) / 2);
  return `${id.slice(0, max - 1 - tail)}~${id.slice(id.length - tail)}`;
}

/** The incident with every id a headline names cut to `max` characters. */
function withCutIds(incident: Incident, max: number): Incident {
  const cut = (id: string | undefined) => cutId(id, max);
  const { move, disabledType } = incident;
  return {
    ...incident,
    policy: { ...incident.policy, id: cut(incident.policy.id) },
    target: { ...incident.target, id: cut(incident.target.id) },
    ...(move === undefined ? {} : { move: { ...move, accountId: cut(move.accountId) ?? '', sourceParentId: cut(move.sourceParentId) ?? '', destinationParentId: cut(move.destinationParentId) ?? '' } }),
    ...(disabledType === undefined ? {} : { disabledType: { ...disabledType, rootId: cut(disabledType.rootId) ?? '' } }),
  };
}

/**
 * The headline within `max` characters, shortened where it costs least: first the "what" says
 * only what it must, then the policy's name gives way to its id, then the consequence is said more
 * briefly, then the target's name gives way to its id, then the consequence is said in its fewest
 * words, then not at all. The policy and the target stay (DESIGN: a subject never loses them):
 * only ids too long to fit together are cut, each keeping its start and end around a `~`, and the
 * consequence comes back in its fewest words.
 */
export function shortHeadline(notice: Notice, max: number): string {
  const tries: HeadlineDetail[] = [
    { policy: 'names', target: 'names' },
    { policy: 'names', target: 'names', brief: true },
    { policy: 'ids', target: 'names' },
    { policy: 'ids', target: 'names', short: true },
    { policy: 'ids', target: 'names', brief: true },
    { policy: 'ids', target: 'names', brief: true, short: true },
    { policy: 'ids', target: 'names', brief: 'most', short: true },
    { policy: 'ids', target: 'ids' },
    { policy: 'ids', target: 'ids', brief: true },
    { policy: 'ids', target: 'ids', brief: 'most', short: true },
    { policy: 'ids', target: 'ids', brief: 'most', short: 'tiny' },
  ];
  for (const detail of tries) {
    const text = headline(notice, detail);
    if (text.length <= max) return text;
  }
  const ids: HeadlineDetail = { policy: 'ids', target: 'ids', brief: 'most' };
  const bare = headline(notice, { ...ids, short: 'none' });
  if (bare.length <= max) return bare;
  for (let length = MAX_ID_LENGTH; length >= MIN_CUT_ID; length--) {
    const text = headline({ ...notice, incident: withCutIds(notice.incident, length) }, { ...ids, short: 'tiny' });
    if (text.length <= max) return text;
  }
  const last = headline({ ...notice, incident: withCutIds(notice.incident, MIN_CUT_ID) }, { ...ids, short: 'tiny' });
  return `${last.slice(0, max - 1)}~`;
}

import { UNCONFIRMED } from '../closure';
import { humanDuration } from '../duration';
import type { Closure, Incident, TargetRef } from '../incident';
import { Decision, OnTimeout, Outcome, Priority, TargetType, Verdict } from '../vocabulary';

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

const POLICY_KIND: Record<string, string> = {
  SERVICE_CONTROL_POLICY: 'SCP',
  RESOURCE_CONTROL_POLICY: 'RCP',
  TAG_POLICY: 'Tag policy',
  BACKUP_POLICY: 'Backup policy',
  AISERVICES_OPT_OUT_POLICY: 'AI opt-out policy',
  CHATBOT_POLICY: 'Chatbot policy',
  DECLARATIVE_POLICY_EC2: 'Declarative policy',
};

/** How much of the names a label shows: all of it, or the ids alone (for a short subject). */
export type LabelDetail = 'names' | 'ids';

/** "SCP DenyLeaveOrg (p-12345678)", or "SCP p-12345678" without the name. */
export function policyLabel(incident: Incident, detail: LabelDetail = 'names'): string {
  const kind = POLICY_KIND[incident.policy.type ?? ''] ?? 'Policy';
  const id = incident.policy.id ?? '(unknown policy)';
  return incident.policy.name && detail === 'names' ? `${kind} ${incident.policy.name} (${id})` : `${kind} ${id}`;
}

/** "OU Prod", "account prod-app (111111111111)", "the root r-ab12"; ids alone on request. */
export function targetLabel(target: TargetRef, detail: LabelDetail = 'names'): string {
  const id = target.id ?? '(unknown target)';
  const name = detail === 'names' ? target.name : undefined;
  switch (target.type) {
    case TargetType.ROOT:
      return `the root ${id}`;
    case TargetType.ORGANIZATIONAL_UNIT:
      return name ? `OU ${name}` : `OU ${id}`;
    case TargetType.ACCOUNT:
      return name ? `account ${name} (${id})` : `account ${id}`;
    default:
      return id;
  }
}


/** The short name of whoever decided: a Slack user id as it is, an IAM ARN's last segment. */
export function shortDecider(by: string | undefined): string {
  if (by === undefined || by === '') return 'an approver';
  return by.startsWith('arn:') ? (by.split(/[/:]/).pop() ?? by) : by;
}

/** "reattach" or "keep detached": what the window's end does, in two words. */
export function timeoutAction(incident: Incident): string {
  return incident.approval?.onTimeout === OnTimeout.KEEP_DETACHED ? 'keep detached' : 'reattach';
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
  return shortTime(notice.deadline, notice.incident.detectedAt);
}

function closedConsequence(closure: Closure): string {
  const until = closure.overriddenUntil === undefined ? '' : ` until ${shortTime(closure.overriddenUntil, closure.closedAt)}`;
  const timedOut = closure.decision === Decision.TIMEOUT;
  switch (closure.outcome) {
    case Outcome.REATTACHED: {
      const after = closure.timeToRemediateSeconds === undefined ? '' : ` after ${humanDuration(closure.timeToRemediateSeconds)}`;
      const why = timedOut ? ' (no decision in time)' : closure.decision === Decision.APPROVE ? ` (approved by ${shortDecider(closure.decidedBy)})` : '';
      return `reattached${after}${why}`;
    }
    case Outcome.ALREADY_ATTACHED:
      return 'already attached again';
    case Outcome.OVERRIDDEN:
      return timedOut ? `kept detached (no decision in time)${until}` : `kept detached (override by ${shortDecider(closure.decidedBy)})${until}`;
    case Outcome.FAILED:
      return closure.cause?.startsWith(UNCONFIRMED) ? 'attached, NOT CONFIRMED' : 'REATTACH FAILED';
    default:
      return 'recorded, no change';
  }
}

/** What will happen, or what happened, in a few words. */
export function consequence(notice: Notice): string {
  const { incident, closure } = notice;
  if (incident.verdict === Verdict.IGNORED_ACTOR) return 'not undone (ignored principal)';
  if (notice.phase === 'opened') return incident.verdict === Verdict.PROTECTED ? 'reattaching' : 'recorded, no change';
  if (notice.phase === 'awaiting-decision') return `approval needed by ${deadlineText(notice)}, else ${timeoutAction(incident)}`;
  return closure === undefined ? 'recorded, no change' : closedConsequence(closure);
}

/** How loudly the notice speaks: critical for a failure, low for an ignored principal's change. */
export function noticePriority(notice: Notice): Priority {
  if (notice.closure?.outcome === Outcome.FAILED || notice.incident.priority === Priority.CRITICAL) return Priority.CRITICAL;
  return notice.incident.priority ?? Priority.NORMAL;
}

function prefix(notice: Notice): string {
  const priority = noticePriority(notice);
  if (priority === Priority.CRITICAL) return 'CRITICAL: ';
  if (priority === Priority.LOW) return 'Low priority: ';
  return notice.incident.verdict === Verdict.UNPROTECTED ? 'Unprotected ' : '';
}

/** One line that says what happened and what will happen, as an email subject would. */
export function headline(notice: Notice, detail: { policy: LabelDetail; target: LabelDetail } = { policy: 'names', target: 'names' }): string {
  const { incident } = notice;
  if (incident.verdict === Verdict.INVALID) return 'Unreadable Organizations event: recorded, no action';
  return `${prefix(notice)}${policyLabel(incident, detail.policy)} detached from ${targetLabel(incident.target, detail.target)}: ${consequence(notice)}`;
}

/**
 * The headline within `max` characters, shortened where it costs least: first the names give
 * way to ids, then the "what and where" part is cut. The consequence (what will happen) always
 * stays whole, since that is what the reader acts on.
 */
export function shortHeadline(notice: Notice, max: number): string {
  const tries: { policy: LabelDetail; target: LabelDetail }[] = [
    { policy: 'names', target: 'names' },
    { policy: 'ids', target: 'names' },
    { policy: 'ids', target: 'ids' },
  ];
  for (const detail of tries) {
    const text = headline(notice, detail);
    if (text.length <= max) return text;
  }
  const tail = `: ${consequence(notice)}`;
  const head = headline(notice, tries[2]).slice(0, -tail.length);
  const room = max - tail.length - 1;
  if (room < 10) return `${headline(notice, tries[2]).slice(0, max - 1)}~`;
  return `${head.slice(0, room)}~${tail}`;
}

import type { Closure, Incident, TargetRef } from '../incident';
import { Decision, Outcome, TargetType, Verdict } from '../vocabulary';

/** The moments people are told about: when an incident opens, asks, and closes. */
export type NoticePhase = 'opened' | 'awaiting-decision' | 'closed';

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

export function policyLabel(incident: Incident): string {
  const kind = POLICY_KIND[incident.policy.type ?? ''] ?? 'Policy';
  const id = incident.policy.id ?? '(unknown policy)';
  return incident.policy.name ? `${kind} ${incident.policy.name} (${id})` : `${kind} ${id}`;
}

export function targetLabel(target: TargetRef): string {
  const id = target.id ?? '(unknown target)';
  switch (target.type) {
    case TargetType.ROOT:
      return `the root ${id}`;
    case TargetType.ORGANIZATIONAL_UNIT:
      return target.name ? `OU ${target.name}` : `OU ${id}`;
    case TargetType.ACCOUNT:
      return target.name ? `account ${target.name} (${id})` : `account ${id}`;
    default:
      return id;
  }
}

/** A duration as people say it: 1.2 s, 14 min, 3 h, 2 d. */
export function humanDuration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 2 * 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

/** What will happen, or what happened, in a few words. */
export function consequence(notice: Notice): string {
  const { incident, closure } = notice;
  if (notice.phase === 'opened') return incident.verdict === Verdict.PROTECTED ? 'reattaching' : 'recorded, no change';
  if (notice.phase === 'awaiting-decision') {
    const at = notice.deadline ? `${notice.deadline.slice(11, 16)} UTC` : 'the deadline';
    return `approval needed by ${at}`;
  }
  switch (closure?.outcome) {
    case Outcome.REATTACHED:
      return closure.timeToRemediateSeconds === undefined ? 'reattached' : `reattached after ${humanDuration(closure.timeToRemediateSeconds)}`;
    case Outcome.ALREADY_ATTACHED:
      return 'already attached again';
    case Outcome.OVERRIDDEN:
      return closure.decision === Decision.TIMEOUT ? 'kept detached (no decision in time)' : `kept detached by ${closure.decidedBy ?? 'an approver'}`;
    case Outcome.FAILED:
      return 'REATTACH FAILED';
    default:
      return 'recorded, no change';
  }
}

/** One line that says what happened and what will happen, as an email subject would. */
export function headline(notice: Notice): string {
  const { incident } = notice;
  if (incident.verdict === Verdict.INVALID) return 'Unreadable Organizations event: recorded, no action';
  const prefix = notice.closure?.outcome === Outcome.FAILED ? 'CRITICAL: ' : incident.verdict === Verdict.UNPROTECTED ? 'Unprotected ' : '';
  return `${prefix}${policyLabel(incident)} detached from ${targetLabel(incident.target)}: ${consequence(notice)}`;
}

/**
 * The project's vocabulary (a contract: docs/contracts.md, "Vocabulary"). Every other module, the ASL's Choice
 * states included (checked by a test), uses these values and nothing else.
 */

/** What Classify decided about one CloudTrail record. */
export const Verdict = {
  PROTECTED: 'PROTECTED',
  UNPROTECTED: 'UNPROTECTED',
  IGNORED_ACTOR: 'IGNORED_ACTOR',
  FAILED_CALL: 'FAILED_CALL',
  NOT_SCP: 'NOT_SCP',
  INVALID: 'INVALID',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** What weakened a protection (contract: docs). */
export const Kind = {
  DETACHED: 'DETACHED',
  POLICY_TYPE_DISABLED: 'POLICY_TYPE_DISABLED',
  ACCOUNT_MOVED: 'ACCOUNT_MOVED',
  POLICY_CHANGED: 'POLICY_CHANGED',
  POLICY_DELETED: 'POLICY_DELETED',
  FORBIDDEN_ATTACHED: 'FORBIDDEN_ATTACHED',
  DRIFT: 'DRIFT',
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Where an incident came from. */
export const Source = {
  EVENT: 'event',
  SWEEP: 'sweep',
  SELF_TEST: 'self-test',
  CANARY: 'canary',
} as const;
export type Source = (typeof Source)[keyof typeof Source];

/** How a protection rule remediates. */
export const Mode = {
  AUTO: 'auto',
  APPROVAL: 'approval',
} as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Who or what chose the remediation. */
export const Decision = {
  APPROVE: 'APPROVE',
  OVERRIDE: 'OVERRIDE',
  TIMEOUT: 'TIMEOUT',
  AUTO: 'AUTO',
} as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/** The decisions a person can take (the others are taken by the workflow). */
export type HumanDecision = typeof Decision.APPROVE | typeof Decision.OVERRIDE;

/** How an incident ended. DUPLICATE is never stored as an incident of its own. */
export const Outcome = {
  REATTACHED: 'REATTACHED',
  ALREADY_ATTACHED: 'ALREADY_ATTACHED',
  /** Type re-enabled, account moved back, content restored or forbidden policy detached: the incident lists each action. */
  RESTORED: 'RESTORED',
  OVERRIDDEN: 'OVERRIDDEN',
  OBSERVED: 'OBSERVED',
  FAILED: 'FAILED',
  DUPLICATE: 'DUPLICATE',
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/**
 * How loudly an incident is told. Absent means normal. A protected pair detached by an ignored
 * principal is told at low priority; a failure, or a protection that cannot come back, is critical.
 */
export const Priority = {
  LOW: 'low',
  NORMAL: 'normal',
  CRITICAL: 'critical',
} as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

/** What happens when nobody decides within the approval window. */
export const OnTimeout = {
  REATTACH: 'reattach',
  KEEP_DETACHED: 'keep-detached',
} as const;
export type OnTimeout = (typeof OnTimeout)[keyof typeof OnTimeout];

/**
 * Lifecycle of an incident record. The order is the only allowed direction: the audit store
 * refuses any write that would move an incident back.
 */
export const IncidentStatus = {
  OPEN: 'OPEN',
  AWAITING_DECISION: 'AWAITING_DECISION',
  DECIDED: 'DECIDED',
  CLOSED: 'CLOSED',
} as const;
export type IncidentStatus = (typeof IncidentStatus)[keyof typeof IncidentStatus];
export const INCIDENT_STATUS_ORDER: readonly IncidentStatus[] = [
  IncidentStatus.OPEN,
  IncidentStatus.AWAITING_DECISION,
  IncidentStatus.DECIDED,
  IncidentStatus.CLOSED,
];

/** Organizations policy types (the API's names). */
export const PolicyType = {
  SERVICE_CONTROL_POLICY: 'SERVICE_CONTROL_POLICY',
  RESOURCE_CONTROL_POLICY: 'RESOURCE_CONTROL_POLICY',
  TAG_POLICY: 'TAG_POLICY',
  BACKUP_POLICY: 'BACKUP_POLICY',
  AISERVICES_OPT_OUT_POLICY: 'AISERVICES_OPT_OUT_POLICY',
  CHATBOT_POLICY: 'CHATBOT_POLICY',
  DECLARATIVE_POLICY_EC2: 'DECLARATIVE_POLICY_EC2',
} as const;
export type PolicyType = (typeof PolicyType)[keyof typeof PolicyType];

/** Kinds of attachment point, as Organizations names them. */
export const TargetType = {
  ROOT: 'ROOT',
  ORGANIZATIONAL_UNIT: 'ORGANIZATIONAL_UNIT',
  ACCOUNT: 'ACCOUNT',
} as const;
export type TargetType = (typeof TargetType)[keyof typeof TargetType];

/** Steps recorded in an incident's timeline. */
export const TimelineStep = {
  DETECTED: 'detected',
  CLASSIFIED: 'classified',
  DUPLICATE_DELIVERY: 'duplicate-delivery',
  NOTIFIED: 'notified',
  NOTIFICATION_FAILED: 'notification-failed',
  DECISION_REQUESTED: 'decision-requested',
  DECIDED: 'decided',
  DECISION_REFUSED: 'decision-refused',
  TIMED_OUT: 'timed-out',
  REATTACH_ATTEMPT: 'reattach-attempt',
  REATTACHED: 'reattached',
  ALREADY_ATTACHED: 'already-attached',
  OVERRIDDEN: 'overridden',
  FAILED: 'failed',
  CLOSED: 'closed',
} as const;
export type TimelineStep = (typeof TimelineStep)[keyof typeof TimelineStep];

/** Values of a const object, as a tuple type usable by zod enums. */
export function valuesOf<T extends Record<string, string>>(o: T): [T[keyof T], ...T[keyof T][]] {
  return Object.values(o) as [T[keyof T], ...T[keyof T][]];
}

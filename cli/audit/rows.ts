import type { IncidentRecord } from '../../functions/shared/audit/records';

/**
 * One incident as `audit list` prints it (JSON objects, CSV rows): every attribute an auditor asks
 * about, flat, with the same keys on every row (null when not known). Items written before an
 * attribute was stored flat fall back to the incident map kept beside it.
 */
export interface AuditRow {
  incidentId: string;
  detectedAt: string;
  status: string;
  verdict: string;
  /** What weakened protection (null for an event of no known kind). */
  kind: string | null;
  /** For a DRIFT of another kind than a missing pair: that kind. */
  driftOf: string | null;
  /** event, sweep, self-test or canary; incidents recorded before it was kept read as event. */
  source: string;
  reason: string;
  rule: string | null;
  mode: string | null;
  policyId: string | null;
  policyName: string | null;
  policyType: string | null;
  targetId: string | null;
  targetType: string | null;
  targetName: string | null;
  actorType: string | null;
  actorArn: string | null;
  actorIdentityArn: string | null;
  actorSessionIssuerArn: string | null;
  actorAccountId: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  console: boolean | null;
  decision: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
  decidedAt: string | null;
  outcome: string | null;
  cause: string | null;
  reattachedAt: string | null;
  timeToRemediateSeconds: number | null;
  closedAt: string | null;
  executionArn: string | null;
}

/** The column order of CSV exports: the keys of AuditRow. */
export const AUDIT_ROW_KEYS: readonly (keyof AuditRow)[] = [
  'incidentId',
  'detectedAt',
  'status',
  'verdict',
  'kind',
  'driftOf',
  'source',
  'reason',
  'rule',
  'mode',
  'policyId',
  'policyName',
  'policyType',
  'targetId',
  'targetType',
  'targetName',
  'actorType',
  'actorArn',
  'actorIdentityArn',
  'actorSessionIssuerArn',
  'actorAccountId',
  'sourceIp',
  'userAgent',
  'console',
  'decision',
  'decidedBy',
  'decisionReason',
  'decidedAt',
  'outcome',
  'cause',
  'reattachedAt',
  'timeToRemediateSeconds',
  'closedAt',
  'executionArn',
];

const orNull = <T>(...values: (T | undefined)[]): T | null => values.find((value) => value !== undefined) ?? null;

/** The flat view of a stored incident. */
export function toAuditRow(record: IncidentRecord): AuditRow {
  const { actor, policy, target, rule } = record.incident;
  return {
    incidentId: record.incidentId,
    detectedAt: record.detectedAt,
    status: record.status,
    verdict: record.verdict,
    kind: orNull(record.kind, record.incident.kind),
    driftOf: orNull(record.incident.driftOf),
    source: record.source ?? record.incident.source ?? 'event',
    reason: record.reason,
    rule: orNull(record.rule, rule?.explanation),
    mode: orNull(record.mode),
    policyId: orNull(record.policyId, policy.id),
    policyName: orNull(record.policyName, policy.name),
    policyType: orNull(record.policyType, policy.type),
    targetId: orNull(record.targetId, target.id),
    targetType: orNull(record.targetType, target.type),
    targetName: orNull(record.targetName, target.name),
    actorType: orNull(record.actorType, actor.type),
    actorArn: orNull(record.actorArn, actor.principalArn),
    actorIdentityArn: orNull(record.actorIdentityArn, actor.arn),
    actorSessionIssuerArn: orNull(record.actorSessionIssuerArn, actor.sessionIssuerArn),
    actorAccountId: orNull(record.actorAccountId, actor.accountId),
    sourceIp: orNull(record.sourceIp, actor.sourceIp),
    userAgent: orNull(record.userAgent, actor.userAgent),
    console: orNull(record.console, actor.console),
    decision: orNull(record.decision),
    decidedBy: orNull(record.decidedBy),
    decisionReason: orNull(record.decisionReason),
    decidedAt: orNull(record.decidedAt),
    outcome: orNull(record.outcome),
    cause: orNull(record.cause),
    reattachedAt: orNull(record.reattachedAt),
    timeToRemediateSeconds: orNull(record.timeToRemediateSeconds),
    closedAt: orNull(record.closedAt),
    executionArn: orNull(record.executionArn),
  };
}

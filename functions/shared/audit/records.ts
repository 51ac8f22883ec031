import type { Incident, RestoreAction, RestoreReport } from '../incident';
import { IncidentStatus, type Decision, type Outcome, type TimelineStep } from '../vocabulary';

/**
 * The incident item as stored: flat attributes for the indexes, filters and exports, the full
 * incident beside them. Attributes added after the first release are optional, so older items
 * still read; `toAuditRow` (cli/audit/rows.ts) falls back to the incident map for them.
 */
export interface IncidentRecord {
  incidentId: string;
  /** What weakened the protection (absent for an event of no known kind). */
  kind?: Incident['kind'];
  /** Where the incident came from (absent on records written before it was kept: read as "event"). */
  source?: Incident['source'];
  /** The incident this one follows (the pair's last incident ended FAILED). */
  follows?: string;
  status: IncidentStatus;
  verdict: Incident['verdict'];
  reason: string;
  mode?: Incident['mode'];
  detectedAt: string;
  /** The year of `detectedAt`: the key of the byYear index, which lists incidents without a filter. */
  detectedYear?: string;
  policyId?: string;
  policyName?: string;
  policyType?: string;
  targetId?: string;
  targetType?: string;
  targetName?: string;
  /** The principal rules and queries match: the session issuer's ARN, else the caller's ARN. */
  actorArn?: string;
  actorType?: string;
  /** The caller's own ARN (for an assumed role, the session ARN). */
  actorIdentityArn?: string;
  actorSessionIssuerArn?: string;
  actorAccountId?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The call was made with console credentials. */
  console?: boolean;
  /** Position of the matching rule in `protect`. */
  ruleIndex?: number;
  /** Why the rule matched, in one sentence. */
  rule?: string;
  executionArn?: string;
  incident: Incident;
  decisionId?: string;
  decisionDeadline?: string;
  decision?: Decision;
  decidedBy?: string;
  decisionReason?: string;
  decidedAt?: string;
  /**
   * For an override (a person's, or a timeout under onTimeout keep-detached): when it ends and
   * the pair is desired again (ISO 8601). Set with the decision, and again at the close.
   */
  overriddenUntil?: string;
  outcome?: Outcome;
  cause?: string;
  /** A kind other than DETACHED: every write of the restoration, in order (CloseIncident). */
  actions?: RestoreAction[];
  /** POLICY_CHANGED and POLICY_DELETED: the diff, the last known content, the targets it was desired on. */
  report?: RestoreReport;
  reattachedAt?: string;
  closedAt?: string;
  /** Seconds from the detach to the reattachment, for REATTACHED and ALREADY_ATTACHED. */
  timeToRemediateSeconds?: number;
  /** Where the incident's Slack message is, to update it as the incident moves on. */
  slackMessage?: { channel: string; ts: string };
}

/** One step of an incident's timeline. */
export interface TimelineEntry {
  incidentId: string;
  at: string;
  step: TimelineStep;
  detail: Record<string, unknown>;
}

/** DynamoDB refuses a secondary-index partition key over 2048 bytes. */
const MAX_INDEX_KEY_BYTES = 2048;

/**
 * A value DynamoDB accepts as an index key, else undefined. An INVALID event can carry an empty
 * or huge "policyId"; such a value stays in the incident map but must not fail the claim.
 */
export function indexKeyValue(value: string | undefined): string | undefined {
  if (value === undefined || value === '' || Buffer.byteLength(value, 'utf8') > MAX_INDEX_KEY_BYTES) return undefined;
  return value;
}

/** The year bucket of an ISO time, or undefined when the time does not start with a year. */
export function yearOf(isoTime: string): string | undefined {
  return /^\d{4}-/.test(isoTime) ? isoTime.slice(0, 4) : undefined;
}

/** The incident item ClaimIncident writes: status OPEN, every field an auditor filters on, flat. */
export function toIncidentRecord(incident: Incident, executionArn: string): IncidentRecord {
  const { actor, policy, target, rule } = incident;
  return {
    incidentId: incident.incidentId,
    kind: incident.kind,
    source: incident.source,
    follows: incident.follows,
    status: IncidentStatus.OPEN,
    verdict: incident.verdict,
    reason: incident.reason,
    mode: incident.mode,
    detectedAt: incident.detectedAt,
    detectedYear: yearOf(incident.detectedAt),
    policyId: indexKeyValue(policy.id),
    policyName: policy.name,
    policyType: policy.type,
    targetId: indexKeyValue(target.id),
    targetType: target.type,
    targetName: target.name,
    actorArn: indexKeyValue(actor.principalArn),
    actorType: actor.type,
    actorIdentityArn: actor.arn,
    actorSessionIssuerArn: actor.sessionIssuerArn,
    actorAccountId: actor.accountId,
    sourceIp: actor.sourceIp,
    userAgent: actor.userAgent,
    console: actor.console,
    ruleIndex: rule?.index,
    rule: rule?.explanation,
    executionArn,
    incident,
  };
}

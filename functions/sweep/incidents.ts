import type { IncidentQueries } from '../shared/audit/queries';
import type { IncidentRecord } from '../shared/audit/records';
import { RETRIES_EXHAUSTED, UNCONFIRMED } from '../shared/closure';
import { ErrorName } from '../shared/errors';
import { IncidentStatus, Kind, Outcome, Verdict } from '../shared/vocabulary';

/** What the audit trail says about one pair, for the sweep. */
export interface PairIncidents {
  /** The pair's newest incident. */
  latest?: IncidentRecord;
  /** An incident that is not CLOSED and younger than the execution timeout: its execution may still restore the pair. */
  open?: IncidentRecord;
}

/**
 * Whether an incident's execution may still be running, and so restore its pair: not CLOSED, and
 * younger than the execution timeout (an older one that never closed cannot be running any more).
 */
export function isOpen(record: IncidentRecord, now: Date, openForSeconds: number): boolean {
  return record.status !== IncidentStatus.CLOSED && now.getTime() - Date.parse(record.detectedAt) < openForSeconds * 1000;
}

/**
 * The pair's incidents, newest first, by a Query on one index (the planner of `audit list` picks
 * byTarget for a policy and a target, with the policy as a filter: a target sees far fewer
 * incidents than a `"targets": "*"` policy does), never a Scan. Reading stops at the first open
 * incident, or at the first one too old to be open, which is past the execution timeout.
 *
 * The daily canary's and the self-test's incidents count too (`audit list` leaves them out): a
 * canary remediation still running explains its pair's absence like any other.
 */
export async function pairIncidents(queries: IncidentQueries, policyId: string, targetId: string, now: Date, openForSeconds: number): Promise<PairIncidents> {
  const found: PairIncidents = {};
  for await (const record of queries.all({ policyId, targetId, includeSelfTests: true }, now)) {
    found.latest ??= record;
    const young = now.getTime() - Date.parse(record.detectedAt) < openForSeconds * 1000;
    if (!young) break;
    if (record.status !== IncidentStatus.CLOSED) {
      found.open = record;
      break;
    }
  }
  return found;
}

/** How long a pair whose last incident failed for good is left alone before the sweep tries it again. */
export const PERMANENT_FAILURE_BACKOFF_HOURS = 24;

/** What the sweep makes of a pair's latest incident when it ended FAILED. */
export type FailureFollowUp =
  /** A transient failure (retries exhausted), or one of no known cause: a new incident follows it now. */
  | { action: 'follow' }
  /** Its target is gone from the organization: the pair is released (`target-gone`). */
  | { action: 'release' }
  /** A permanent error (access denied, a limit, ...): warned of, and tried again from `retryAfter`. */
  | { action: 'wait'; retryAfter: string };

/** The kinds whose restoration is RestoreProtection's and whose subject is not a missing pair. */
const SUBJECT_KINDS: readonly string[] = [Kind.POLICY_TYPE_DISABLED, Kind.FORBIDDEN_ATTACHED, Kind.ACCOUNT_MOVED];

/**
 * The Organizations errors that no later attempt answers differently until a person acts: the
 * guard may not make the call, or what it names is gone or not available. Anything else in a
 * FAILED cause of a subject kind (a change still in progress, the desired state unreadable, a
 * target's only SCP, an answer naming no parent, ...) is followed up at once.
 */
const PERMANENT_ORGANIZATIONS_ERRORS = [
  'AccessDeniedException',
  'AccessDeniedForDependencyException',
  'AWSOrganizationsNotInUseException',
  'TargetNotFoundException',
  'PolicyNotFoundException',
  'AccountNotFoundException',
  'ParentNotFoundException',
  'SourceParentNotFoundException',
  'DestinationParentNotFoundException',
  'RootNotFoundException',
  'PolicyTypeNotAvailableForOrganizationException',
  'InvalidInputException',
  'UnsupportedAPIEndpointException',
] as const;

/** A ConstraintViolation a person must lift (too many SCPs on a target, ...); the one-SCP minimum is not one: another attachment lifts it. */
const isPermanentConstraint = (cause: string) => /ConstraintViolationException/.test(cause) && !/MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED/.test(cause);

/** What is restored: the kind, or for a sweep-found drift the kind it is a drift of. */
const restoredKind = (record: IncidentRecord): string | undefined => (record.kind === Kind.DRIFT ? record.incident?.driftOf : record.kind);

/**
 * A FAILED incident's cause starts with `retries exhausted` when transient errors outlasted the
 * deadline (closure.ts), with `attached but not confirmed` when AttachPolicy succeeded, else with
 * the permanent error's name (`Organizations.TargetNotFoundException: ...`). Only a permanent
 * error is left alone for a while: retried every sweep it would open a FAILED incident each time.
 *
 * A subject kind's (POLICY_TYPE_DISABLED, FORBIDDEN_ATTACHED, ACCOUNT_MOVED) cause is
 * RestoreProtection's own sentence, which names the Organizations error inside it ("SCPs
 * re-enabled on r-1; 1 of 9 actions failed, the first: DetachPolicy ...: ConstraintViolation..."):
 * such an incident is left alone only when its cause names one of the truly permanent errors
 * above, or a ConstraintViolation other than the one-SCP minimum. Every other cause is followed
 * up at once: SCPs left disabled, or FullAWSAccess left on an allow-list OU, for a day is what
 * the guard exists to prevent.
 */
export function followUpOf(failed: IncidentRecord, now: Date): FailureFollowUp {
  const cause = failed.cause;
  if (cause === undefined || cause.startsWith(RETRIES_EXHAUSTED) || cause.startsWith(UNCONFIRMED)) return { action: 'follow' };
  if (cause.startsWith(ErrorName.ORG_TARGET_NOT_FOUND)) return { action: 'release' };
  if (SUBJECT_KINDS.includes(restoredKind(failed) ?? '')) {
    const permanent = PERMANENT_ORGANIZATIONS_ERRORS.some((name) => cause.includes(name)) || isPermanentConstraint(cause);
    if (!permanent) return { action: 'follow' };
  }
  const closed = Date.parse(failed.closedAt ?? failed.detectedAt);
  const retryAfter = closed + PERMANENT_FAILURE_BACKOFF_HOURS * 3600_000;
  return Number.isFinite(retryAfter) && now.getTime() < retryAfter ? { action: 'wait', retryAfter: new Date(retryAfter).toISOString() } : { action: 'follow' };
}

export const isFailed = (record: IncidentRecord | undefined): record is IncidentRecord => record?.outcome === Outcome.FAILED;

/**
 * The incidents of one subject of another kind than a missing pair (a root's type, an account, a
 * policy, a forbidden pair), newest first: those its event opened (kind POLICY_TYPE_DISABLED, ...)
 * and the sweep's (kind DRIFT, driftOf it), by a Query on the subject's index, each kind a filter.
 */
export async function subjectIncidents(
  queries: IncidentQueries,
  lookup: { policyId?: string; targetId?: string },
  kind: Kind,
  matches: (record: IncidentRecord) => boolean,
  now: Date,
  openForSeconds: number,
): Promise<PairIncidents> {
  const found: IncidentRecord[] = [];
  for (const filterKind of [kind, Kind.DRIFT]) {
    for await (const record of queries.all({ ...lookup, kind: filterKind, includeSelfTests: true }, now)) {
      if (!matches(record)) continue;
      found.push(record);
      if (isOpen(record, now, openForSeconds) || now.getTime() - Date.parse(record.detectedAt) >= openForSeconds * 1000) break;
    }
  }
  found.sort((a, b) => b.detectedAt.localeCompare(a.detectedAt));
  return { latest: found[0], open: found.find((record) => isOpen(record, now, openForSeconds)) };
}

/**
 * What a closed incident of a subject says of the state the organization is in now:
 * - `accepted`: the guard takes it as the desired state from now on. OBSERVED by a protected
 *   verdict (reported, nothing to restore: policyContent.restore false) or an ignored principal's
 *   (the organization's own pipeline); and for content, OVERRIDDEN too (an approver kept it).
 * - `overridden`: kept as is until the override's end, then restored again in the rules' mode.
 * Anything else (RESTORED and weakened again, FAILED, an INVALID or unclassified drift) accepts nothing.
 */
export function acceptanceOf(record: IncidentRecord | undefined, now: Date, options: { overrideAccepts?: boolean } = {}): { accepted: true } | { overriddenUntil: string } | undefined {
  if (record === undefined || record.status !== IncidentStatus.CLOSED) return undefined;
  if (record.outcome === Outcome.OBSERVED && (record.verdict === Verdict.PROTECTED || record.verdict === Verdict.IGNORED_ACTOR)) return { accepted: true };
  if (record.outcome !== Outcome.OVERRIDDEN) return undefined;
  if (options.overrideAccepts === true) return { accepted: true };
  const until = record.overriddenUntil;
  return until !== undefined && Date.parse(until) > now.getTime() ? { overriddenUntil: until } : undefined;
}

import type { SFNClient } from '@aws-sdk/client-sfn';
import type { AuditStore } from '../shared/audit/audit-store';
import type { IncidentQueries } from '../shared/audit/queries';
import type { IncidentRecord } from '../shared/audit/records';
import { driftIncidentId, type DriftDetail } from '../shared/drift';
import { describeError } from '../shared/errors';
import { Kind } from '../shared/vocabulary';
import { SweepErrorName, type ApiCalls } from './calls';
import { acceptanceOf, followUpOf, isFailed, isOpen, subjectIncidents } from './incidents';
import type { KindFinding } from './kinds';
import { DriftStatus, type ExplainedPair, type SweepDrift } from './result';
import { startDrift } from './start-drift';

/** What the sweep made of one finding: what its caller may record of the organization's state. */
export const FindingOutcome = {
  /** A drift was started (or already runs, or a dry run would start one): the desired state keeps what it held. */
  DRIFT: 'drift',
  /** An open incident of the subject explains it, or an override holds, or the guard waits: the desired state keeps what it held. */
  HELD: 'held',
  /** The subject's last incident accepted the organization's state: the caller records it as desired. */
  ACCEPTED: 'accepted',
} as const;
export type FindingOutcome = (typeof FindingOutcome)[keyof typeof FindingOutcome];

export interface FindingContext {
  queries: Pick<IncidentQueries, 'all'>;
  audit: Pick<AuditStore, 'getIncident'>;
  sfn: SFNClient;
  stateMachineArn: string;
  calls: ApiCalls;
  dryRun: boolean;
  now: Date;
  /** The execution timeout in seconds: an incident younger than it that is not CLOSED may still restore. */
  openFor: number;
  maxHops: number;
  drift: SweepDrift[];
  incidents: string[];
  explained: ExplainedPair[];
  warnings: string[];
  errors: string[];
}

/** The content is the same document, spelled alike or not (an event's content and DescribePolicy's may differ in whitespace). */
function sameContent(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/**
 * The rule for a policy's content (contract: docs/contracts.md, "Desired state"): the desired
 * content is the last one the guard accepted, never what an attacker wrote. A changed content is
 * recorded only when the policy's last POLICY_CHANGED incident (its event's or the sweep's) closed
 * OVERRIDDEN (an approver kept it) or OBSERVED by a protected or ignored-principal verdict
 * (reported only, `policyContent.restore` false; or the organization's own pipeline), and named
 * this very content. Until then every sweep compares with the old content, so an open incident
 * explains the change, a FAILED one is followed up, and one that restored it and saw it changed
 * again starts a new one.
 */
function acceptsContent(record: IncidentRecord | undefined, finding: KindFinding, now: Date): boolean {
  if (acceptanceOf(record, now, { overrideAccepts: true }) === undefined) return false;
  const change = record?.incident?.change;
  const current = finding.detail.change;
  return change?.contentHash === current?.contentHash || sameContent(change?.content, current?.content);
}

const isDeadline = (error: unknown) => (error as Error | undefined)?.name === SweepErrorName.DEADLINE_PASSED;

/**
 * One finding: which incident explains it, or whether the guard accepted it, else one drift
 * started under its stable id (`drift-` + hash of DRIFT, the subject, the time it was last seen
 * as desired, the incident it follows, and the kind). "Last seen as desired" is the later of the
 * desired state's entry and the close of the subject's last incident: a weakening after a
 * restoration is a new drift with a new id, two sweeps of one drift share one.
 */
export async function sweepFinding(context: FindingContext, finding: KindFinding): Promise<FindingOutcome> {
  const { now, openFor } = context;
  const subject = { policyId: finding.policyId ?? '', targetId: finding.targetId ?? '', driftOf: finding.driftOf };
  const incidents = await subjectIncidents(context.queries as IncidentQueries, finding.lookup, finding.driftOf, finding.matches, now, openFor);
  if (incidents.open !== undefined) {
    context.explained.push({ ...subject, incidentId: incidents.open.incidentId });
    return FindingOutcome.HELD;
  }
  const latest = incidents.latest;
  if (finding.driftOf === Kind.POLICY_CHANGED) {
    if (acceptsContent(latest, finding, now)) return FindingOutcome.ACCEPTED;
  } else {
    const acceptance = acceptanceOf(latest, now);
    if (acceptance !== undefined && 'accepted' in acceptance) return FindingOutcome.ACCEPTED;
    if (acceptance !== undefined) {
      context.warnings.push(`${finding.subject}: ${finding.reason}; kept so by ${latest?.incidentId}'s override until ${acceptance.overriddenUntil}`);
      return FindingOutcome.HELD;
    }
  }
  // A deleted policy cannot come back under its id: told once, by its incident, then a warning each sweep.
  if (finding.driftOf === Kind.POLICY_DELETED && latest !== undefined) {
    context.warnings.push(`${finding.subject}: ${finding.reason}; reported by ${latest.incidentId} (${latest.outcome ?? latest.status})`);
    return FindingOutcome.HELD;
  }
  let follows: string | undefined;
  if (isFailed(latest)) {
    const followUp = followUpOf(latest, now);
    if (followUp.action === 'wait') {
      context.warnings.push(`${finding.subject}: ${finding.reason}; ${latest.incidentId} failed for good (${latest.cause}), so the sweep tries again from ${followUp.retryAfter}`);
      return FindingOutcome.HELD;
    }
    if (followUp.action === 'release') {
      context.warnings.push(`${finding.subject}: ${finding.reason}; ${latest.incidentId} found its target gone (${latest.cause}): nothing to restore`);
      return FindingOutcome.HELD;
    }
    follows = latest.incidentId;
  }
  const since = [finding.recordedAt, latest?.closedAt ?? ''].sort().at(-1) as string;
  const hashPolicy = finding.policyId ?? finding.detail.disabledType?.policyType;
  let incidentId = driftIncidentId(Kind.DRIFT, hashPolicy, finding.targetId, since, follows, finding.driftOf);
  let hops = 0;
  const hop = () => {
    follows = incidentId;
    incidentId = driftIncidentId(Kind.DRIFT, hashPolicy, finding.targetId, since, follows, finding.driftOf);
    hops++;
  };
  const { content: _content, ...changeSummary } = finding.detail.change ?? { content: undefined };
  for (;;) {
    if (hops > context.maxHops) {
      context.errors.push(`${finding.subject}: ${finding.reason}, and ${context.maxHops} incident ids in a row were taken by incidents that did not restore it (the last ${follows}): no drift started`);
      return FindingOutcome.HELD;
    }
    const existing = await context.audit.getIncident(incidentId);
    if (existing !== undefined) {
      if (isOpen(existing, now, openFor)) {
        context.explained.push({ ...subject, incidentId });
        return FindingOutcome.HELD;
      }
      hop();
      continue;
    }
    const detail: DriftDetail = {
      kind: Kind.DRIFT,
      driftOf: finding.driftOf,
      incidentId,
      ...(finding.policyId === undefined ? {} : { policyId: finding.policyId }),
      ...(finding.targetId === undefined ? {} : { targetId: finding.targetId }),
      reason: finding.reason,
      lastDesiredAt: since,
      ...(follows === undefined ? {} : { follows }),
      ...finding.detail,
    };
    const entry: SweepDrift = {
      kind: Kind.DRIFT,
      ...subject,
      reason: finding.reason,
      incidentId,
      lastDesiredAt: since,
      ...(follows === undefined ? {} : { follows }),
      ...(finding.detail.disabledType === undefined ? {} : { disabledType: finding.detail.disabledType }),
      ...(finding.detail.move === undefined ? {} : { move: finding.detail.move }),
      ...(finding.detail.change === undefined ? {} : { change: changeSummary as NonNullable<SweepDrift['change']> }),
      ...(finding.detail.forbid === undefined ? {} : { forbid: finding.detail.forbid }),
      status: DriftStatus.DRY_RUN,
    };
    if (context.dryRun) {
      context.drift.push(entry);
      return FindingOutcome.DRIFT;
    }
    try {
      entry.status = await startDrift(context.sfn, context.calls, context.stateMachineArn, detail, now);
    } catch (error) {
      if (isDeadline(error)) throw error;
      entry.status = DriftStatus.NOT_STARTED;
      entry.error = describeError(error);
      context.errors.push(`${incidentId}: the workflow was not started: ${entry.error}`);
      context.drift.push(entry);
      return FindingOutcome.DRIFT;
    }
    if (entry.status === DriftStatus.STARTED) {
      context.incidents.push(incidentId);
      context.drift.push(entry);
      return FindingOutcome.DRIFT;
    }
    // ExecutionAlreadyExists: only its record tells whether it is still at work (as for a missing pair).
    const recorded = (await context.audit.getIncident(incidentId)) ?? (await context.audit.getIncident(`unclassified-${incidentId}`));
    if (recorded !== undefined && isOpen(recorded, now, openFor)) {
      context.drift.push(entry);
      return FindingOutcome.DRIFT;
    }
    if (recorded === undefined) context.errors.push(`${incidentId}: its execution exists but recorded no incident: ${finding.subject} was not restored by it; a new incident follows it`);
    hop();
  }
}

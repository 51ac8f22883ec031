import type { AuditStore, TimelineWrite } from '../shared/audit/audit-store';
import type { IncidentRecord } from '../shared/audit/records';
import { closureOf, isRetriesExhausted, isWorkflowDecision, type WorkflowDecision, type WorkflowResult } from '../shared/closure';
import { DEFAULT_OVERRIDE_BOUNDS, type OverrideBounds } from '../shared/decisions/override-duration';
import { DuplicateIncidentError, StatusRegressionError } from '../shared/errors';
import { failedFirstAttemptStep, firstAttemptStep } from '../shared/first-attempt';
import type { Closure, Incident } from '../shared/incident';
import { DesiredReason } from '../shared/desired/desired-state';
import type { DesiredStateStore } from '../shared/desired/desired-store';
import { Decision, IncidentStatus, Kind, OnTimeout, Outcome, TimelineStep, Verdict } from '../shared/vocabulary';

/** The workflow's state when it reaches CloseIncident. */
export interface WorkflowState {
  incident: Incident;
  decision?: WorkflowDecision;
  result: WorkflowResult;
  /** ClaimIncident's error, when the audit store could not take the claim: close claims late. */
  claimError?: { Error?: string; Cause?: string };
}

/** CloseIncident's input: the state, and the execution (which a late claim records). */
export interface CloseInput {
  state: WorkflowState;
  executionArn: string;
}

/** The steps that explain how the incident ended, before the final "closed". */
function closingSteps(state: WorkflowState, executionArn: string, at: string, cause: string | undefined, until: string | undefined): TimelineWrite[] {
  const steps: TimelineWrite[] = [];
  if (state.decision?.decision === Decision.TIMEOUT) {
    steps.push({ step: TimelineStep.TIMED_OUT, at, detail: { onTimeout: state.incident.approval?.onTimeout ?? OnTimeout.REATTACH } });
  }
  if (state.result.outcome === Outcome.OVERRIDDEN) {
    steps.push({ step: TimelineStep.OVERRIDDEN, at, detail: { by: state.decision?.by, reason: state.decision?.reason, decision: state.decision?.decision, until } });
  }
  // The workflow's own first AttachPolicy, if no function after it could record it (first-attempt.ts).
  const { firstAttempt, attach } = state.result.detail ?? {};
  const failedFirst = failedFirstAttemptStep(executionArn, at, firstAttempt);
  if (failedFirst !== undefined) steps.push(failedFirst);
  else if (attach?.firstAttempt === true) steps.push(firstAttemptStep(executionArn, at, { result: attach.result }));
  if (state.result.outcome === Outcome.FAILED) {
    const error = state.result.detail?.error;
    steps.push({ step: TimelineStep.FAILED, at, detail: { error, cause, retriesExhausted: isRetriesExhausted(error) } });
  }
  return steps;
}

/**
 * The claim ClaimIncident could not write, written now that the protection is back: the trail
 * then holds the incident after all. Another execution that claimed it meanwhile owns it.
 */
async function claimLate(state: WorkflowState, executionArn: string, audit: AuditStore): Promise<'claimed' | 'owned by another execution'> {
  try {
    await audit.claimIncident(state.incident, executionArn);
    return 'claimed';
  } catch (error) {
    if (!(error instanceof DuplicateIncidentError)) throw error;
    return 'owned by another execution';
  }
}

/**
 * Records how the incident ended: the outcome, the cause of a failure, the time to remediate,
 * and the decision when the workflow took it (AUTO, TIMEOUT). A retried close returns what the
 * first one recorded. Audit errors are thrown with their names, for the workflow to retry; if
 * they last, the workflow still sends the closing notice, from its own state.
 */
export interface CloseIncidentDependencies {
  audit: AuditStore;
  /** Where an override or an ignored principal's detachment releases the pair (the sweep then leaves it). */
  desired: Pick<DesiredStateStore, 'recordPair'>;
  clock?: () => Date;
  /** The rules' `overrides`: an override that came without an end (a keep-detached timeout) ends `defaultHours` after the close. */
  overrides?: Pick<OverrideBounds, 'defaultHours'>;
}

/** A detached pair (DETACHED, a missing pair found by the sweep, or an incident of an older shape without a kind). */
const releasesPair = (incident: Incident): boolean =>
  incident.kind === undefined || incident.kind === Kind.DETACHED || (incident.kind === Kind.DRIFT && incident.driftOf === undefined);

/**
 * A pair kept detached on purpose is released from the desired state, so the sweep does not put
 * it back: by an override until its end, for good by an ignored principal (the organization's own
 * pipeline). Every other outcome leaves the desired state as the restoration made it.
 */
async function releasePair(state: WorkflowState, closure: Closure, desired: CloseIncidentDependencies['desired']): Promise<void> {
  const { incident } = state;
  // Only a kind whose subject is a desired pair releases one. A FORBIDDEN_ATTACHED names a pair
  // the rules keep off (never a desired one); a move, a content change, a deletion or a disabled
  // type names no pair at all. Kept simple: those release nothing (an overridden move or content
  // is taken in by the sweep from the incident's outcome, not from a pair entry).
  if (!releasesPair(incident)) return;
  const policyId = incident.policy.id;
  const targetId = incident.target.id;
  if (policyId === undefined || targetId === undefined) return;
  if (closure.outcome === Outcome.OVERRIDDEN && incident.verdict === Verdict.PROTECTED) {
    await desired.recordPair({
      policyId,
      targetId,
      desired: false,
      reason: DesiredReason.OVERRIDE,
      at: closure.closedAt,
      ...(closure.overriddenUntil !== undefined ? { until: closure.overriddenUntil } : {}),
      incidentId: incident.incidentId,
      ...(state.decision?.by !== undefined ? { by: state.decision.by } : {}),
    });
  }
  if (incident.verdict === Verdict.IGNORED_ACTOR && (incident.coveredPair === true || incident.rule !== undefined)) {
    await desired.recordPair({
      policyId,
      targetId,
      desired: false,
      reason: DesiredReason.IGNORED_PRINCIPAL,
      at: closure.closedAt,
      incidentId: incident.incidentId,
      ...(incident.actor.principalArn !== undefined ? { by: incident.actor.principalArn } : {}),
    });
  }
}

export async function closeIncident(input: CloseInput, deps: CloseIncidentDependencies): Promise<Closure> {
  const { audit } = deps;
  const clock = deps.clock ?? (() => new Date());
  const overrides = deps.overrides ?? DEFAULT_OVERRIDE_BOUNDS;
  const { state, executionArn } = input;
  const { incident, result } = state;
  const closedAt = clock().toISOString();
  const closure = closureOf(incident, result, state.decision, closedAt, overrides);

  // A redelivery that ran only because its claim failed writes nothing onto the owner's
  // incident (claimIncident recorded the duplicate delivery there) and tells nobody.
  if (state.claimError !== undefined && (await claimLate(state, executionArn, audit)) !== 'claimed') return { ...closure, recorded: true, duplicate: true };
  for (const step of closingSteps(state, executionArn, closedAt, closure.cause, closure.overriddenUntil)) await audit.appendTimeline(incident.incidentId, step);
  await releasePair(state, closure, deps.desired);
  // The restoration's writes and report go onto the incident and into its closing step.
  const restoration: Pick<Closure, 'actions' | 'report'> = {
    ...(closure.actions !== undefined ? { actions: closure.actions } : {}),
    ...(closure.report !== undefined ? { report: closure.report } : {}),
  };
  try {
    const fields: Partial<IncidentRecord> = {
      outcome: result.outcome,
      cause: closure.cause,
      reattachedAt: closure.reattachedAt,
      timeToRemediateSeconds: closure.timeToRemediateSeconds,
      overriddenUntil: closure.overriddenUntil,
      closedAt,
      ...(isWorkflowDecision(state.decision)
        ? { decision: state.decision?.decision, decidedBy: state.decision?.by, decisionReason: state.decision?.reason, decidedAt: state.decision?.at ?? closedAt }
        : {}),
      ...restoration,
    };
    await audit.advance(incident.incidentId, IncidentStatus.CLOSED, fields, {
      step: TimelineStep.CLOSED,
      at: closedAt,
      detail: { outcome: result.outcome, cause: closure.cause, timeToRemediateSeconds: closure.timeToRemediateSeconds, overriddenUntil: closure.overriddenUntil, ...restoration },
    });
  } catch (error) {
    if (!(error instanceof StatusRegressionError)) throw error;
    const recorded = await audit.getIncident(incident.incidentId);
    if (recorded?.status !== IncidentStatus.CLOSED) throw error;
    return {
      recorded: true,
      outcome: recorded.outcome ?? result.outcome,
      decision: recorded.decision,
      decidedBy: recorded.decidedBy,
      decisionReason: recorded.decisionReason,
      cause: recorded.cause,
      reattachedAt: recorded.reattachedAt,
      timeToRemediateSeconds: recorded.timeToRemediateSeconds,
      overriddenUntil: recorded.overriddenUntil,
      ...(recorded.actions !== undefined ? { actions: recorded.actions } : {}),
      ...(recorded.report !== undefined ? { report: recorded.report } : {}),
      closedAt: recorded.closedAt ?? closedAt,
    };
  }
  return { ...closure, recorded: true };
}

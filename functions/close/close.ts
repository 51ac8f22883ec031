import type { AuditStore, TimelineWrite } from '../shared/audit/audit-store';
import { LAMBDA_SERVICE_ERRORS, StatusRegressionError, TRANSIENT_ORGANIZATIONS_ERRORS } from '../shared/errors';
import type { Closure, Incident } from '../shared/incident';
import { Decision, IncidentStatus, OnTimeout, Outcome, TimelineStep } from '../shared/vocabulary';

/** The workflow's state when it reaches CloseIncident. */
export interface CloseInput {
  incident: Incident;
  decision?: { decision: Decision; by: string; reason?: string; at?: string };
  result: {
    outcome: Outcome;
    /** The reattach result, or the failure's error name and cause. */
    detail?: { reattachedAt?: string; error?: string; cause?: string };
  };
}

/** Prefix of the cause when the state machine gave up retrying, so it reads apart from a permanent error. */
export const RETRIES_EXHAUSTED = 'retries exhausted';

/**
 * ReattachPolicy retries these errors; reaching MarkFailed with one means its retrier's last
 * attempt failed too, not that the error was permanent.
 */
export function isRetriesExhausted(error: string | undefined): boolean {
  return error !== undefined && ([...TRANSIENT_ORGANIZATIONS_ERRORS, ...LAMBDA_SERVICE_ERRORS] as readonly string[]).includes(error);
}

function describeFailure(error: string | undefined, cause: string | undefined): string {
  const text = cause ?? 'unknown cause';
  // Step Functions passes a Lambda error's cause as the JSON of {errorType, errorMessage, trace}.
  try {
    const parsed = JSON.parse(text) as { errorMessage?: string };
    if (parsed.errorMessage) return `${error ?? 'Error'}: ${parsed.errorMessage}`;
  } catch {
    // not JSON: use it as it is
  }
  return error === undefined || text.startsWith(error) ? text : `${error}: ${text}`;
}

function causeOf(input: CloseInput): string | undefined {
  if (input.result.outcome !== Outcome.FAILED) return undefined;
  const { error, cause } = input.result.detail ?? {};
  const described = describeFailure(error, cause);
  return isRetriesExhausted(error) ? `${RETRIES_EXHAUSTED}: ${described}` : described;
}

/** The steps that explain how the incident ended, before the final "closed". */
function closingSteps(input: CloseInput, at: string, cause: string | undefined): TimelineWrite[] {
  const steps: TimelineWrite[] = [];
  if (input.decision?.decision === Decision.TIMEOUT) {
    steps.push({ step: TimelineStep.TIMED_OUT, at, detail: { onTimeout: input.incident.approval?.onTimeout ?? OnTimeout.REATTACH } });
  }
  if (input.result.outcome === Outcome.OVERRIDDEN) {
    steps.push({ step: TimelineStep.OVERRIDDEN, at, detail: { by: input.decision?.by, reason: input.decision?.reason, decision: input.decision?.decision } });
  }
  if (input.result.outcome === Outcome.FAILED) {
    const error = input.result.detail?.error;
    steps.push({ step: TimelineStep.FAILED, at, detail: { error, cause, retriesExhausted: isRetriesExhausted(error) } });
  }
  return steps;
}

/**
 * Records how the incident ended: the outcome, the cause of a failure, the time to remediate,
 * and the decision when the workflow took it (AUTO, TIMEOUT). A retried close returns what the
 * first one recorded.
 */
export async function closeIncident(input: CloseInput, audit: AuditStore, clock: () => Date = () => new Date()): Promise<Closure> {
  const closedAt = clock().toISOString();
  const { incident, result } = input;
  const cause = causeOf(input);
  const reattachedAt = result.detail?.reattachedAt;
  const remediated = result.outcome === Outcome.REATTACHED || result.outcome === Outcome.ALREADY_ATTACHED;
  const timeToRemediateSeconds =
    remediated && reattachedAt !== undefined ? Math.max(0, (Date.parse(reattachedAt) - Date.parse(incident.detectedAt)) / 1000) : undefined;
  const workflowDecided = input.decision?.decision === Decision.AUTO || input.decision?.decision === Decision.TIMEOUT;
  const closure: Closure = {
    outcome: result.outcome,
    decision: input.decision?.decision,
    decidedBy: input.decision?.by,
    decisionReason: input.decision?.reason,
    cause,
    reattachedAt,
    timeToRemediateSeconds,
    closedAt,
  };

  for (const step of closingSteps(input, closedAt, cause)) await audit.appendTimeline(incident.incidentId, step);
  try {
    await audit.advance(
      incident.incidentId,
      IncidentStatus.CLOSED,
      {
        outcome: result.outcome,
        cause,
        reattachedAt,
        timeToRemediateSeconds,
        closedAt,
        ...(workflowDecided ? { decision: input.decision?.decision, decidedBy: input.decision?.by, decidedAt: closedAt } : {}),
      },
      { step: TimelineStep.CLOSED, at: closedAt, detail: { outcome: result.outcome, cause, timeToRemediateSeconds } },
    );
  } catch (error) {
    if (!(error instanceof StatusRegressionError)) throw error;
    const recorded = await audit.getIncident(incident.incidentId);
    if (recorded?.status !== IncidentStatus.CLOSED) throw error;
    return {
      outcome: recorded.outcome ?? result.outcome,
      decision: recorded.decision,
      decidedBy: recorded.decidedBy,
      decisionReason: recorded.decisionReason,
      cause: recorded.cause,
      reattachedAt: recorded.reattachedAt,
      timeToRemediateSeconds: recorded.timeToRemediateSeconds,
      closedAt: recorded.closedAt ?? closedAt,
    };
  }
  return closure;
}

import { LAMBDA_SERVICE_ERRORS, TRANSIENT_ORGANIZATIONS_ERRORS, ErrorName } from './errors';
import type { Closure, Incident } from './incident';
import { Decision, Outcome, type Decision as DecisionValue } from './vocabulary';

/** The decision as the workflow state carries it (`$.decision`). */
export interface WorkflowDecision {
  decision: DecisionValue;
  by: string;
  reason?: string;
  at?: string;
}

/** How the remediation ended, as the workflow state carries it (`$.result`). */
export interface WorkflowResult {
  outcome: Outcome;
  /** The confirmation's result, or the failure's error name and cause. */
  detail?: { reattachedAt?: string; error?: string; cause?: string; auditErrors?: string[] };
}

/** Prefix of the cause when the state machine gave up retrying, so it reads apart from a permanent error. */
export const RETRIES_EXHAUSTED = 'retries exhausted';

/** Errors some retrier of the workflow retries: reaching a failure with one means its last attempt failed too. */
const RETRIED_ERRORS: readonly string[] = [
  ...TRANSIENT_ORGANIZATIONS_ERRORS,
  ...LAMBDA_SERVICE_ERRORS,
  ErrorName.LAMBDA_TIMED_OUT,
  ErrorName.STATES_TIMEOUT,
  ErrorName.ATTACHMENT_NOT_CONFIRMED,
];

/** Whether a failure came after the retries of its state ran out, rather than from a permanent error. */
export function isRetriesExhausted(error: string | undefined): boolean {
  return error !== undefined && RETRIED_ERRORS.includes(error);
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

/** Why a FAILED incident failed, in one line; undefined for any other outcome. */
export function failureCause(result: WorkflowResult): string | undefined {
  if (result.outcome !== Outcome.FAILED) return undefined;
  const { error, cause } = result.detail ?? {};
  const described = describeFailure(error, cause);
  return isRetriesExhausted(error) ? `${RETRIES_EXHAUSTED}: ${described}` : described;
}

/** The decisions the workflow takes itself; a person's are recorded when they are taken. */
export const isWorkflowDecision = (decision: WorkflowDecision | undefined): boolean =>
  decision?.decision === Decision.AUTO || decision?.decision === Decision.TIMEOUT;

/**
 * How an incident ended, from the workflow's state alone: CloseIncident records it, and the
 * closing notice tells it even when the audit store could not take it.
 */
export function closureOf(incident: Incident, result: WorkflowResult, decision: WorkflowDecision | undefined, closedAt: string): Closure {
  const reattachedAt = result.detail?.reattachedAt;
  const remediated = result.outcome === Outcome.REATTACHED || result.outcome === Outcome.ALREADY_ATTACHED;
  return {
    outcome: result.outcome,
    decision: decision?.decision,
    decidedBy: decision?.by,
    decisionReason: decision?.reason,
    cause: failureCause(result),
    reattachedAt,
    timeToRemediateSeconds:
      remediated && reattachedAt !== undefined ? Math.max(0, (Date.parse(reattachedAt) - Date.parse(incident.detectedAt)) / 1000) : undefined,
    closedAt,
  };
}

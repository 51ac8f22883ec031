import type { FirstAttemptError } from './remediation-deadline';
import { DEFAULT_OVERRIDE_BOUNDS, overrideEnd, type OverrideBounds } from './decisions/override-duration';
import { remediationClockStart } from './duration';
import { LAMBDA_SERVICE_ERRORS, TRANSIENT_ORGANIZATIONS_ERRORS, ErrorName } from './errors';
import type { Closure, Incident, RestoreAction, RestoreReport } from './incident';
import { Decision, Outcome, type Decision as DecisionValue } from './vocabulary';

/** The decision as the workflow state carries it (`$.decision`). */
export interface WorkflowDecision {
  decision: DecisionValue;
  by: string;
  reason?: string;
  at?: string;
  /** `late`: CheckForLateDecision applied a decision recorded in time that never reached the workflow. */
  via?: string;
  /** For an OVERRIDE: when it ends (ISO 8601), as the person chose it. */
  until?: string;
}

/** How the remediation ended, as the workflow state carries it (`$.result`). */
export interface WorkflowResult {
  outcome: Outcome;
  /** The confirmation's result, or the failure's error name and cause. */
  detail?: {
    reattachedAt?: string;
    error?: string;
    cause?: string;
    auditErrors?: string[];
    /** MarkUnconfirmed: AttachPolicy succeeded, then the confirmation failed (`at` absent after the workflow's own first attempt). */
    attach?: { result: string; at?: string; firstAttempt?: boolean };
    /** MarkFailed, MarkRoundsExhausted: how the workflow's own first AttachPolicy failed, if it did (first-attempt.ts). */
    firstAttempt?: FirstAttemptError;
    /** RestoreProtection (a kind other than DETACHED): when the restoration was done. */
    restoredAt?: string;
    /** RestoreProtection: every write, in order. */
    actions?: RestoreAction[];
    /** RestoreProtection: the diff, the last known content, the targets of a deleted policy. */
    report?: RestoreReport;
  };
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
  ErrorName.REMEDIATION_DEADLINE_PASSED,
];

/** How the cause of a FAILED incident starts when the policy was attached but never confirmed. */
export const UNCONFIRMED = 'attached but not confirmed';

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
  const why = isRetriesExhausted(error) ? `${RETRIES_EXHAUSTED}: ${described}` : described;
  const attach = result.detail?.attach;
  return attach === undefined ? why : `${UNCONFIRMED} (AttachPolicy: ${attach.result}${attach.at === undefined ? '' : ` at ${attach.at}`}); the confirmation failed: ${why}`;
}

/**
 * The decisions CloseIncident records: those the workflow takes itself, and a late one it
 * applied. A person's decision that reached the workflow was recorded when it was taken.
 */
export const isWorkflowDecision = (decision: WorkflowDecision | undefined): boolean =>
  decision?.decision === Decision.AUTO || decision?.decision === Decision.TIMEOUT || decision?.via === 'late';

/**
 * When an OVERRIDDEN incident's override ends. No override is indefinite: a timeout under
 * onTimeout keep-detached (an override by the workflow), and an override that reached the
 * workflow without its end, end `defaultHours` after the close. Undefined for any other outcome,
 * and when the decision is not known.
 */
function overriddenUntil(result: WorkflowResult, decision: WorkflowDecision | undefined, closedAt: string, overrides: Pick<OverrideBounds, 'defaultHours'>): string | undefined {
  if (result.outcome !== Outcome.OVERRIDDEN || decision === undefined) return undefined;
  return decision.until ?? overrideEnd(closedAt, overrides.defaultHours * 60);
}

/**
 * How an incident ended, from the workflow's state alone: CloseIncident records it, and the
 * closing notice tells it even when the audit store could not take it. `overrides` are the
 * rules' (their `defaultHours` ends an override that came without an end).
 */
export function closureOf(
  incident: Incident,
  result: WorkflowResult,
  decision: WorkflowDecision | undefined,
  closedAt: string,
  overrides: Pick<OverrideBounds, 'defaultHours'> = DEFAULT_OVERRIDE_BOUNDS,
): Closure {
  const reattachedAt = result.detail?.reattachedAt;
  const remediated = result.outcome === Outcome.REATTACHED || result.outcome === Outcome.ALREADY_ATTACHED;
  // A restoration of another kind counts its time to remediate from its own end.
  const remediatedAt = remediated ? reattachedAt : result.outcome === Outcome.RESTORED ? result.detail?.restoredAt : undefined;
  const { actions, report } = result.detail ?? {};
  return {
    outcome: result.outcome,
    decision: decision?.decision,
    decidedBy: decision?.by,
    decisionReason: decision?.reason,
    cause: failureCause(result),
    reattachedAt,
    timeToRemediateSeconds: remediatedAt !== undefined ? Math.max(0, (Date.parse(remediatedAt) - Date.parse(remediationClockStart(incident))) / 1000) : undefined,
    overriddenUntil: overriddenUntil(result, decision, closedAt, overrides),
    ...(actions !== undefined ? { actions } : {}),
    ...(report !== undefined ? { report } : {}),
    closedAt,
  };
}

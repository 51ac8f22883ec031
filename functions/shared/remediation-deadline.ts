import { RemediationDeadlinePassedError } from './errors';
import type { Incident } from './incident';
import { Decision } from './vocabulary';

/**
 * The most rounds of retries one execution holds. A STANDARD execution's history is limited to
 * 25,000 events, and a round under a persisting throttle costs up to about 330 of them
 * (statemachine/history-budget.ts): 70 rounds stay inside with the rest of the run.
 */
export const MAX_RETRY_ROUNDS = 70;

/** The pause between two rounds of retries is never shorter than this. */
export const MIN_RETRY_PAUSE_SECONDS = 60;

/**
 * How the rounds of retries fill the remediation deadline: a minute's pause between rounds, or
 * longer where the deadline would hold more than MAX_RETRY_ROUNDS of them (a deadline above 70
 * minutes), so a long deadline is never cut short by the history limit. The workflow waits
 * `retryPauseSeconds` (WaitBeforeRetrying) and stops after `retryRoundLimit` rounds
 * (IsPastTheRoundLimit), for rounds that fail before the function can check the deadline.
 */
export function retryPacing(deadlineMinutes: number): { retryPauseSeconds: number; retryRoundLimit: number } {
  const deadlineSeconds = deadlineMinutes * 60;
  const retryPauseSeconds = Math.max(MIN_RETRY_PAUSE_SECONDS, Math.ceil(deadlineSeconds / MAX_RETRY_ROUNDS));
  return { retryPauseSeconds, retryRoundLimit: Math.ceil(deadlineSeconds / retryPauseSeconds) };
}

/** Where a restoring task is in its rounds of retries (`$.retry`): none yet, or the last transient error. */
export interface RetryRound {
  round: number;
  error?: string;
  cause?: string;
  /**
   * How the workflow's own first AttachPolicy (the direct `aws-sdk:organizations` task) failed,
   * as its Catch put it (empty when it did not): kept through every round (NoteRetryRound copies
   * it), so each reattach attempt, or the close, can record it (first-attempt.ts).
   */
  firstAttempt?: FirstAttemptError;
}

/** The error of the workflow's first AttachPolicy, as its Catch put it (`$.retry.firstAttempt`). */
export interface FirstAttemptError {
  Error?: string;
  Cause?: string;
}

/** What ReattachPolicy and RestoreProtection are called with besides the incident. */
export interface RemediationRequest {
  /** When the execution started. */
  startedAt?: string;
  /** The decision the restoration follows (`$.decision`): an approver's time, or a timeout. */
  decision?: { decision?: string; at?: string };
  retry?: RetryRound;
}

/** The last message of an error's cause, as Step Functions passes a Lambda error's (JSON) or plain. */
export function causeText(cause: string | undefined): string {
  if (cause === undefined) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage !== undefined) return parsed.errorMessage;
  } catch {
    // plain text
  }
  return cause;
}

/**
 * When the restoration began, which the deadline counts from: a person's decision, the end of an
 * approval window nobody answered, else the execution's start (auto mode, a fail-safe decision).
 */
function restorationStart(incident: Pick<Incident, 'approval'>, request: RemediationRequest): number {
  const started = Date.parse(request.startedAt ?? '');
  const decided = Date.parse(request.decision?.at ?? '');
  if (Number.isFinite(decided)) return Math.max(started, decided);
  if (request.decision?.decision === Decision.TIMEOUT && incident.approval !== undefined) return started + incident.approval.timeoutSeconds * 1000;
  return started;
}

/**
 * Epoch milliseconds of the remediation deadline, as checkDeadline counts it; undefined without
 * the execution's start.
 */
export function remediationDeadline(incident: Pick<Incident, 'approval'>, request: RemediationRequest, deadlineSeconds: number): number | undefined {
  if (request.startedAt === undefined) return undefined;
  const start = restorationStart(incident, request);
  return Number.isFinite(start) ? start + deadlineSeconds * 1000 : undefined;
}

/**
 * A new round of retries starts only before the deadline: after it, the incident ends FAILED
 * (the alarm fires) and the sweep tries again. The first round always runs.
 */
export function checkDeadline(incident: Incident, request: RemediationRequest, deadlineSeconds: number, now: string): void {
  const round = request.retry?.round ?? 0;
  if (round === 0 || request.startedAt === undefined) return;
  const deadline = new Date(remediationDeadline(incident, request, deadlineSeconds) ?? Number.NaN).toISOString();
  if (now < deadline) return;
  const last = request.retry?.error === undefined ? '' : `; the last error: ${request.retry.error}: ${causeText(request.retry.cause)}`;
  throw new RemediationDeadlinePassedError(`transient errors lasted past the deadline ${deadline}, after ${round} rounds of retries${last}`);
}

import type { TimelineWrite } from './audit/audit-store';
import { ErrorName, TRANSIENT_ORGANIZATIONS_ERRORS } from './errors';
import { causeText, type FirstAttemptError } from './remediation-deadline';
import { TimelineStep } from './vocabulary';

/*
 * The workflow's own first AttachPolicy (the AttachPolicy state, a direct `aws-sdk:organizations`
 * call) leaves no record itself: its Catch keeps its error in `$.retry.firstAttempt` through
 * every round, and whichever function runs next records it after its own work (reattach,
 * ConfirmAttachment, or CloseIncident as the last resort), under one occurrence per execution,
 * so it is recorded once however many of them do.
 */

export function firstAttemptStep(executionArn: string, at: string, detail: Record<string, unknown>): TimelineWrite {
  return { step: TimelineStep.REATTACH_ATTEMPT, occurrence: `first-attempt#${executionArn}`, at, detail: { executionArn, firstAttempt: true, ...detail } };
}

/**
 * A first attempt that got no answer may have attached the policy itself: its Task timed out,
 * or the call failed on the client's side (an SDK integration names that `<Service>.SdkClientException`).
 */
export function isUnanswered(failed: FirstAttemptError | undefined): boolean {
  const name = failed?.Error ?? '';
  return name === ErrorName.STATES_TIMEOUT || name.endsWith('.SdkClientException');
}

/** The record of a first attempt that failed, or undefined when it did not (an empty `$.retry.firstAttempt`). */
export function failedFirstAttemptStep(executionArn: string, at: string, failed: FirstAttemptError | undefined): TimelineWrite | undefined {
  if (failed?.Error === undefined) return undefined;
  const unanswered = isUnanswered(failed);
  return firstAttemptStep(executionArn, at, {
    result: 'error',
    error: failed.Error,
    message: causeText(failed.Cause),
    transient: unanswered || (TRANSIENT_ORGANIZATIONS_ERRORS as readonly string[]).includes(failed.Error),
    ...(unanswered ? { unanswered: true } : {}),
  });
}

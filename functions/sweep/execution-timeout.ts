import type { ProtectionRules } from '../shared/rules/protection-rules';

/**
 * What the workflow may spend besides the approval window: classification, the restore's
 * retries (each attempt bounded by its function's timeout), closing and notifying. A test
 * checks that the ASL's worst case (every retrier used up, every attempt at its timeout) fits.
 */
export const REMEDIATION_ALLOWANCE_SECONDS = 3 * 60 * 60;

/** The rules the execution timeout depends on: the approval window and the remediation deadline. */
export type ExecutionTimeoutRules = Pick<ProtectionRules, 'approval'> & { remediation: Pick<ProtectionRules['remediation'], 'deadlineMinutes'> };

/**
 * The workflow's execution timeout (the state machine's TimeoutSeconds, which
 * statemachine/definition.ts sets from this): the rules' approval window, plus the remediation
 * deadline (retrying transient errors until then), plus the allowance for everything around
 * them. The sweep holds an incident younger than this as possibly still running. It lives here,
 * not beside the ASL, because Lambda code imports nothing outside functions/.
 */
export function executionTimeoutSeconds(rules: ExecutionTimeoutRules): number {
  return rules.approval.timeoutMinutes * 60 + rules.remediation.deadlineMinutes * 60 + REMEDIATION_ALLOWANCE_SECONDS;
}

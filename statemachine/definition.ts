import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProtectionRules } from '../functions/shared/rules/protection-rules';
import { ASL_FILE } from '../functions/shared/workflow-functions';

/**
 * The workflow definition as the CDK deploys it and the local runner executes it: the ASL file,
 * with its top-level TimeoutSeconds set from the rules. Without one, a stuck execution would
 * never time out and the ExecutionsTimedOut alarm could never fire.
 */

/**
 * What the workflow may spend besides the approval window: classification, the restore's
 * retries (each attempt bounded by its function's timeout), closing and notifying. A test
 * checks that the ASL's worst case (every retrier used up, every attempt at its timeout) fits.
 */
export const REMEDIATION_ALLOWANCE_SECONDS = 3 * 60 * 60;

/** The rules a definition depends on: the approval window and the remediation deadline. */
/** What the definition depends on: the approval window and the remediation deadline. */
export type DefinitionRules = Pick<ProtectionRules, 'approval'> & { remediation: Pick<ProtectionRules['remediation'], 'deadlineMinutes'> };

/**
 * The execution's timeout: the rules' approval window, plus the remediation deadline (retrying
 * transient errors until then), plus the allowance for everything around them.
 */
export function executionTimeoutSeconds(rules: DefinitionRules): number {
  return rules.approval.timeoutMinutes * 60 + rules.remediation.deadlineMinutes * 60 + REMEDIATION_ALLOWANCE_SECONDS;
}

/** The ASL text (placeholders unfilled), with the execution timeout the rules give, if any. */
export function definitionText(root: string, rules?: DefinitionRules): string {
  const text = readFileSync(join(root, ASL_FILE), 'utf8');
  if (rules === undefined) return text;
  const definition = JSON.parse(text) as Record<string, unknown>;
  return `${JSON.stringify({ ...definition, TimeoutSeconds: executionTimeoutSeconds(rules) }, null, 2)}\n`;
}

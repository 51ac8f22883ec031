import type { ProtectionRules } from './protection-rules';

/**
 * The rules as the CDK compiled them into a Lambda bundle: already validated and normalised by
 * `parseProtectionRules` at synth time, so reading them needs no schema library (zod alone
 * would be most of every bundle). The shape check here guards against a bundle built some
 * other way.
 */
export function parseCompiledRules(text: string | undefined): ProtectionRules {
  if (text === undefined || text === '') throw new Error('the protection rules were not compiled into this bundle (SCP_GUARDIAN_RULES)');
  const rules = JSON.parse(text) as Partial<ProtectionRules> | null;
  const complete =
    rules !== null &&
    typeof rules === 'object' &&
    Array.isArray(rules.protect) &&
    Array.isArray(rules.policyTypes) &&
    Array.isArray(rules.ignorePrincipals) &&
    typeof rules.approval === 'object' &&
    Array.isArray(rules.approval?.approvers) &&
    typeof rules.notify === 'object' &&
    typeof rules.overrides?.defaultHours === 'number' &&
    typeof rules.sweep?.everyMinutes === 'number' &&
    typeof rules.remediation?.deadlineMinutes === 'number' &&
    Array.isArray(rules.forbid) &&
    typeof rules.accountMoves?.mode === 'string' &&
    typeof rules.policyContent?.mode === 'string' &&
    typeof rules.policyTypeDisabled?.mode === 'string' &&
    (rules.canary === undefined || (typeof rules.canary?.policyId === 'string' && typeof rules.canary.targetId === 'string'));
  if (!complete) throw new Error('SCP_GUARDIAN_RULES is not the normalised output of parseProtectionRules (protect, policyTypes, ignorePrincipals, approval, notify, canary, overrides, sweep, remediation, forbid, accountMoves, policyContent, policyTypeDisabled)');
  return rules as ProtectionRules;
}

import { listOr } from './describe';
import { ruleWarnings } from '../../config/load';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { PolicyType } from '../../functions/shared/vocabulary';

/**
 * What is valid but probably not what the file's author meant, one line each: the rules check's
 * own warnings (a rule that repeats another, which `cdk synth` shows too), then what a reviewer
 * would ask about. These are `config check`'s alone: a deployment may mean them.
 */
export function reviewWarnings(rules: ProtectionRules): string[] {
  const warnings = [...ruleWarnings(rules)];
  if (rules.protect.length === 0) {
    const canary = rules.canary === undefined ? '' : ' (only the canary pair is kept)';
    warnings.push(`protect is empty: no rule keeps a policy attached${canary}, so every detachment is only recorded`);
  }
  if (!(rules.policyTypes as readonly string[]).includes(PolicyType.SERVICE_CONTROL_POLICY)) {
    warnings.push(
      `policyTypes lists ${listOr(rules.policyTypes)} but not ${PolicyType.SERVICE_CONTROL_POLICY}: no SCP is protected; a detached SCP is recorded as NOT_SCP and left detached`,
    );
  }
  if (rules.notify.emails.length === 0) {
    const reach =
      rules.notify.slackChannel === undefined
        ? 'and with no notify.slackChannel nobody is told'
        : `so notices reach Slack channel ${rules.notify.slackChannel} only`;
    warnings.push(`notify.emails is empty: the rules subscribe no email address to the SNS topic, ${reach} (unless someone subscribes to the topic outside the rules)`);
  }
  return warnings;
}

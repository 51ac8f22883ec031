import { isTargetRule, type ProtectionRules } from './schema';

/** What a rules file protects, rule by rule, in plain words (for `config check` and reviews). */
export function describeRules(rules: ProtectionRules): string[] {
  const lines: string[] = [];
  const window = `${rules.approval.timeoutMinutes} min, then ${rules.approval.onTimeout === 'reattach' ? 'reattach' : 'keep detached'}`;
  const how = (mode: string) => (mode === 'auto' ? 'reattached at once' : `reattached after an approver agrees (window ${window})`);
  rules.protect.forEach((rule, index) => {
    const what = isTargetRule(rule)
      ? rule.policies === '*'
        ? `every ${rules.policyTypes.join('/')} attached to ${rule.targetId}`
        : `${rule.policies.join(', ')} on ${rule.targetId}`
      : rule.targets === '*'
        ? `${rule.policyId} wherever it is attached`
        : `${rule.policyId} on ${rule.targets.join(', ')}`;
    lines.push(`protect[${index}]: ${what} is ${how(rule.mode)}${rule.description ? ` (${rule.description})` : ''}`);
  });
  if (rules.protect.length === 0) lines.push('protect: nothing is protected; every detachment is only recorded');
  lines.push(`policy types: ${rules.policyTypes.join(', ')}; other types are recorded as NOT_SCP`);
  lines.push(
    rules.ignorePrincipals.length === 0
      ? 'ignored principals: none'
      : `ignored principals (exact ARNs only): ${rules.ignorePrincipals.join(', ')}`,
  );
  lines.push(
    rules.approval.approvers.length === 0
      ? 'approvers: none in Slack; approval-mode incidents can be decided with `scp-guardian decide` or time out'
      : `approvers (Slack user ids): ${rules.approval.approvers.join(', ')}`,
  );
  lines.push(`notify: email via SNS${rules.notify.emails.length > 0 ? ` to ${rules.notify.emails.join(', ')}` : ''}${rules.notify.slackChannel ? `, Slack channel ${rules.notify.slackChannel}` : ''}; unprotected detachments ${rules.notify.unprotected ? 'are' : 'are not'} notified`);
  return lines;
}

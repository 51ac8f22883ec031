import { CANARY_DEADLINE_MINUTES } from '../canary';
import { Mode, OnTimeout } from '../vocabulary';
import { findProtectionRule } from './match';
import { findOverlaps, OverlapKind } from './overlaps';
import { isTargetRule } from './rule-kind';
import type { ProtectRule, ProtectionRules } from './schema';

const list = (ids: readonly string[]) => (ids.length === 1 ? ids[0] : `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1]}`);

function what(rule: ProtectRule, policyTypes: readonly string[]): string {
  if (isTargetRule(rule)) {
    const policies = rule.policies === '*' ? `every ${list(policyTypes)}` : list(rule.policies);
    return `${policies} detached from ${rule.targetId} itself (not from what is inside it)`;
  }
  return rule.targets === '*' ? `${rule.policyId} detached from any root, OU or account` : `${rule.policyId} detached from ${list(rule.targets)}`;
}

/** What a mode does, in the words of the change it undoes ("reattached", "moved back", ...). */
function how(mode: Mode, rules: ProtectionRules, done = 'reattached', kept = 'left detached'): string {
  if (mode === Mode.AUTO) return `${done} at once`;
  const afterWindow = rules.approval.onTimeout === OnTimeout.REATTACH ? done : kept;
  return `${done} once an approver agrees; with no decision within ${rules.approval.timeoutMinutes} min, ${afterWindow}`;
}

/** The doors other than a detachment (DESIGN.md, "Vocabulary"), each with what the guard does. */
function otherKindLines(rules: ProtectionRules): string[] {
  const types = list(rules.policyTypes);
  const content = rules.policyContent.restore
    ? `${how(rules.policyContent.mode, rules, 'restored to its last known content', 'left as changed')}, with a diff of the statements`
    : 'reported with a diff of the statements, not restored (policyContent.restore is false)';
  const lines = [
    `${types} disabled on the root (DisablePolicyType): ${how(rules.policyTypeDisabled.mode, rules, 're-enabled and every protected attachment restored', 'left disabled')}`,
    `an account moved out from under a protected attachment (MoveAccount): ${how(rules.accountMoves.mode, rules, 'moved back', 'left where it was moved')}`,
    `a protected policy rewritten (UpdatePolicy): ${content}`,
    'a protected policy deleted (DeletePolicy): a critical notice with its last known content and every target it was on (it cannot return under its id)',
  ];
  rules.forbid.forEach((rule, index) => {
    lines.push(`forbid[${index}]: ${rule.policyId} attached to ${list(rule.targets)}: ${how(rule.mode, rules, 'detached', 'left attached')}.${rule.description ? ` "${rule.description}"` : ''}`);
  });
  return lines;
}

/**
 * What a rules file protects, rule by rule, in plain words (for `config check` and reviews),
 * with a line wherever precedence decides between two rules that disagree.
 */
export function describeRules(rules: ProtectionRules): string[] {
  const precedence = findOverlaps(rules.protect).filter((overlap) => overlap.kind === OverlapKind.PRECEDENCE);
  const lines: string[] = [];
  rules.protect.forEach((rule, index) => {
    lines.push(`protect[${index}]: ${what(rule, rules.policyTypes)}: ${how(rule.mode, rules)}.${rule.description ? ` "${rule.description}"` : ''}`);
    for (const overlap of precedence.filter((o) => Math.max(o.winner, o.loser) === index)) lines.push(`  precedence: ${overlap.message}`);
  });
  if (rules.protect.length === 0) lines.push('protect: nothing is protected; every detachment is only recorded');
  lines.push(...otherKindLines(rules));
  lines.push(`policy types: ${rules.policyTypes.join(', ')}; a detached policy of another type is recorded as NOT_SCP and left detached`);
  lines.push(
    rules.ignorePrincipals.length === 0
      ? 'ignored principals: none'
      : `ignored principals (the exact ARN, nothing that merely starts the same): ${rules.ignorePrincipals.join(', ')}`,
  );
  lines.push(approversLine(rules));
  const email = rules.notify.emails.length > 0 ? ` to ${rules.notify.emails.join(', ')}` : '';
  const slack = rules.notify.slackChannel ? `, Slack channel ${rules.notify.slackChannel}` : '';
  lines.push(
    `notify: email via SNS${email}${slack}; unprotected detachments ${rules.notify.unprotected ? 'are' : 'are not'} notified; ` +
      `a protected pair detached by an ignored principal ${rules.notify.ignored ? 'is told at low priority' : 'is not told'}`,
  );
  lines.push(...canaryLines(rules));
  return lines;
}

/**
 * The canary pair is always protected in auto mode, whatever `protect` says: a rule that named
 * it in approval mode would otherwise have the daily canary wait on a person.
 */
function canaryLines(rules: ProtectionRules): string[] {
  const { canary } = rules;
  if (canary === undefined) return [];
  const lines = [
    `canary: ${canary.policyId} detached from ${canary.targetId} daily by the canary function and reattached at once (auto), whatever protect says; ` +
      `its routine notices go to no inbox; not back within ${CANARY_DEADLINE_MINUTES} min raises CanaryMissing; the OU must hold no account (checked before each detachment)`,
  ];
  const rule = findProtectionRule(rules, canary.policyId, canary.targetId);
  if (rule !== undefined && rule.mode !== Mode.AUTO) {
    lines.push(`  canary: protect[${rule.index}] ("${rule.mode}") matches ${canary.policyId} on ${canary.targetId}, but does not apply there: the canary pair is always auto`);
  }
  return lines;
}

/** A T… id is one workspace; an E… id an Enterprise Grid organization. */
const workspace = (teamId: string) => (teamId.startsWith('E') ? `Enterprise Grid organization ${teamId}` : `workspace ${teamId}`);

/** Who may decide in Slack: user ids valid in one workspace, through one app, in one channel. */
function approversLine(rules: ProtectionRules): string {
  const { approvers } = rules.approval;
  const { slackChannel, slackTeamId, slackAppId } = rules.notify;
  if (approvers.length === 0) return 'approvers: none in Slack; approval-mode incidents can be decided with `scp-guardian decide` or time out';
  if (slackChannel === undefined || slackTeamId === undefined || slackAppId === undefined) {
    return `approvers (Slack user ids): ${approvers.join(', ')}; no notify.slackChannel, so every Slack click is refused: decide with \`scp-guardian decide\``;
  }
  return `approvers (Slack user ids of ${workspace(slackTeamId)}): ${approvers.join(', ')}; decisions only from Slack app ${slackAppId} in channel ${slackChannel}`;
}

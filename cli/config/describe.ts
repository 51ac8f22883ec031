import { CANARY_DEADLINE_MINUTES } from '../../functions/shared/canary';
import { Kind, Mode, OnTimeout } from '../../functions/shared/vocabulary';
import { findProtectionRule } from '../../functions/shared/rules/match';
import { findOverlaps, OverlapKind } from '../../config/overlaps';
import { isTargetRule } from '../../functions/shared/rules/rule-kind';
import type { ProtectRule, ProtectionRules } from '../../functions/shared/rules/protection-rules';

/** "A or B", "A, B or C": ids as a sentence lists them. */
export const listOr = (ids: readonly string[]): string => (ids.length === 1 ? ids[0] : `${ids.slice(0, -1).join(', ')} or ${ids[ids.length - 1]}`);

function what(rule: ProtectRule, policyTypes: readonly string[]): string {
  if (isTargetRule(rule)) {
    const policies = rule.policies === '*' ? `every ${listOr(policyTypes)}` : listOr(rule.policies);
    return `${policies} detached from ${rule.targetId} itself (not from what is inside it)`;
  }
  return rule.targets === '*' ? `${rule.policyId} detached from any root, OU or account` : `${rule.policyId} detached from ${listOr(rule.targets)}`;
}

/** What undoing a kind of change is called, and what leaving it as it is is called. */
export interface RemedyWords {
  done: string;
  kept: string;
}

/** The words `config check` (and `explain`) use for undoing each kind of change a mode governs. */
export const REMEDY_WORDS = {
  [Kind.DETACHED]: { done: 'reattached', kept: 'left detached' },
  [Kind.POLICY_TYPE_DISABLED]: { done: 're-enabled and every protected attachment restored', kept: 'left disabled' },
  [Kind.ACCOUNT_MOVED]: { done: 'moved back', kept: 'left where it was moved' },
  [Kind.POLICY_CHANGED]: { done: 'restored to its last known content', kept: 'left as changed' },
  [Kind.FORBIDDEN_ATTACHED]: { done: 'detached', kept: 'left attached' },
} as const satisfies Partial<Record<Kind, RemedyWords>>;

/** What a policy rewritten without policyContent.restore gets. */
export const CONTENT_REPORTED = 'reported with a diff of the statements, not restored (policyContent.restore is false)';

/** What a deleted protected policy gets: nothing can bring it back. */
export const DELETION_NOTICE = 'a critical notice with its last known content and every target it was on (it cannot return under its id)';

/** What a mode does, in the words of the change it undoes ("reattached at once", "moved back once an approver agrees; …"). */
export function remedyText(mode: Mode, rules: Pick<ProtectionRules, 'approval'>, words: RemedyWords = REMEDY_WORDS[Kind.DETACHED]): string {
  if (mode === Mode.AUTO) return `${words.done} at once`;
  const afterWindow = rules.approval.onTimeout === OnTimeout.REATTACH ? words.done : words.kept;
  return `${words.done} once an approver agrees; with no decision within ${rules.approval.timeoutMinutes} min, ${afterWindow}`;
}

/** The doors other than a detachment (docs/contracts.md, "Vocabulary"), each with what the guard does. */
function otherKindLines(rules: ProtectionRules): string[] {
  const types = listOr(rules.policyTypes);
  const content = rules.policyContent.restore
    ? `${remedyText(rules.policyContent.mode, rules, REMEDY_WORDS[Kind.POLICY_CHANGED])}, with a diff of the statements`
    : CONTENT_REPORTED;
  const lines = [
    `${types} disabled on the root (DisablePolicyType): ${remedyText(rules.policyTypeDisabled.mode, rules, REMEDY_WORDS[Kind.POLICY_TYPE_DISABLED])}`,
    `an account moved out from under a protected attachment (MoveAccount): ${remedyText(rules.accountMoves.mode, rules, REMEDY_WORDS[Kind.ACCOUNT_MOVED])}`,
    `a protected policy rewritten (UpdatePolicy): ${content}`,
    `a protected policy deleted (DeletePolicy): ${DELETION_NOTICE}`,
  ];
  rules.forbid.forEach((rule, index) => {
    lines.push(`forbid[${index}]: ${rule.policyId} attached to ${listOr(rule.targets)}: ${remedyText(rule.mode, rules, REMEDY_WORDS[Kind.FORBIDDEN_ATTACHED])}.${rule.description ? ` "${rule.description}"` : ''}`);
  });
  return lines;
}

/** Who the notices reach: email only when the rules subscribe an address to the SNS topic. */
function deliveryWords({ emails, slackChannel }: ProtectionRules['notify']): string {
  const slack = slackChannel ? `Slack channel ${slackChannel}` : undefined;
  if (emails.length > 0) return `email via SNS to ${emails.join(', ')}${slack === undefined ? '' : `, ${slack}`}`;
  const noEmail = 'no email (notify.emails is empty: the rules subscribe no address to the SNS topic)';
  return slack === undefined ? `nobody: no Slack channel and ${noEmail}` : `${slack} only; ${noEmail}`;
}

/**
 * What a rules file protects, rule by rule, in plain words (for `config check` and reviews),
 * with a line wherever precedence decides between two rules that disagree.
 */
export function describeRules(rules: ProtectionRules): string[] {
  const precedence = findOverlaps(rules.protect).filter((overlap) => overlap.kind === OverlapKind.PRECEDENCE);
  const lines: string[] = [];
  rules.protect.forEach((rule, index) => {
    lines.push(`protect[${index}]: ${what(rule, rules.policyTypes)}: ${remedyText(rule.mode, rules)}.${rule.description ? ` "${rule.description}"` : ''}`);
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
  lines.push(
    `notify: ${deliveryWords(rules.notify)}; unprotected detachments ${rules.notify.unprotected ? 'are' : 'are not'} notified; ` +
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

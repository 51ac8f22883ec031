import { isCanaryPair } from '../../functions/shared/canary';
import { IdFormat, isPolicyId, TARGET_ID_TEXT, targetKindOf, type TargetKind } from '../../functions/shared/rules/id-formats';
import { findForbidRule, findProtectionRule, rulesCovering, rulesNamingPolicy, rulesNamingTarget, whyOutranked } from '../../functions/shared/rules/match';
import { SPECIFICITY_WORDS } from '../../config/overlaps';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { PolicyType, type Mode } from '../../functions/shared/vocabulary';
import type { Specificity } from '../../functions/shared/rules/match';
import { explainChanges, type ChangeExplanation } from './changes';

/** An id that is not a policy or target id: the command's arguments are wrong. */
export class ExplainArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExplainArgumentError';
  }
}

/** A protect rule as explain names it. */
export interface RuleRef {
  /** "protect[1]". */
  rule: string;
  index: number;
  specificity: Specificity;
  /** The precedence in words ("names the policy and the target"). */
  precedence: string;
  mode: Mode;
  description?: string;
}

/** Which rule decides for a (policy, target) pair, and what the guard does for each kind of change of it. */
export interface Explanation {
  policyId: string;
  targetId: string;
  targetType: TargetKind;
  /** The rules file, as the command was given it. */
  rulesFile: string;
  /** What explain takes for granted: it reads the rules, not the organization. */
  assumes: string;
  /** The rules that name the policy, and those that name the target, anywhere ("protect[0]", "forbid[0]", "canary"). */
  named: { policy: string[]; target: string[] };
  /** The protect rule that decides for the pair, with the sentence incidents give as their reason. */
  decidedBy?: RuleRef & { explanation: string };
  /** The other protect rules that cover the pair, each with why it does not decide. */
  outranks: (RuleRef & { why: string })[];
  /** The pair is the canary pair: always protected, in auto mode. */
  canary: boolean;
  /** The forbid rule that keeps the policy off the target. */
  forbiddenBy?: { rule: string; index: number; mode: Mode; description?: string };
  changes: ChangeExplanation[];
  notes: string[];
}

function ruleRef(rules: ProtectionRules, index: number, specificity: Specificity): RuleRef {
  const rule = rules.protect[index];
  return {
    rule: `protect[${index}]`,
    index,
    specificity,
    precedence: SPECIFICITY_WORDS[specificity],
    mode: rule.mode,
    ...(rule.description === undefined ? {} : { description: rule.description }),
  };
}

function named(rules: ProtectionRules, policyId: string, targetId: string): Explanation['named'] {
  const protect = (indexes: number[]) => indexes.map((index) => `protect[${index}]`);
  const forbid = (matches: (rule: ProtectionRules['forbid'][number]) => boolean) => rules.forbid.flatMap((rule, index) => (matches(rule) ? [`forbid[${index}]`] : []));
  return {
    policy: [...protect(rulesNamingPolicy(rules, policyId)), ...forbid((rule) => rule.policyId === policyId), ...(rules.canary?.policyId === policyId ? ['canary'] : [])],
    target: [...protect(rulesNamingTarget(rules, targetId)), ...forbid((rule) => rule.targets.includes(targetId)), ...(rules.canary?.targetId === targetId ? ['canary'] : [])],
  };
}

function notes(rules: ProtectionRules, isCovered: boolean): string[] {
  const lines: string[] = [];
  if (isCovered) {
    lines.push('The guard keeps the pair once it has seen it attached (by a sweep, or by its own reattachment): a covered pair never seen attached is a "declared, not attached" warning in reconcile and doctor, never attached by the guard.');
  }
  if (rules.ignorePrincipals.length > 0) {
    const told = rules.notify.ignored ? 'told at low priority' : 'not told (notify.ignored is false)';
    lines.push(`A change by an ignored principal (${rules.ignorePrincipals.join(', ')}) is never undone; where it weakens a protection it is ${told}.`);
  }
  lines.push(`A change the events miss is found by the next sweep (every ${rules.sweep.everyMinutes} min) as a DRIFT of its kind, and handled as above.`);
  return lines;
}

/**
 * Which rule decides for `policyId` on `targetId`, which rules it outranks and why (the rules
 * engine's own precedence: match.ts), and what the guard does for each kind of change of the pair
 * (Classify's own verdicts: changes.ts). Reads the rules alone. Throws ExplainArgumentError for ids
 * that are not a policy id and a root, OU or account id.
 */
export function explainPair(rules: ProtectionRules, policyId: string, targetId: string, rulesFile: string): Explanation {
  if (!isPolicyId(policyId)) throw new ExplainArgumentError(`POLICY_ID ${JSON.stringify(policyId)} is not a policy id (${IdFormat.policy.text.replace(/ \(.*\)$/, '')})`);
  const targetType = targetKindOf(targetId);
  if (targetType === undefined) throw new ExplainArgumentError(`TARGET_ID ${JSON.stringify(targetId)} is not ${TARGET_ID_TEXT}`);

  const [best, ...others] = rulesCovering(rules, policyId, targetId);
  const match = findProtectionRule(rules, policyId, targetId);
  const canary = isCanaryPair(rules.canary, policyId, targetId);
  const forbid = findForbidRule(rules, policyId, targetId);
  // The type most policies are; else the first the rules protect.
  const policyType = (rules.policyTypes as readonly string[]).includes(PolicyType.SERVICE_CONTROL_POLICY) ? PolicyType.SERVICE_CONTROL_POLICY : rules.policyTypes[0];
  return {
    policyId,
    targetId,
    targetType,
    rulesFile,
    assumes: `${policyId} is a ${policyType}${rules.policyTypes.length > 1 ? ` (or another type policyTypes lists)` : ''}, attached to ${targetId}; explain reads the rules, not the organization`,
    named: named(rules, policyId, targetId),
    ...(best === undefined || match === undefined ? {} : { decidedBy: { ...ruleRef(rules, best.index, best.specificity), explanation: match.explanation } }),
    outranks: best === undefined ? [] : others.map((other) => ({ ...ruleRef(rules, other.index, other.specificity), why: whyOutranked(best, other) })),
    canary,
    ...(forbid === undefined ? {} : { forbiddenBy: { rule: `forbid[${forbid.index}]`, index: forbid.index, mode: forbid.mode, ...(forbid.description === undefined ? {} : { description: forbid.description }) } }),
    changes: explainChanges({ policyId, targetId, targetType, policyType }, rules),
    notes: notes(rules, best !== undefined || canary),
  };
}

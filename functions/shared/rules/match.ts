import type { Mode } from '../vocabulary';
import { isTargetRule } from './rule-kind';
import type { ProtectRule, ProtectionRules } from './protection-rules';

/**
 * How specific a rule is. The most specific matching rule wins: a rule naming both the policy
 * and the target, then a target rule with "policies": "*", then a policy rule with
 * "targets": "*". Among rules of equal specificity the first in the file wins (and the rules
 * check refuses two such rules that disagree on the mode: see overlaps.ts).
 */
export const Specificity = {
  EXACT: 'exact',
  TARGET_WIDE: 'target',
  POLICY_WIDE: 'policy',
} as const;
export type Specificity = (typeof Specificity)[keyof typeof Specificity];

/** Lower wins. */
export const SPECIFICITY_RANK: Readonly<Record<Specificity, number>> = { exact: 0, target: 1, policy: 2 };

export interface RuleMatch {
  /** Position of the rule in `protect`, for people reading the file. */
  index: number;
  specificity: Specificity;
  mode: Mode;
  /** One sentence a responder can read: why this pair is protected. */
  explanation: string;
  description?: string;
}

/** A rule's specificity is the same for every pair it matches: it depends only on its "*". */
export function specificityOfRule(rule: ProtectRule): Specificity {
  if (isTargetRule(rule)) return rule.policies === '*' ? Specificity.TARGET_WIDE : Specificity.EXACT;
  return rule.targets === '*' ? Specificity.POLICY_WIDE : Specificity.EXACT;
}

/** Whether the rule covers `policyId` on `targetId` (ids compared exactly, as AWS spells them). */
export function ruleCovers(rule: ProtectRule, policyId: string, targetId: string): boolean {
  if (isTargetRule(rule)) return rule.targetId === targetId && (rule.policies === '*' || rule.policies.includes(policyId));
  return rule.policyId === policyId && (rule.targets === '*' || rule.targets.includes(targetId));
}

function explain(index: number, specificity: Specificity, policyId: string, targetId: string): string {
  switch (specificity) {
    case Specificity.EXACT:
      return `protect[${index}] names ${policyId} on ${targetId}`;
    case Specificity.TARGET_WIDE:
      return `protect[${index}] protects every policy on ${targetId} ("policies": "*")`;
    case Specificity.POLICY_WIDE:
      return `protect[${index}] protects ${policyId} on every target ("targets": "*")`;
  }
}

/** A protect rule that covers a pair: the rule, where it is in `protect`, and how specific it is. */
export interface CoveringRule {
  rule: ProtectRule;
  index: number;
  specificity: Specificity;
}

/**
 * Every protect rule that covers `policyId` on `targetId`, in precedence order: the first one
 * decides (the most specific; among equals, the first in the file), the others are outranked.
 */
export function rulesCovering(rules: Pick<ProtectionRules, 'protect'>, policyId: string, targetId: string): CoveringRule[] {
  const matching = rules.protect.flatMap((rule, index) => (ruleCovers(rule, policyId, targetId) ? [{ rule, index, specificity: specificityOfRule(rule) }] : []));
  // A stable sort keeps file order among rules of equal specificity.
  return matching.sort((a, b) => SPECIFICITY_RANK[a.specificity] - SPECIFICITY_RANK[b.specificity]);
}

/** Why `other` does not decide where `winner` (the first of rulesCovering) does. */
export function whyOutranked(winner: Pick<CoveringRule, 'specificity'>, other: Pick<CoveringRule, 'specificity'>): string {
  return other.specificity === winner.specificity ? 'same precedence, later in the file' : 'less specific';
}

/** Why the other matching rules lost, so a responder need not work out the precedence. */
function outranked(best: CoveringRule, others: CoveringRule[]): string {
  if (others.length === 0) return '';
  const words = others.map((other) => `protect[${other.index}] (${whyOutranked(best, other)})`);
  return `; protect[${best.index}] takes precedence over ${words.join(', ')}`;
}

/**
 * The rule that protects `policyId` on `targetId`, or undefined when none does: the most
 * specific matching rule, the first in the file among equals.
 */
export function findProtectionRule(rules: Pick<ProtectionRules, 'protect'>, policyId: string, targetId: string): RuleMatch | undefined {
  const [best, ...others] = rulesCovering(rules, policyId, targetId);
  if (best === undefined) return undefined;
  return {
    index: best.index,
    specificity: best.specificity,
    mode: best.rule.mode,
    explanation: `${explain(best.index, best.specificity, policyId, targetId)}${outranked(best, others)}`,
    ...(best.rule.description === undefined ? {} : { description: best.rule.description }),
  };
}

/** The forbid rule that keeps a policy off a target. */
export interface ForbidMatch {
  /** Position of the rule in `forbid`, for people reading the file. */
  index: number;
  mode: Mode;
  /** One sentence a responder can read: why the attachment is undone. */
  explanation: string;
  description?: string;
}

/**
 * The first forbid rule that keeps `policyId` off `targetId`, or undefined when none does.
 * Forbid rules name their targets one by one (no "*"), compared exactly, as AWS spells the ids.
 */
export function findForbidRule(rules: Pick<ProtectionRules, 'forbid'>, policyId: string, targetId: string): ForbidMatch | undefined {
  const index = rules.forbid.findIndex((rule) => rule.policyId === policyId && rule.targets.includes(targetId));
  if (index < 0) return undefined;
  const rule = rules.forbid[index];
  return {
    index,
    mode: rule.mode,
    explanation: `forbid[${index}] keeps ${policyId} off ${targetId}${rule.description === undefined ? '' : ` (${rule.description})`}`,
    ...(rule.description === undefined ? {} : { description: rule.description }),
  };
}

/**
 * The protect rules that name `policyId` itself, whatever the target: a policy rule for it, or a
 * target rule that lists it. A target rule with "policies": "*" names no policy.
 */
export function rulesNamingPolicy(rules: Pick<ProtectionRules, 'protect'>, policyId: string): number[] {
  return rules.protect.flatMap((rule, index) =>
    (isTargetRule(rule) ? rule.policies !== '*' && rule.policies.includes(policyId) : rule.policyId === policyId) ? [index] : [],
  );
}

/** The targets that "policies": "*" rules protect every policy on, with each rule's index. */
export function wildcardTargets(rules: Pick<ProtectionRules, 'protect'>): { index: number; targetId: string }[] {
  return rules.protect.flatMap((rule, index) => (isTargetRule(rule) && rule.policies === '*' ? [{ index, targetId: rule.targetId }] : []));
}

/** Whether a protect rule names `targetId` (in a policy rule's targets, or as a target rule's targetId). */
export function rulesNamingTarget(rules: Pick<ProtectionRules, 'protect'>, targetId: string): number[] {
  return rules.protect.flatMap((rule, index) =>
    (isTargetRule(rule) ? rule.targetId === targetId : rule.targets !== '*' && rule.targets.includes(targetId)) ? [index] : [],
  );
}

import type { Mode } from '../vocabulary';
import { isTargetRule, type ProtectRule, type ProtectionRules } from './schema';

/**
 * How specific a rule is for one (policy, target) pair. The most specific matching rule wins:
 * a rule naming both the policy and the target, then a target rule with "policies": "*", then a
 * policy rule with "targets": "*". Among rules of equal specificity the first in the file wins.
 */
export const Specificity = {
  EXACT: 'exact',
  TARGET_WIDE: 'target',
  POLICY_WIDE: 'policy',
} as const;
export type Specificity = (typeof Specificity)[keyof typeof Specificity];

const RANK: Record<Specificity, number> = { exact: 0, target: 1, policy: 2 };

export interface RuleMatch {
  /** Position of the rule in `protect`, for people reading the file. */
  index: number;
  specificity: Specificity;
  mode: Mode;
  /** One sentence a responder can read: why this pair is protected. */
  explanation: string;
  description?: string;
}

function specificityOf(rule: ProtectRule, policyId: string, targetId: string): Specificity | undefined {
  if (isTargetRule(rule)) {
    if (rule.targetId !== targetId) return undefined;
    if (rule.policies === '*') return Specificity.TARGET_WIDE;
    return rule.policies.includes(policyId) ? Specificity.EXACT : undefined;
  }
  if (rule.policyId !== policyId) return undefined;
  if (rule.targets === '*') return Specificity.POLICY_WIDE;
  return rule.targets.includes(targetId) ? Specificity.EXACT : undefined;
}

function explain(index: number, specificity: Specificity, policyId: string, targetId: string): string {
  switch (specificity) {
    case Specificity.EXACT:
      return `protect[${index}] names ${policyId} on ${targetId}`;
    case Specificity.TARGET_WIDE:
      return `protect[${index}] protects every policy attached to ${targetId}`;
    case Specificity.POLICY_WIDE:
      return `protect[${index}] protects ${policyId} wherever it is attached`;
  }
}

/** The rule that protects `policyId` on `targetId`, or undefined when none does. */
export function findProtectionRule(rules: Pick<ProtectionRules, 'protect'>, policyId: string, targetId: string): RuleMatch | undefined {
  let best: RuleMatch | undefined;
  rules.protect.forEach((rule, index) => {
    const specificity = specificityOf(rule, policyId, targetId);
    if (specificity === undefined) return;
    if (best !== undefined && RANK[best.specificity] <= RANK[specificity]) return;
    best = { index, specificity, mode: rule.mode, explanation: explain(index, specificity, policyId, targetId), description: rule.description };
  });
  return best;
}

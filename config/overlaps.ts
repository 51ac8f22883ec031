import { isTargetRule } from '../functions/shared/rules/rule-kind';
import type { ProtectRule } from '../functions/shared/rules/protection-rules';
import { SPECIFICITY_RANK, Specificity, specificityOfRule } from '../functions/shared/rules/match';

/**
 * Where two rules cover the same (policy, target) pair, and what that means:
 *
 * - `conflict`: the same precedence and different modes. The file does not say what it means
 *   (first-in-file would silently win), so the rules check refuses it.
 * - `duplicate`: the same precedence and the same mode. Harmless today, but the later rule never
 *   applies to the pair, which misleads whoever edits it: a warning.
 * - `precedence`: different precedence and different modes. The documented precedence decides;
 *   `config check` says which rule applies so a reviewer need not work it out.
 *
 * Overlaps of different precedence and the same mode change nothing and are not reported.
 */
export const OverlapKind = {
  CONFLICT: 'conflict',
  DUPLICATE: 'duplicate',
  PRECEDENCE: 'precedence',
} as const;
export type OverlapKind = (typeof OverlapKind)[keyof typeof OverlapKind];

export interface RuleOverlap {
  kind: OverlapKind;
  /** The rule that applies to the shared pairs. */
  winner: number;
  /** The rule that does not apply to them. */
  loser: number;
  /** The shared pairs in words, e.g. `p-abcd1234 on ou-ab12-cdef3456, 123456789012`. */
  pairs: string;
  /** One sentence, starting with the rule it is about (`protect[3]: …`). */
  message: string;
}

const ANY = '*';
type Ids = typeof ANY | string[];

function intersect(a: Ids, b: Ids): Ids {
  if (a === ANY) return b;
  if (b === ANY) return a;
  return a.filter((id) => b.includes(id));
}

const isEmpty = (ids: Ids) => ids !== ANY && ids.length === 0;

/** The pairs both rules cover, in words, or undefined when they share none. */
function sharedPairs(a: ProtectRule, b: ProtectRule): string | undefined {
  if (!isTargetRule(a) && !isTargetRule(b)) {
    if (a.policyId !== b.policyId) return undefined;
    const targets = intersect(a.targets, b.targets);
    if (isEmpty(targets)) return undefined;
    return `${a.policyId} on ${targets === ANY ? 'every target' : targets.join(', ')}`;
  }
  if (isTargetRule(a) && isTargetRule(b)) {
    if (a.targetId !== b.targetId) return undefined;
    const policies = intersect(a.policies, b.policies);
    if (isEmpty(policies)) return undefined;
    return `${policies === ANY ? 'every policy' : policies.join(', ')} on ${a.targetId}`;
  }
  const policyRule = isTargetRule(a) ? b : a;
  const targetRule = isTargetRule(a) ? a : b;
  if (isTargetRule(policyRule) || !isTargetRule(targetRule)) return undefined;
  const coversTarget = policyRule.targets === ANY || policyRule.targets.includes(targetRule.targetId);
  const coversPolicy = targetRule.policies === ANY || targetRule.policies.includes(policyRule.policyId);
  return coversTarget && coversPolicy ? `${policyRule.policyId} on ${targetRule.targetId}` : undefined;
}

/** How each precedence is said in messages ("a target rule with \"policies\": \"*\""). */
export const SPECIFICITY_WORDS: Readonly<Record<Specificity, string>> = {
  [Specificity.EXACT]: 'names the policy and the target',
  [Specificity.TARGET_WIDE]: 'a target rule with "policies": "*"',
  [Specificity.POLICY_WIDE]: 'a policy rule with "targets": "*"',
};

function describeOverlap(kind: OverlapKind, winner: number, loser: number, rules: readonly ProtectRule[], pairs: string): string {
  const w = rules[winner];
  const l = rules[loser];
  switch (kind) {
    case OverlapKind.CONFLICT:
      return `protect[${loser}]: conflicts with protect[${winner}] for ${pairs}: both have the same precedence (${SPECIFICITY_WORDS[specificityOfRule(w)]}) but protect[${winner}] says "${w.mode}" and protect[${loser}] says "${l.mode}"; keep one rule for these pairs`;
    case OverlapKind.DUPLICATE:
      return `protect[${loser}]: repeats protect[${winner}] for ${pairs} (same precedence, same mode "${w.mode}"), so it never applies there`;
    case OverlapKind.PRECEDENCE:
      return `${pairs}: protect[${winner}] ("${w.mode}", ${SPECIFICITY_WORDS[specificityOfRule(w)]}) applies, not protect[${loser}] ("${l.mode}", ${SPECIFICITY_WORDS[specificityOfRule(l)]})`;
  }
}

/** Every pair of rules that cover a common (policy, target) pair in a way worth reporting. */
export function findOverlaps(rules: readonly ProtectRule[]): RuleOverlap[] {
  const overlaps: RuleOverlap[] = [];
  for (let j = 1; j < rules.length; j++) {
    for (let i = 0; i < j; i++) {
      const pairs = sharedPairs(rules[i], rules[j]);
      if (pairs === undefined) continue;
      const rankI = SPECIFICITY_RANK[specificityOfRule(rules[i])];
      const rankJ = SPECIFICITY_RANK[specificityOfRule(rules[j])];
      const sameMode = rules[i].mode === rules[j].mode;
      let kind: OverlapKind;
      if (rankI === rankJ) kind = sameMode ? OverlapKind.DUPLICATE : OverlapKind.CONFLICT;
      else if (sameMode) continue;
      else kind = OverlapKind.PRECEDENCE;
      const [winner, loser] = rankI <= rankJ ? [i, j] : [j, i];
      overlaps.push({ kind, winner, loser, pairs, message: describeOverlap(kind, winner, loser, rules, pairs) });
    }
  }
  return overlaps;
}

import { parseProtectionRules } from '../../../config/load';
import { findProtectionRule } from '../../../functions/shared/rules/match';

const P = 'p-denyleave1';
const OTHER_POLICY = 'p-denyregion';
const OU = 'ou-a1b2-7hq4vz2n';
const ACCOUNT_IN_OU = '333344445555';

const rulesOf = (...protect: Record<string, unknown>[]) => parseProtectionRules({ protect });
const exact = (mode: string) => ({ policyId: P, targets: [OU], mode });
const targetWide = (mode: string) => ({ targetId: OU, policies: '*', mode });
const policyWide = (mode: string) => ({ policyId: P, targets: '*', mode });

describe('rule precedence', () => {
  it('prefers a rule naming the policy and the target over a target-wide rule, wherever each is in the file', () => {
    const rules = rulesOf(targetWide('auto'), exact('approval'));

    const match = findProtectionRule(rules, P, OU);

    expect(match).toMatchObject({ index: 1, specificity: 'exact', mode: 'approval' });
  });

  it('prefers a rule naming the policy and the target over a policy-wide rule', () => {
    const rules = rulesOf(policyWide('auto'), exact('approval'));

    const match = findProtectionRule(rules, P, OU);

    expect(match).toMatchObject({ index: 1, specificity: 'exact', mode: 'approval' });
  });

  it('prefers a target-wide rule over a policy-wide rule', () => {
    const rules = rulesOf(policyWide('approval'), targetWide('auto'));

    const match = findProtectionRule(rules, P, OU);

    expect(match).toMatchObject({ index: 1, specificity: 'target', mode: 'auto' });
  });

  it('takes the first in the file among rules of equal precedence', () => {
    const rules = rulesOf(policyWide('auto'), { ...policyWide('auto'), description: 'the same again' });

    const match = findProtectionRule(rules, P, OU);

    expect(match?.index).toBe(0);
    expect(match?.explanation).toContain('protect[0] takes precedence over protect[1] (same precedence, later in the file)');
  });

  it('falls back to the policy-wide rule for a target the exact rule does not name', () => {
    const rules = rulesOf(exact('approval'), policyWide('auto'));

    const match = findProtectionRule(rules, P, 'r-a1b2');

    expect(match).toMatchObject({ index: 1, specificity: 'policy', mode: 'auto' });
  });

  it('does not protect the accounts inside a protected OU: targets are taken literally', () => {
    const rules = rulesOf(targetWide('auto'), exact('auto'));

    const match = findProtectionRule(rules, P, ACCOUNT_IN_OU);

    expect(match).toBeUndefined();
  });

  it('does not protect another policy on a target that a policy rule names', () => {
    const rules = rulesOf(exact('auto'));

    const match = findProtectionRule(rules, OTHER_POLICY, OU);

    expect(match).toBeUndefined();
  });

  it('explains a policy-wide match in words a responder can read', () => {
    const rules = rulesOf(policyWide('auto'));

    const match = findProtectionRule(rules, P, ACCOUNT_IN_OU);

    expect(match?.explanation).toBe(`protect[0] protects ${P} on every target ("targets": "*")`);
  });
});

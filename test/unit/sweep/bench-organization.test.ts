import { isTargetRule } from '../../../functions/shared/rules/rule-kind';
import { findProtectionRule } from '../../../functions/shared/rules/match';
import { FULL_AWS_ACCESS, MAX_DEPTH, MAX_SCPS_PER_TARGET, ROOT_ID, RuleShape, silentDetachments, sweepScenario } from '../../../bench/sweep/organization';

/** The organization `npm run bench:sweep` generates: only its shape is checked here, never a timing. */
describe('sweepScenario', () => {
  const size = { accounts: 1000, ous: 200, policies: 20 };
  const scenario = sweepScenario(size, 1);
  const { organization } = scenario;

  it('makes exactly the accounts, OUs and protected policies asked for', () => {
    const protectedIds = scenario.protectedPolicies.map((policy) => policy.id);

    expect(organization.accounts).toHaveLength(size.accounts);
    expect(organization.organizationalUnits).toHaveLength(size.ous);
    expect(new Set(protectedIds).size).toBe(size.policies);
    expect(protectedIds.every((id) => organization.policies.some((policy) => policy.id === id && policy.type === 'SERVICE_CONTROL_POLICY'))).toBe(true);
  });

  it('nests the OUs at most three deep under the root', () => {
    const parentOf = new Map(organization.organizationalUnits.map((ou) => [ou.id, ou.parentId]));
    const depthOf = (id: string): number => (id === ROOT_ID ? 0 : 1 + depthOf(parentOf.get(id) as string));

    const depths = organization.organizationalUnits.map((ou) => depthOf(ou.id));

    expect(Math.max(...depths)).toBe(MAX_DEPTH);
    expect(scenario.ousByDepth.reduce((a, b) => a + b, 0)).toBe(size.ous);
  });

  it('attaches FullAWSAccess to every target, and no more than five SCPs to any', () => {
    const targets = [organization.rootId, ...organization.organizationalUnits.map((ou) => ou.id), ...organization.accounts.map((account) => account.id)];
    const counts = new Map<string, number>();
    for (const policy of organization.policies) for (const target of policy.targets) counts.set(target, (counts.get(target) ?? 0) + 1);

    const fullAccess = organization.policies.find((policy) => policy.id === FULL_AWS_ACCESS);

    expect(new Set(fullAccess?.targets)).toEqual(new Set(targets));
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(MAX_SCPS_PER_TARGET);
  });

  it('writes rules of every shape, each covering attachments that exist', () => {
    const shapes = new Set(
      scenario.rules.protect.map((rule) =>
        isTargetRule(rule) ? (rule.policies === '*' ? RuleShape.TARGET_EVERY_POLICY : RuleShape.TARGET_LISTED) : rule.targets === '*' ? RuleShape.POLICY_EVERYWHERE : RuleShape.POLICY_LISTED,
      ),
    );

    expect(shapes).toEqual(new Set(Object.values(RuleShape)));
    expect(scenario.protectedPolicies.every(({ id }) => scenario.coveredPairs.some((pair) => pair.policyId === id))).toBe(true);
    expect(scenario.coveredPairs.every((pair) => findProtectionRule(scenario.rules, pair.policyId, pair.targetId) !== undefined)).toBe(true);
  });

  it('gives the same organization and rules for the same seed, and another for another seed', () => {
    const again = sweepScenario(size, 1);
    const other = sweepScenario(size, 2);

    expect(again.organization).toEqual(organization);
    expect(again.rules).toEqual(scenario.rules);
    expect(other.organization).not.toEqual(organization);
  });

  it('picks covered pairs to detach silently, the root first, never FullAWSAccess', () => {
    const pairs = silentDetachments(scenario, 5, 1);

    expect(pairs).toHaveLength(5);
    expect(pairs[0].targetId).toBe(ROOT_ID);
    expect(pairs.some((pair) => pair.policyId === FULL_AWS_ACCESS)).toBe(false);
    expect(new Set(pairs.map((pair) => pair.shape)).size).toBeGreaterThanOrEqual(4);
  });
});

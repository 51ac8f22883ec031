import { DesiredReason, pairKey, type PairEntry } from '../../../functions/shared/desired/desired-state';
import { sha256 } from '../../../functions/sweep/read-organization';
import { contentEntries, parentEntries, reconcilePairs, rootEntries, type Attachments, type DesiredView } from '../../../functions/sweep/reconcile';
import { Org, testRules } from '../../support/local-harness';

const NOW = new Date('2026-12-01T10:00:00Z');
const STARTED = '2026-12-01T09:59:59.000Z';
const SCP = 'SERVICE_CONTROL_POLICY';

const policy = (id: string, type = SCP) => ({ id, type, content: `{"id":"${id}"}`, hash: sha256(`{"id":"${id}"}`) });

/** The sample organization's attachments, as the sweep reads them for the test rules. */
function attachments(changes: { detached?: [string, string][] } = {}): Attachments {
  const detached = new Set((changes.detached ?? []).map(([p, t]) => pairKey(p, t)));
  const keep = (policyId: string, targets: string[]) => new Set(targets.filter((targetId) => !detached.has(pairKey(policyId, targetId))));
  return {
    targetsOf: new Map([
      [Org.denyLeave, keep(Org.denyLeave, [Org.root])],
      [Org.protectCloudTrail, keep(Org.protectCloudTrail, [Org.prodOu, Org.sandboxOu])],
    ]),
    policiesOn: new Map([[Org.prodOu, new Map([Org.fullAccess, Org.denyRegion, Org.protectCloudTrail].filter((p) => !detached.has(pairKey(p, Org.prodOu))).map((p) => [p, SCP]))]]),
    policies: new Map([Org.denyLeave, Org.protectCloudTrail, Org.fullAccess, Org.denyRegion].map((id) => [id, policy(id)])),
    missingPolicies: new Set(),
    missingTargets: new Set(),
  };
}

const entry = (policyId: string, targetId: string, extra: Partial<PairEntry> = {}): PairEntry => ({
  policyId,
  targetId,
  desired: true,
  reason: DesiredReason.SEEN_ATTACHED,
  at: '2026-12-01T09:00:00.000Z',
  ...extra,
});
const view = (pairs: PairEntry[] = []): DesiredView => ({
  pairs: new Map(pairs.map((e) => [pairKey(e.policyId, e.targetId), e])),
  contents: new Map(),
  parents: new Map(),
  roots: new Map(),
});

describe('reconciling the organization with the desired state', () => {
  it('makes every covered pair seen attached desired', () => {
    const plan = reconcilePairs(testRules(), view(), attachments(), NOW, STARTED);

    expect(plan.entries.map((e) => `${e.policyId} ${e.targetId} ${e.reason}`).sort()).toEqual(
      [
        `${Org.denyLeave} ${Org.root} seen-attached`,
        `${Org.protectCloudTrail} ${Org.prodOu} seen-attached`,
        `${Org.protectCloudTrail} ${Org.sandboxOu} seen-attached`,
        `${Org.fullAccess} ${Org.prodOu} seen-attached`,
        `${Org.denyRegion} ${Org.prodOu} seen-attached`,
      ].sort(),
    );
  });

  it('appends nothing for a pair already desired and still attached', () => {
    const plan = reconcilePairs(testRules(), view([entry(Org.denyLeave, Org.root)]), attachments(), NOW, STARTED);

    expect(plan.entries.some((e) => e.policyId === Org.denyLeave)).toBe(false);
    expect(plan.missing).toEqual([]);
  });

  it('reports a desired pair that is not attached as missing, since its last desired entry', () => {
    const plan = reconcilePairs(testRules(), view([entry(Org.denyLeave, Org.root)]), attachments({ detached: [[Org.denyLeave, Org.root]] }), NOW, STARTED);

    expect(plan.missing).toEqual([{ policyId: Org.denyLeave, targetId: Org.root, lastDesiredAt: '2026-12-01T09:00:00.000Z' }]);
  });

  it('releases a desired pair no rule covers any more', () => {
    const rules = testRules({ protect: [{ policyId: Org.denyLeave, targets: '*', mode: 'auto' }] });

    const plan = reconcilePairs(rules, view([entry(Org.denyRegion, Org.sandboxAccount)]), attachments(), NOW, STARTED);

    expect(plan.entries).toContainEqual({ policyId: Org.denyRegion, targetId: Org.sandboxAccount, desired: false, reason: DesiredReason.RULES_CHANGE, at: STARTED });
  });

  it('releases a desired pair whose target Organizations says is gone (TargetNotFoundException), and reports it not missing', () => {
    const seen = attachments();
    seen.policiesOn.delete(Org.prodOu);
    seen.missingTargets.add(Org.prodOu);

    const plan = reconcilePairs(testRules(), view([entry(Org.fullAccess, Org.prodOu)]), seen, NOW, STARTED);

    expect(plan.entries).toContainEqual({ policyId: Org.fullAccess, targetId: Org.prodOu, desired: false, reason: DesiredReason.TARGET_GONE, at: STARTED });
    expect(plan.missing).toEqual([]);
    expect(plan.warnings).toContainEqual(`${Org.fullAccess} on ${Org.prodOu}: the target is no longer in the organization; the pair is released (target-gone)`);
  });

  it('leaves a pair detached while its override lasts', () => {
    const override = entry(Org.denyLeave, Org.root, { desired: false, reason: DesiredReason.OVERRIDE, until: '2026-12-01T11:00:00.000Z', by: 'U0APPROVER' });

    const plan = reconcilePairs(testRules(), view([override]), attachments({ detached: [[Org.denyLeave, Org.root]] }), NOW, STARTED);

    expect(plan.missing).toEqual([]);
    expect(plan.entries.some((e) => e.policyId === Org.denyLeave)).toBe(false);
  });

  it('makes a pair desired again from the moment its override ended, and tells whose it was', () => {
    const override = entry(Org.denyLeave, Org.root, { desired: false, reason: DesiredReason.OVERRIDE, until: '2026-12-01T09:30:00.000Z', by: 'U0APPROVER', incidentId: 'e-1' });

    const plan = reconcilePairs(testRules(), view([override]), attachments({ detached: [[Org.denyLeave, Org.root]] }), NOW, STARTED);

    expect(plan.entries).toContainEqual({ policyId: Org.denyLeave, targetId: Org.root, desired: true, reason: DesiredReason.OVERRIDE_EXPIRED, at: '2026-12-01T09:30:00.000Z', incidentId: 'e-1' });
    expect(plan.missing).toEqual([
      { policyId: Org.denyLeave, targetId: Org.root, lastDesiredAt: '2026-12-01T09:30:00.000Z', overrideExpired: { by: 'U0APPROVER', until: '2026-12-01T09:30:00.000Z', incidentId: 'e-1' } },
    ]);
  });

  it('warns of a declared pair never seen attached, without making it desired', () => {
    const rules = testRules({ protect: [{ policyId: Org.protectCloudTrail, targets: [Org.prodOu, Org.sandboxAccount], mode: 'auto' }] });

    const plan = reconcilePairs(rules, view(), attachments(), NOW, STARTED);

    expect(plan.declaredNotAttached).toEqual([{ policyId: Org.protectCloudTrail, targetId: Org.sandboxAccount, rule: 0 }]);
    expect(plan.entries.some((e) => e.targetId === Org.sandboxAccount)).toBe(false);
  });

  it('does not keep a policy of an unprotected type', () => {
    const seen = attachments();
    seen.policies.set(Org.denyLeave, policy(Org.denyLeave, 'TAG_POLICY'));

    const plan = reconcilePairs(testRules(), view([entry(Org.denyLeave, Org.root)]), seen, NOW, STARTED);

    expect(plan.entries).toContainEqual(expect.objectContaining({ policyId: Org.denyLeave, desired: false, reason: DesiredReason.RULES_CHANGE }));
  });

  it('warns, and compares nothing, for desired pairs of a policy that no longer exists', () => {
    const seen = attachments();
    seen.policies.delete(Org.denyLeave);
    seen.targetsOf.delete(Org.denyLeave);
    seen.missingPolicies.add(Org.denyLeave);

    const plan = reconcilePairs(testRules(), view([entry(Org.denyLeave, Org.root)]), seen, NOW, STARTED);

    expect(plan.missing).toEqual([]);
    expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringContaining(`${Org.denyLeave} no longer exists`)]));
  });

  it('records content, parents and root types only when they changed', () => {
    const kept = policy(Org.denyLeave);
    const changed = { ...policy(Org.protectCloudTrail), content: '{}', hash: sha256('{}') };
    const contents = new Map([[Org.denyLeave, { policyId: Org.denyLeave, content: kept.content, hash: kept.hash, at: 'x' }], [Org.protectCloudTrail, { policyId: Org.protectCloudTrail, content: 'old', hash: sha256('old'), at: 'x' }]]);
    const parents = new Map([['111111111111', { accountId: '111111111111', parentId: Org.prodOu, at: 'x' }]]);
    const roots = new Map([[Org.root, { rootId: Org.root, enabledTypes: [SCP], at: 'x' }]]);

    const content = contentEntries([kept, changed], contents, STARTED);
    const parent = parentEntries(new Map([['111111111111', Org.prodOu], ['222222222222', Org.sandboxOu]]), parents, STARTED);
    const root = rootEntries([{ id: Org.root, enabledTypes: [SCP, 'TAG_POLICY'] }], roots, [SCP], STARTED);

    expect(content.entries.map((e) => e.policyId)).toEqual([Org.protectCloudTrail]);
    expect(content.changes).toEqual([{ type: 'content', policyId: Org.protectCloudTrail, hash: sha256('{}'), previousHash: sha256('old') }]);
    expect(parent.entries).toEqual([{ accountId: '222222222222', parentId: Org.sandboxOu, at: STARTED }]);
    expect(root.entries).toEqual([]);
  });
});

import { createHash } from 'node:crypto';
import { Kind, PolicyType, Verdict } from '../../../functions/shared/vocabulary';
import type { LocalEnvironment } from '../../../local/environment';
import { Org, startEnvironment, testRules } from '../../support/local-harness';
import { incidentOf } from './support';

const REGULATED_OU = 'ou-a1b2-r8n2qv4j';
const ALLOW_LIST = 'p-allowlist1';
const PROD_ACCOUNT = '333344445555';
const SCP = PolicyType.SERVICE_CONTROL_POLICY;
const OPEN_DOOR = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'organizations:LeaveOrganization', Resource: '*' }] });
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Every kind of weakening found by the sweep, with no event: each change is made straight on the
 * local organization, as an attacker whose event was lost would. Every kind runs in approval mode
 * here, so its incident stays open (awaiting a decision) while the next sweep looks.
 */
const rules = () =>
  testRules({
    protect: [
      { policyId: Org.denyLeave, targets: '*', mode: 'auto' },
      { policyId: Org.protectCloudTrail, targets: [Org.prodOu, Org.sandboxOu], mode: 'approval' },
      { targetId: Org.prodOu, policies: '*', mode: 'auto' },
      { policyId: ALLOW_LIST, targets: [REGULATED_OU], mode: 'auto' },
    ],
    forbid: [{ policyId: Org.fullAccess, targets: [REGULATED_OU], mode: 'approval', description: 'Regulated runs on an allow-list' }],
    policyTypeDisabled: { mode: 'approval' },
    accountMoves: { mode: 'approval' },
    policyContent: { mode: 'approval', restore: true },
  });

describe('the sweep finds every kind of weakening as drift', () => {
  let env: LocalEnvironment;
  beforeEach(async () => {
    env = await startEnvironment({ rules: rules() });
    await env.sweep();
  });
  afterEach(() => env.stop());
  const org = () => {
    if (env.organization === undefined) throw new Error('the local organization is not in this process');
    return env.organization;
  };

  it('records the targets of desired SCP pairs that FullAWSAccess is not attached to', async () => {
    const roots = await env.desired.rootTypes();

    expect(roots.get(Org.root)).toMatchObject({ enabledTypes: [SCP], withoutFullAwsAccess: [REGULATED_OU] });
  });

  it('opens one POLICY_TYPE_DISABLED drift for a disabled type, and no drift per pair it detached', async () => {
    org().disablePolicyType(SCP);

    const first = await env.sweep();
    const second = await env.sweep();

    expect(first.result.drift).toEqual([
      expect.objectContaining({ kind: Kind.DRIFT, driftOf: Kind.POLICY_TYPE_DISABLED, targetId: Org.root, disabledType: { rootId: Org.root, policyType: SCP }, status: 'started' }),
    ]);
    const incident = await incidentOf(env, first.result.incidents[0]);
    expect(incident).toMatchObject({ kind: Kind.DRIFT, source: 'sweep', verdict: Verdict.PROTECTED, mode: 'approval', targetId: Org.root });
    expect(incident.incident).toMatchObject({ driftOf: Kind.POLICY_TYPE_DISABLED, disabledType: { rootId: Org.root, policyType: SCP } });
    expect(second.result.incidents).toEqual([]);
    expect(second.result.drift).toEqual([]);
    expect(second.result.explained.map((e) => e.incidentId)).toContain(first.result.incidents[0]);
    // The desired state keeps the type enabled, and where FullAWSAccess was not, for the restoration.
    expect((await env.desired.rootTypes()).get(Org.root)).toMatchObject({ enabledTypes: [SCP], withoutFullAwsAccess: [REGULATED_OU] });
  });

  it('opens one ACCOUNT_MOVED drift for an account that lost a protected inherited policy, and keeps its parent', async () => {
    org().moveAccount(PROD_ACCOUNT, Org.prodOu, Org.sandboxOu);

    const first = await env.sweep();
    const second = await env.sweep();

    expect(first.result.drift).toEqual([
      expect.objectContaining({
        driftOf: Kind.ACCOUNT_MOVED,
        targetId: PROD_ACCOUNT,
        move: { accountId: PROD_ACCOUNT, sourceParentId: Org.prodOu, destinationParentId: Org.sandboxOu, lostPolicies: [Org.denyRegion] },
      }),
    ]);
    const incident = await incidentOf(env, first.result.incidents[0]);
    expect(incident.incident).toMatchObject({ driftOf: Kind.ACCOUNT_MOVED, move: { accountId: PROD_ACCOUNT, sourceParentId: Org.prodOu, destinationParentId: Org.sandboxOu }, mode: 'approval' });
    expect(second.result.incidents).toEqual([]);
    expect(second.result.drift).toEqual([]);
    expect((await env.desired.parents()).get(PROD_ACCOUNT)?.parentId).toBe(Org.prodOu);
  });

  it('only records the new parent of an account that moved and lost nothing protected', async () => {
    org().moveAccount(Org.sandboxAccount, Org.sandboxOu, Org.prodOu);

    const { result } = await env.sweep();

    expect(result.drift).toEqual([]);
    expect((await env.desired.parents()).get(Org.sandboxAccount)?.parentId).toBe(Org.prodOu);
  });

  it('opens one POLICY_CHANGED drift for changed content, and keeps the content the guard accepted', async () => {
    const before = (await env.desired.contents()).get(Org.denyLeave);
    org().updatePolicy(Org.denyLeave, { content: OPEN_DOOR });

    const first = await env.sweep();
    const second = await env.sweep();

    expect(first.result.drift).toEqual([expect.objectContaining({ driftOf: Kind.POLICY_CHANGED, policyId: Org.denyLeave, change: { contentHash: sha256(OPEN_DOOR), previousHash: before?.hash } })]);
    const incident = await incidentOf(env, first.result.incidents[0]);
    expect(incident.incident).toMatchObject({ driftOf: Kind.POLICY_CHANGED, change: { content: OPEN_DOOR, contentHash: sha256(OPEN_DOOR) }, mode: 'approval' });
    expect(second.result.incidents).toEqual([]);
    expect(second.result.drift).toEqual([]);
    expect((await env.desired.contents()).get(Org.denyLeave)?.hash).toBe(before?.hash);
  });

  it('accepts the changed content once its POLICY_CHANGED incident ended OVERRIDDEN', async () => {
    org().updatePolicy(Org.denyLeave, { content: OPEN_DOOR });
    const first = await env.sweep();
    const incidentId = first.result.incidents[0];
    await incidentOf(env, incidentId);
    await waitFor(async () => (await env.trueAudit.getIncident(incidentId))?.status === 'AWAITING_DECISION');

    await env.decideIncident(incidentId, 'OVERRIDE', 'U0APPROVER', 'reviewed release CHG-7', 60);
    await incidentOf(env, incidentId, { closed: true });
    const after = await env.sweep();

    expect(after.result.drift).toEqual([]);
    expect((await env.desired.contents()).get(Org.denyLeave)?.hash).toBe(sha256(OPEN_DOOR));
  });

  it('opens one POLICY_DELETED drift for a deleted protected policy, and no drift per pair of it', async () => {
    org().detachPolicy(Org.denyRegion, Org.prodOu);
    org().detachPolicy(Org.denyRegion, Org.sandboxAccount);
    org().deletePolicyAsApi(Org.denyRegion);

    const first = await env.sweep();
    const second = await env.sweep();

    expect(first.result.drift).toEqual([expect.objectContaining({ driftOf: Kind.POLICY_DELETED, policyId: Org.denyRegion, targetId: '' })]);
    const incident = await incidentOf(env, first.result.incidents[0]);
    expect(incident.incident).toMatchObject({ driftOf: Kind.POLICY_DELETED, verdict: Verdict.PROTECTED, mode: 'auto' });
    expect(second.result.incidents).toEqual([]);
    expect(second.result.drift).toEqual([]);
  });

  it('opens one FORBIDDEN_ATTACHED drift for a forbidden policy attached to its target', async () => {
    org().attachPolicy(Org.fullAccess, REGULATED_OU);

    const first = await env.sweep();
    const second = await env.sweep();

    expect(first.result.drift).toEqual([
      expect.objectContaining({ driftOf: Kind.FORBIDDEN_ATTACHED, policyId: Org.fullAccess, targetId: REGULATED_OU, forbid: { index: 0, description: 'Regulated runs on an allow-list' } }),
    ]);
    const incident = await incidentOf(env, first.result.incidents[0]);
    expect(incident.incident).toMatchObject({ driftOf: Kind.FORBIDDEN_ATTACHED, forbid: { index: 0 }, mode: 'approval' });
    expect(second.result.incidents).toEqual([]);
    expect(second.result.drift).toEqual([]);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

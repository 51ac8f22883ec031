import { ATTACH_STATES } from '../../local/workflow/local-workflow';
import { Kind, PolicyType } from '../../functions/shared/vocabulary';
import type { LocalEnvironment } from '../../local/environment';
import { Org, startEnvironment, testRules } from '../support/local-harness';
import { closedActions } from './kinds-support';

const Regulated = { ou: 'ou-a1b2-r8n2qv4j', allowList: 'p-allowlist1' } as const;
const PROD_ACCOUNT = '333344445555';
const SCP = PolicyType.SERVICE_CONTROL_POLICY;
const OPEN_DOOR = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'organizations:LeaveOrganization', Resource: '*' }] });

/** Every kind in auto mode, content restored: a sweep-found drift is restored with no person asked. */
const rules = () =>
  testRules({
    protect: [
      { policyId: Org.denyLeave, targets: '*', mode: 'auto' },
      { policyId: Org.protectCloudTrail, targets: [Org.prodOu, Org.sandboxOu], mode: 'approval' },
      { targetId: Org.prodOu, policies: '*', mode: 'auto' },
      { policyId: Regulated.allowList, targets: [Regulated.ou], mode: 'auto' },
    ],
    forbid: [{ policyId: Org.fullAccess, targets: [Regulated.ou], mode: 'auto', description: 'Regulated runs an allow-list SCP' }],
    policyTypeDisabled: { mode: 'auto' },
    accountMoves: { mode: 'auto' },
    policyContent: { mode: 'auto', restore: true },
  });

/**
 * End to end, per kind the sweep finds: the local organization is changed directly (the event is
 * lost), a sweep runs, and its DRIFT incident of that kind goes through the real ASL to
 * RestoreProtection, which restores what the desired state says.
 */
describe('a sweep-found drift of each kind is restored by RestoreProtection (auto mode)', () => {
  let env: LocalEnvironment;
  beforeEach(async () => {
    env = await startEnvironment({ rules: rules() });
    await env.sweep();
  });
  afterEach(() => env.stop());
  const org = () => env.organization!;

  /** One sweep that starts exactly one drift of the kind; its execution's states and the closed incident. */
  async function sweepOneDrift(driftOf: Kind) {
    const { result, executions } = await env.sweep();
    expect(result.drift).toEqual([expect.objectContaining({ kind: Kind.DRIFT, driftOf, status: 'started' })]);
    const [execution] = await Promise.all(executions);
    const incidentId = result.incidents[0];
    const incident = await env.trueAudit.getIncident(incidentId);
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['ClassifyEvent', 'ChooseRestore', 'RestoreProtection', 'CloseIncident']));
    expect(execution.statesEntered.filter((state) => ATTACH_STATES.has(state))).toEqual([]);
    expect(execution.statesEntered).not.toContain('RequestDecision');
    expect(incident).toMatchObject({ kind: Kind.DRIFT, source: 'sweep', decision: 'AUTO', outcome: 'RESTORED', status: 'CLOSED' });
    expect(incident?.incident.driftOf).toBe(driftOf);
    expect(await closedActions(env, incidentId)).toEqual(incident?.actions);
    return { incidentId, incident, after: await env.sweep() };
  }

  it('detaches a forbidden attachment again', async () => {
    org().attachPolicy(Org.fullAccess, Regulated.ou);

    const { incident, after } = await sweepOneDrift(Kind.FORBIDDEN_ATTACHED);

    expect(incident?.actions).toEqual([{ call: 'DetachPolicy', policyId: Org.fullAccess, targetId: Regulated.ou, result: 'done' }]);
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);
    expect(org().isAttached(Regulated.allowList, Regulated.ou)).toBe(true);
    expect(after.result.drift).toEqual([]);
  });

  it('moves an account back under the parent it inherited a protected policy from (accountMoves.mode auto)', async () => {
    org().moveAccount(PROD_ACCOUNT, Org.prodOu, Org.sandboxOu);

    const { incident, after } = await sweepOneDrift(Kind.ACCOUNT_MOVED);

    expect(incident?.actions).toEqual([{ call: 'MoveAccount', targetId: PROD_ACCOUNT, result: 'done', detail: `from ${Org.sandboxOu} to ${Org.prodOu}` }]);
    expect(org().parentOf(PROD_ACCOUNT).id).toBe(Org.prodOu);
    expect((await env.desired.parents()).get(PROD_ACCOUNT)?.parentId).toBe(Org.prodOu);
    expect(after.result.drift).toEqual([]);
  });

  it('writes the last known content back over a rewritten protected policy (policyContent.restore true)', async () => {
    const accepted = (await env.desired.contents()).get(Org.denyLeave);
    org().updatePolicy(Org.denyLeave, { content: OPEN_DOOR });

    const { incident, after } = await sweepOneDrift(Kind.POLICY_CHANGED);

    expect(incident?.actions).toEqual([{ call: 'UpdatePolicy', policyId: Org.denyLeave, result: 'done', detail: expect.stringContaining(`content back to hash ${accepted?.hash.slice(0, 12)}`) }]);
    expect(incident?.report?.diff?.length).toBeGreaterThan(0);
    expect(org().policy(Org.denyLeave).contentText).toBe(accepted?.content);
    expect((await env.desired.contents()).get(Org.denyLeave)?.hash).toBe(accepted?.hash);
    expect(after.result.drift).toEqual([]);
  });

  it('re-enables a disabled type with its desired pairs, and keeps FullAWSAccess off the allow-list OU', async () => {
    const desired = [...(await env.desired.pairs()).values()].filter((entry) => entry.desired).map((entry): [string, string] => [entry.policyId, entry.targetId]);
    expect(desired).toContainEqual([Regulated.allowList, Regulated.ou]);
    org().disablePolicyType(SCP);

    const { incident, after } = await sweepOneDrift(Kind.POLICY_TYPE_DISABLED);

    expect(incident?.actions?.[0]).toMatchObject({ call: 'EnablePolicyType', targetId: Org.root, result: 'done' });
    expect(incident?.actions).toContainEqual({ call: 'DetachPolicy', policyId: Org.fullAccess, targetId: Regulated.ou, result: 'done' });
    expect(org().isPolicyTypeEnabled(SCP)).toBe(true);
    expect(desired.filter(([policyId, targetId]) => !org().isAttached(policyId, targetId))).toEqual([]);
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);
    expect(after.result.drift).toEqual([]);
  });
});

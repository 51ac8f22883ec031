import { AuditStoreUnavailableError } from '../../../functions/shared/errors';
import type { LocalEnvironment } from '../../../local/environment';
import { startEnvironment } from '../../support/local-harness';
import { Big, bigOrganization, bigRules, protectedPairs, unprotectedPairs } from './big-organization';
import { kindIncident, restoreHandler, restoreInput, seedPairs } from './support';

const SCP = 'SERVICE_CONTROL_POLICY';
const disabled = () => kindIncident({ kind: 'POLICY_TYPE_DISABLED', disabledType: { rootId: Big.root, policyType: SCP }, target: { id: Big.root, type: 'ROOT' }, policy: { type: SCP } });

describe('RestoreProtection of a disabled policy type (51 accounts, 10 OUs)', () => {
  let env: LocalEnvironment;
  beforeAll(async () => {
    env = await startEnvironment({ rules: bigRules(), organization: bigOrganization() });
    await seedPairs(env, protectedPairs);
    await env.desired.recordRootTypes({ rootId: Big.root, enabledTypes: [SCP], at: new Date().toISOString(), withoutFullAwsAccess: [Big.allowListOu] } as Parameters<LocalEnvironment['desired']['recordRootTypes']>[0]);
  });
  afterAll(() => env.stop());
  afterEach(() => env.organizationsEndpoint?.faults.clearScripts());
  const org = () => env.organization!;

  it('re-enables SCPs, puts back every protected attachment, and keeps FullAWSAccess off the allow-list OU', async () => {
    org().disablePolicyType(SCP, Big.root);

    const result = await restoreHandler(env)(restoreInput(disabled()));

    expect(result.outcome).toBe('RESTORED');
    expect(result.actions[0]).toMatchObject({ call: 'EnablePolicyType', targetId: Big.root, result: 'done' });
    expect(protectedPairs.filter(([policyId, targetId]) => !org().isAttached(policyId, targetId))).toEqual([]);
    expect(org().isAttached(Big.fullAccess, Big.allowListOu)).toBe(false);
    expect(result.actions).toContainEqual({ call: 'DetachPolicy', policyId: Big.fullAccess, targetId: Big.allowListOu, result: 'done' });
    expect(result.actions.filter((action) => action.call === 'AttachPolicy' && action.result === 'done')).toHaveLength(protectedPairs.length);
  });

  it('does not bring back attachments nobody protects', async () => {
    expect(unprotectedPairs.filter(([policyId, targetId]) => org().isAttached(policyId, targetId))).toEqual([]);
  });

  it('finds everything already so on a retry after a lost answer', async () => {
    const result = await restoreHandler(env)(restoreInput(disabled()));

    expect(result.outcome).toBe('RESTORED');
    expect(result.actions.filter((action) => action.result !== 'already')).toEqual([]);
  });

  it('restores the rules\' explicit pairs when the desired state cannot be read, and fails for the rest', async () => {
    org().disablePolicyType(SCP, Big.root);
    const unreadable = async () => {
      throw new AuditStoreUnavailableError('DynamoDB did not answer');
    };

    const result = await restoreHandler(env, { desired: { pairs: unreadable, contents: unreadable, rootTypes: unreadable } })(restoreInput(disabled()));

    expect(result).toMatchObject({ outcome: 'FAILED', cause: expect.stringContaining('the desired state could not be read (AuditStore.Unavailable: DynamoDB did not answer)') });
    expect(protectedPairs.filter(([policyId]) => policyId === Big.guardrail).every(([policyId, targetId]) => org().isAttached(policyId, targetId))).toBe(true);
    expect(org().isAttached(Big.allowList, Big.allowListOu)).toBe(true);
    expect(org().isAttached(Big.fullAccess, Big.allowListOu)).toBe(false);
    expect(org().isAttached(Big.denyLeave, Big.root)).toBe(false);
  });

  it('throws an outage of EnablePolicyType with the name the workflow retries', async () => {
    env.organizationsEndpoint?.faults.script('EnablePolicyType', ['ServiceException']);
    org().disablePolicyType(SCP, Big.root);

    await expect(restoreHandler(env)(restoreInput(disabled()))).rejects.toMatchObject({ name: 'Organizations.ServiceException' });
  });

  it('reports a permanent refusal of EnablePolicyType as FAILED with its reason', async () => {
    env.organizationsEndpoint?.faults.script('EnablePolicyType', ['AccessDeniedException']);

    const result = await restoreHandler(env)(restoreInput(disabled()));

    expect(result).toMatchObject({ outcome: 'FAILED', cause: expect.stringContaining('AccessDeniedException'), actions: [{ call: 'EnablePolicyType', result: 'failed' }] });
  });
});

describe('RestoreProtection of a disabled policy type under AttachPolicy rate limiting', () => {
  let env: LocalEnvironment;
  beforeAll(async () => {
    // AttachPolicy's own bucket: 8 at once, 10 a second after that; the restoration takes several attempts.
    env = await startEnvironment({ rules: bigRules(), organization: bigOrganization(), faults: { rateLimit: { requestsPerSecond: 10, burst: 8 }, operations: ['AttachPolicy'] } });
    await seedPairs(env, protectedPairs);
    await env.desired.recordRootTypes({ rootId: Big.root, enabledTypes: [SCP], at: new Date().toISOString(), withoutFullAwsAccess: [Big.allowListOu] } as Parameters<LocalEnvironment['desired']['recordRootTypes']>[0]);
  });
  afterAll(() => env.stop());
  const org = () => env.organization!;

  it('makes progress on every attempt: no attempt repeats an attachment an earlier one made', async () => {
    org().disablePolicyType(SCP, Big.root);
    const endpoint = env.organizationsEndpoint!;
    endpoint.clearLog();
    const incident = disabled();
    const attempts: string[][] = [];
    let result: Awaited<ReturnType<ReturnType<typeof restoreHandler>>> | undefined;

    for (let attempt = 0; attempt < 20 && result === undefined; attempt++) {
      const from = endpoint.requestLog.length;
      try {
        result = await restoreHandler(env)(restoreInput(incident));
      } catch (error) {
        expect(error).toMatchObject({ name: 'Organizations.TooManyRequestsException' });
      }
      attempts.push(endpoint.requestLog.slice(from).filter((entry) => entry.operation === 'AttachPolicy').map((entry) => `${entry.input.PolicyId} ${entry.input.TargetId} ${entry.status}`));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    expect(result?.outcome).toBe('RESTORED');
    expect(attempts.length).toBeGreaterThan(1);
    const attachedBy = attempts.map((requests) => requests.filter((line) => line.endsWith(' 200')).map((line) => line.replace(/ 200$/, '')));
    for (let later = 1; later < attempts.length; later++) {
      const earlier = new Set(attachedBy.slice(0, later).flat());
      expect(attempts[later].map((line) => line.replace(/ \d+$/, '')).filter((pair) => earlier.has(pair))).toEqual([]);
    }
    // Every protected pair attached exactly once in all (FullAWSAccess came back with the re-enable).
    expect(attachedBy.flat().sort()).toEqual(protectedPairs.map(([policyId, targetId]) => `${policyId} ${targetId}`).sort());
    expect(protectedPairs.filter(([policyId, targetId]) => !org().isAttached(policyId, targetId))).toEqual([]);
    expect(org().isAttached(Big.fullAccess, Big.allowListOu)).toBe(false);
  });
});

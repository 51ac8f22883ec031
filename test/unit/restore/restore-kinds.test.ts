import { PolicyType } from '../../../functions/shared/vocabulary';
import type { LocalEnvironment } from '../../../local/environment';
import { Org, startEnvironment, testRules } from '../../support/local-harness';
import { kindIncident, restoreHandler, restoreInput, seedPairs, sha256 } from './support';

const Regulated = { ou: 'ou-a1b2-r8n2qv4j', allowList: 'p-allowlist1' } as const;
const SecurityOu = 'ou-a1b2-k3x9p2m7';
const DENY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'DenyLeaveOrganization', Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] });
const ALLOW = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'DenyLeaveOrganization', Effect: 'Allow', Action: 'organizations:LeaveOrganization', Resource: '*' }] });

const rules = (restoreContent: boolean) =>
  testRules({
    forbid: [{ policyId: Org.fullAccess, targets: [Regulated.ou], mode: 'auto', description: 'Regulated runs an allow-list SCP' }],
    policyContent: { mode: 'auto', restore: restoreContent },
  });

describe('RestoreProtection against the local organization', () => {
  let env: LocalEnvironment;
  let restore: ReturnType<typeof restoreHandler>;
  beforeAll(async () => {
    env = await startEnvironment({ rules: rules(true) });
    restore = restoreHandler(env);
  });
  afterAll(() => env.stop());
  afterEach(() => env.organizationsEndpoint?.faults.clearScripts());
  const org = () => env.organization!;

  describe('ACCOUNT_MOVED', () => {
    const move = { accountId: Org.sandboxAccount, sourceParentId: Org.sandboxOu, destinationParentId: Org.prodOu };
    const incident = () => kindIncident({ kind: 'ACCOUNT_MOVED', move, target: { id: Org.sandboxAccount, type: 'ACCOUNT' } });

    it('moves the account back to the parent it was moved from', async () => {
      org().moveAccount(move.accountId, move.sourceParentId, move.destinationParentId);

      const result = await restore(restoreInput(incident()));

      expect(result).toMatchObject({ outcome: 'RESTORED', actions: [{ call: 'MoveAccount', targetId: Org.sandboxAccount, result: 'done', detail: `from ${Org.prodOu} to ${Org.sandboxOu}` }] });
      expect(org().parentOf(Org.sandboxAccount).id).toBe(Org.sandboxOu);
    });

    it('finds the account already back on a retry after a lost answer', async () => {
      const result = await restore(restoreInput(incident()));

      expect(result).toMatchObject({ outcome: 'RESTORED', actions: [{ call: 'MoveAccount', result: 'already' }] });
    });

    it('reports a parent that no longer exists as FAILED with the reason', async () => {
      org().moveAccount(move.accountId, move.sourceParentId, move.destinationParentId);

      const result = await restore(restoreInput(kindIncident({ kind: 'ACCOUNT_MOVED', move: { ...move, sourceParentId: 'ou-a1b2-gone0000' } })));
      org().moveAccount(move.accountId, move.destinationParentId, move.sourceParentId);

      expect(result).toMatchObject({ outcome: 'FAILED', cause: expect.stringContaining('DestinationParentNotFoundException'), actions: [{ call: 'MoveAccount', result: 'failed' }] });
    });

    it('throws throttling with the name the workflow retries', async () => {
      env.organizationsEndpoint?.faults.script('ListParents', ['TooManyRequestsException']);

      await expect(restore(restoreInput(incident()))).rejects.toMatchObject({ name: 'Organizations.TooManyRequestsException' });
    });
  });

  describe('FORBIDDEN_ATTACHED', () => {
    const incident = (targetId: string) => kindIncident({ kind: 'FORBIDDEN_ATTACHED', policy: { id: Org.fullAccess }, target: { id: targetId }, forbid: { index: 0 } });

    it('detaches the forbidden policy from the target', async () => {
      org().attachPolicy(Org.fullAccess, Regulated.ou);

      const result = await restore(restoreInput(incident(Regulated.ou)));

      expect(result).toMatchObject({ outcome: 'RESTORED', actions: [{ call: 'DetachPolicy', policyId: Org.fullAccess, targetId: Regulated.ou, result: 'done' }] });
      expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);
    });

    it('finds it already detached on a retry', async () => {
      const result = await restore(restoreInput(incident(Regulated.ou)));

      expect(result).toMatchObject({ outcome: 'RESTORED', actions: [{ result: 'already' }] });
    });

    it('throws the last SCP of a target as RestoreBlocked, naming the constraint, for the rounds of retries', async () => {
      await expect(restore(restoreInput(incident(SecurityOu)))).rejects.toMatchObject({
        name: 'RestoreBlocked',
        message: expect.stringContaining('MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED'),
      });
      expect(org().isAttached(Org.fullAccess, SecurityOu)).toBe(true);
    });

    it('reports another constraint of the detach as FAILED, naming it', async () => {
      org().attachPolicy(Org.fullAccess, Regulated.ou);
      env.organizationsEndpoint?.faults.script('DetachPolicy', ['AccessDeniedException']);

      const result = await restore(restoreInput(incident(Regulated.ou)));
      org().detachPolicy(Org.fullAccess, Regulated.ou);

      expect(result).toMatchObject({ outcome: 'FAILED', cause: expect.stringContaining('AccessDeniedException') });
    });

    it('throws an outage with the name the workflow retries', async () => {
      env.organizationsEndpoint?.faults.script('DetachPolicy', ['ServiceException']);

      await expect(restore(restoreInput(incident(Regulated.ou)))).rejects.toMatchObject({ name: 'Organizations.ServiceException' });
    });
  });

  describe('POLICY_CHANGED', () => {
    const incident = () => kindIncident({ kind: 'POLICY_CHANGED', policy: { id: Org.denyLeave, type: PolicyType.SERVICE_CONTROL_POLICY }, change: { content: ALLOW, contentHash: sha256(ALLOW) } });
    beforeAll(async () => {
      org().updatePolicy(Org.denyLeave, { content: DENY });
      await env.desired.recordContent({ policyId: Org.denyLeave, type: PolicyType.SERVICE_CONTROL_POLICY, content: DENY, hash: sha256(DENY), at: new Date().toISOString() });
    });

    it('puts the last known content back, with a readable diff', async () => {
      org().updatePolicy(Org.denyLeave, { content: ALLOW });

      const result = await restore(restoreInput(incident()));

      expect(result).toMatchObject({
        outcome: 'RESTORED',
        actions: [{ call: 'UpdatePolicy', policyId: Org.denyLeave, result: 'done' }],
        report: { diff: ['changed DenyLeaveOrganization: Effect Deny → Allow'], lastKnownContent: DENY },
      });
      expect(org().policy(Org.denyLeave).contentText).toBe(DENY);
    });

    it('finds the content already back on a retry', async () => {
      const result = await restore(restoreInput(incident()));

      expect(result).toMatchObject({ outcome: 'RESTORED', actions: [{ call: 'UpdatePolicy', result: 'already' }] });
    });

    it('only reports the diff when policyContent.restore is false', async () => {
      org().updatePolicy(Org.denyLeave, { content: ALLOW });
      const observe = restoreHandler(env, { rules: rules(false) });

      const result = await observe(restoreInput(incident()));
      org().updatePolicy(Org.denyLeave, { content: DENY });

      expect(result).toMatchObject({ outcome: 'OBSERVED', actions: [], report: { diff: ['changed DenyLeaveOrganization: Effect Deny → Allow'] } });
    });

    it('fails when the desired state holds no content of the policy', async () => {
      const result = await restore(restoreInput(kindIncident({ kind: 'POLICY_CHANGED', policy: { id: Org.denyRegion }, change: { content: ALLOW } })));

      expect(result).toMatchObject({ outcome: 'FAILED', cause: expect.stringContaining('no last known content') });
    });

    it('throws throttling of the read with the name the workflow retries', async () => {
      env.organizationsEndpoint?.faults.script('DescribePolicy', ['TooManyRequestsException']);

      await expect(restore(restoreInput(incident()))).rejects.toMatchObject({ name: 'Organizations.TooManyRequestsException' });
    });
  });

  describe('POLICY_DELETED', () => {
    it('reports the last known content and every target it was desired on, FAILED', async () => {
      const content = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }] });
      await env.desired.recordContent({ policyId: 'p-deleted01', content, hash: sha256(content), at: new Date().toISOString() });
      await seedPairs(env, [['p-deleted01', Org.prodOu], ['p-deleted01', Org.root]]);

      const result = await restore(restoreInput(kindIncident({ kind: 'POLICY_DELETED', policy: { id: 'p-deleted01' } })));

      expect(result).toMatchObject({
        outcome: 'FAILED',
        report: { lastKnownContent: content, desiredTargets: [Org.prodOu, Org.root].sort() },
        cause: expect.stringMatching(/^the policy was deleted: it cannot return under its id; recreate it from its last known content and attach it to /),
      });
    });

    it('only observes a policy the guard never held and no rule names', async () => {
      const result = await restore(restoreInput(kindIncident({ kind: 'POLICY_DELETED', policy: { id: 'p-neverseen' } })));

      expect(result.outcome).toBe('OBSERVED');
    });
  });

  describe('the deadline', () => {
    it('ends a round of retries that starts after the remediation deadline', async () => {
      const incident = kindIncident({ kind: 'FORBIDDEN_ATTACHED', policy: { id: Org.fullAccess }, target: { id: Regulated.ou } });
      const input = { ...restoreInput(incident), startedAt: new Date(Date.now() - 2 * 3600_000).toISOString(), retry: { round: 3, error: 'Organizations.ServiceException', cause: 'down' } };

      await expect(restore(input)).rejects.toMatchObject({ name: 'RemediationDeadlinePassed' });
    });
  });
});

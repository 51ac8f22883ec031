import { IncidentStatus, Priority } from '../../functions/shared/vocabulary';
import type { LocalEnvironment } from '../../local/environment';
import { Org, replay, startEnvironment, testRules } from '../support/local-harness';
import { closedActions, desiredSnapshot, guardEvent, redelivery, RESTORING_STATES, sampleEvent, waitForStatus, type Envelope } from './kinds-support';

const Regulated = { ou: 'ou-a1b2-r8n2qv4j', allowList: 'p-allowlist1' } as const;
const PROD_ACCOUNT = '333344445555';

/** The sample rules (samples/protection-rules.json) on the test rules: moves and content changes wait on a person. */
const rules = (overrides: Record<string, unknown> = {}) =>
  testRules({
    protect: [
      { policyId: Org.denyLeave, targets: '*', mode: 'auto' },
      { policyId: Org.protectCloudTrail, targets: [Org.prodOu, Org.sandboxOu], mode: 'approval' },
      { targetId: Org.prodOu, policies: '*', mode: 'auto' },
      { policyId: Regulated.allowList, targets: [Regulated.ou], mode: 'auto' },
    ],
    forbid: [{ policyId: Org.fullAccess, targets: [Regulated.ou], mode: 'auto', description: 'Regulated runs an allow-list SCP' }],
    accountMoves: { mode: 'approval' },
    policyContent: { mode: 'approval', restore: true },
    ...overrides,
  });

/**
 * Every kind of weakening other than a detached pair and a disabled type, as an event, through
 * the real ASL on the local components: the replay applies the change to the local organization
 * first (as reality would have), then the workflow runs. Each kind: restored (or asked, then
 * restored on APPROVE; or reported), the organization afterwards as the desired state says, every
 * action in the audit trail, a second delivery a DUPLICATE, and the guard's own follow-up event
 * (made as the local guard role) IGNORED_ACTOR, restoring and releasing nothing.
 */
describe('event kinds through the workflow (policyContent.restore true, moves in approval mode)', () => {
  let env: LocalEnvironment;
  beforeAll(async () => {
    env = await startEnvironment({ rules: rules() });
    // As a fresh deployment does: the first sweep records what is attached, the contents, the parents.
    await env.sweep();
  });
  afterAll(() => env.stop());
  const org = () => env.organization!;

  /** Runs an event the replay applies, waits for the decision request, decides, and waits for the end. */
  async function replayAndDecide(event: Envelope, decision: 'APPROVE' | 'OVERRIDE', reason?: string) {
    const run = replay(env, event);
    await waitForStatus(env, event.detail.eventID, IncidentStatus.AWAITING_DECISION);
    const decided = await env.decideIncident(event.detail.eventID, decision, 'U0APPROVER', reason, reason === undefined ? undefined : 60);
    expect(decided.result.status).toBe('accepted');
    return run;
  }

  /** The guard's follow-up: IGNORED_ACTOR, no restoring state, the organization and the desired state as they were. */
  async function expectIgnoredFollowUp(event: Envelope) {
    const organizationBefore = JSON.stringify(org().toJSON());
    const desiredBefore = await desiredSnapshot(env);

    // Not replayed: the guard's call already changed the organization; only its CloudTrail record comes back.
    const execution = await env.run(event).result;

    const incident = await env.trueAudit.getIncident(event.detail.eventID);
    expect(incident).toMatchObject({ verdict: 'IGNORED_ACTOR', reason: expect.stringContaining("the guard's own restoration") });
    expect(execution.statesEntered.filter((state) => RESTORING_STATES.includes(state))).toEqual([]);
    expect(JSON.stringify(org().toJSON())).toBe(organizationBefore);
    expect(await desiredSnapshot(env)).toEqual(desiredBefore);
  }

  /** A second delivery: DUPLICATE, nothing restored again, the organization unchanged. */
  async function expectDuplicate(event: Envelope) {
    const organizationBefore = JSON.stringify(org().toJSON());
    const recordBefore = await env.trueAudit.getIncident(event.detail.eventID);

    const execution = await replay(env, redelivery(event));

    expect(execution.statesEntered).toContain('StopDuplicate');
    expect(execution.statesEntered.filter((state) => RESTORING_STATES.includes(state) || state === 'RequestDecision')).toEqual([]);
    expect(JSON.stringify(org().toJSON())).toBe(organizationBefore);
    const recordAfter = await env.trueAudit.getIncident(event.detail.eventID);
    expect(recordAfter).toMatchObject({ outcome: recordBefore?.outcome, actions: recordBefore?.actions });
  }

  describe('ACCOUNT_MOVED (sample 10: prod-payments moved out of Prod)', () => {
    const event = sampleEvent('10-account-moved-out-of-prod.json');
    const id = event.detail.eventID as string;

    it('asks, then on APPROVE moves the account back to the parent the desired state holds', async () => {
      const execution = await replayAndDecide(event, 'APPROVE');

      expect(execution.statesEntered).toEqual(expect.arrayContaining(['ClassifyEvent', 'RequestDecision', 'ChooseRestore', 'RestoreProtection', 'CloseIncident']));
      expect(await env.trueAudit.getIncident(id)).toMatchObject({ kind: 'ACCOUNT_MOVED', verdict: 'PROTECTED', decision: 'APPROVE', outcome: 'RESTORED', status: 'CLOSED' });
      expect(org().parentOf(PROD_ACCOUNT).id).toBe(Org.prodOu);
      expect((await env.desired.parents()).get(PROD_ACCOUNT)?.parentId).toBe(Org.prodOu);
    });

    it('names the MoveAccount in the incident and in its closing step', async () => {
      const move = { call: 'MoveAccount', targetId: PROD_ACCOUNT, result: 'done', detail: `from ${Org.sandboxOu} to ${Org.prodOu}` };
      expect((await env.trueAudit.getIncident(id))?.actions).toEqual([move]);
      expect(await closedActions(env, id)).toEqual([move]);
    });

    it('stops a second delivery as a duplicate', () => expectDuplicate(event));

    it("starts nothing for the guard's own MoveAccount back", () =>
      expectIgnoredFollowUp(guardEvent('MoveAccount', { accountId: PROD_ACCOUNT, sourceParentId: Org.sandboxOu, destinationParentId: Org.prodOu })));
  });

  describe('POLICY_CHANGED (sample 11: ProtectCloudTrail rewritten Deny to Allow), restored on APPROVE', () => {
    const event = sampleEvent('11-policy-changed-deny-to-allow.json');
    const id = event.detail.eventID as string;
    let accepted: string | undefined;

    it('asks, then on APPROVE writes the last known content back with UpdatePolicy', async () => {
      accepted = (await env.desired.contents()).get(Org.protectCloudTrail)?.content;
      expect(accepted).toContain('"Deny"');

      const execution = await replayAndDecide(event, 'APPROVE');

      expect(execution.statesEntered).toEqual(expect.arrayContaining(['RequestDecision', 'RestoreProtection', 'CloseIncident']));
      const incident = await env.trueAudit.getIncident(id);
      expect(incident).toMatchObject({ kind: 'POLICY_CHANGED', decision: 'APPROVE', outcome: 'RESTORED', status: 'CLOSED' });
      expect(incident?.report?.diff?.join('\n')).toMatch(/Deny|Allow/);
      expect(org().policy(Org.protectCloudTrail).contentText).toBe(accepted);
      expect((await env.desired.contents()).get(Org.protectCloudTrail)?.content).toBe(accepted);
    });

    it('names the UpdatePolicy in the incident and in its closing step', async () => {
      const update = { call: 'UpdatePolicy', policyId: Org.protectCloudTrail, result: 'done', detail: expect.stringMatching(/^content back to hash [0-9a-f]{12}/) };
      expect((await env.trueAudit.getIncident(id))?.actions).toEqual([update]);
      expect(await closedActions(env, id)).toEqual([update]);
    });

    it('stops a second delivery as a duplicate', () => expectDuplicate(event));

    it("starts nothing for the guard's own UpdatePolicy back", () =>
      expectIgnoredFollowUp(guardEvent('UpdatePolicy', { policyId: Org.protectCloudTrail, content: accepted })));
  });

  describe('FORBIDDEN_ATTACHED (sample 14: FullAWSAccess on the allow-list OU)', () => {
    const event = sampleEvent('14-forbidden-fullawsaccess-on-allowlist-ou.json');
    const id = event.detail.eventID as string;

    it('detaches FullAWSAccess from the OU again, and keeps the allow-list SCP on it', async () => {
      expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);

      const execution = await replay(env, event);

      expect(execution.statesEntered).toEqual(expect.arrayContaining(['ChooseRestore', 'RestoreProtection', 'CloseIncident']));
      expect(execution.statesEntered).not.toContain('RequestDecision');
      expect(await env.trueAudit.getIncident(id)).toMatchObject({ kind: 'FORBIDDEN_ATTACHED', decision: 'AUTO', outcome: 'RESTORED', status: 'CLOSED' });
      expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);
      expect(org().isAttached(Regulated.allowList, Regulated.ou)).toBe(true);
    });

    it('names the DetachPolicy in the incident and in its closing step', async () => {
      const detach = { call: 'DetachPolicy', policyId: Org.fullAccess, targetId: Regulated.ou, result: 'done' };
      expect((await env.trueAudit.getIncident(id))?.actions).toEqual([detach]);
      expect(await closedActions(env, id)).toEqual([detach]);
    });

    it('stops a second delivery as a duplicate', () => expectDuplicate(event));

    it("starts nothing for the guard's own DetachPolicy of FullAWSAccess", () =>
      expectIgnoredFollowUp(guardEvent('DetachPolicy', { policyId: Org.fullAccess, targetId: Regulated.ou })));

    it("starts nothing for the guard's own AttachPolicy of a desired pair", () =>
      expectIgnoredFollowUp(guardEvent('AttachPolicy', { policyId: Regulated.allowList, targetId: Regulated.ou })));
  });

  describe('POLICY_DELETED (sample 13: DenyLeaveOrganization deleted after its detach)', () => {
    const event = sampleEvent('13-policy-deleted-after-detach.json');
    const id = event.detail.eventID as string;
    let content: string | undefined;

    it('reports the deletion as FAILED with the last known content and every target it was desired on', async () => {
      content = (await env.desired.contents()).get(Org.denyLeave)?.content;
      // The detach before it came by no event (DeletePolicy of an attached policy is PolicyInUseException).
      org().detachPolicy(Org.denyLeave, Org.root);

      const execution = await replay(env, event);

      expect(execution.statesEntered).toEqual(expect.arrayContaining(['ChooseRestore', 'RestoreProtection', 'CloseIncident']));
      const incident = await env.trueAudit.getIncident(id);
      expect(incident).toMatchObject({ kind: 'POLICY_DELETED', outcome: 'FAILED', status: 'CLOSED', cause: expect.stringContaining('cannot return under its id') });
      expect(incident?.incident.priority).toBe(Priority.CRITICAL);
      expect(incident?.report).toEqual({ desiredTargets: [Org.root], lastKnownContent: content });
      expect(() => org().policy(Org.denyLeave)).toThrow("We can't find a policy");
    });

    it('names no write in the audit trail (nothing can be written), and releases nothing', async () => {
      expect((await env.trueAudit.getIncident(id))?.actions ?? []).toEqual([]);
      expect(await closedActions(env, id)).toEqual([]);
      expect((await env.desired.pairs({ policyId: Org.denyLeave })).get(`${Org.denyLeave} ${Org.root}`)).toMatchObject({ desired: true });
    });

    it('stops a second delivery as a duplicate', () => expectDuplicate(event));
  });
});

describe('event kinds through the workflow (policyContent.restore false, forbid in approval mode)', () => {
  let env: LocalEnvironment;
  beforeAll(async () => {
    env = await startEnvironment({
      rules: rules({
        policyContent: { mode: 'approval', restore: false },
        forbid: [{ policyId: Org.fullAccess, targets: [Regulated.ou], mode: 'approval', description: 'Regulated runs an allow-list SCP' }],
      }),
    });
    await env.sweep();
  });
  afterAll(() => env.stop());
  const org = () => env.organization!;

  describe('POLICY_CHANGED, reported only', () => {
    const event = sampleEvent('11-policy-changed-deny-to-allow.json');
    const id = event.detail.eventID as string;

    it('ends OBSERVED with a diff of the statements, asks nobody and writes nothing', async () => {
      const accepted = (await env.desired.contents()).get(Org.protectCloudTrail);

      const execution = await replay(env, event);

      expect(execution.statesEntered).not.toContain('RequestDecision');
      const incident = await env.trueAudit.getIncident(id);
      expect(incident).toMatchObject({ kind: 'POLICY_CHANGED', verdict: 'PROTECTED', outcome: 'OBSERVED', status: 'CLOSED' });
      expect(incident?.report?.diff?.length).toBeGreaterThan(0);
      expect(incident?.report?.lastKnownContent).toBe(accepted?.content);
      expect(incident?.actions ?? []).toEqual([]);
      expect(await closedActions(env, id)).toEqual([]);
      // The organization keeps the new content; the desired state keeps the accepted one until a sweep takes the reported one in.
      expect(org().policy(Org.protectCloudTrail).contentText).toBe(event.detail.requestParameters.content);
      expect((await env.desired.contents()).get(Org.protectCloudTrail)?.hash).toBe(accepted?.hash);
    });

    it('stops a second delivery as a duplicate', async () => {
      const execution = await replay(env, redelivery(event));

      expect(execution.statesEntered).toContain('StopDuplicate');
      expect(execution.statesEntered).not.toContain('RestoreProtection');
    });
  });

  describe('FORBIDDEN_ATTACHED kept by an OVERRIDE', () => {
    const event = sampleEvent('14-forbidden-fullawsaccess-on-allowlist-ou.json');
    const id = event.detail.eventID as string;

    it('ends OVERRIDDEN with FullAWSAccess left on, and records no desired pair for the forbidden one', async () => {
      const before = await desiredSnapshot(env);
      const run = replay(env, event);
      await waitForStatus(env, id, IncidentStatus.AWAITING_DECISION);

      await env.decideIncident(id, 'OVERRIDE', 'U0APPROVER', 'migration CHG-12', 60);
      const execution = await run;

      expect(execution.statesEntered).not.toContain('RestoreProtection');
      expect(await env.trueAudit.getIncident(id)).toMatchObject({ kind: 'FORBIDDEN_ATTACHED', outcome: 'OVERRIDDEN', status: 'CLOSED' });
      expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(true);
      // The pair is a forbidden one, never a desired one: an override releases nothing.
      expect(await env.desired.pairHistory(Org.fullAccess, Regulated.ou)).toEqual([]);
      expect(await desiredSnapshot(env)).toEqual(before);
    });
  });
});

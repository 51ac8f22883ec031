import { AuditStoreUnavailableError, ErrorName } from '../../functions/shared/errors';
import type { LocalEnvironment, LocalEnvironmentOptions } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment, testRules } from '../support/local-harness';

/**
 * The fail-safe paths of the real ASL: any error that is not a genuine decision timeout
 * restores the protection, and anything the workflow could not do or record fails the
 * execution at its end (so the alarm fires) without holding the restoration up.
 */
describe('the workflow fails to the safe side', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    jest.restoreAllMocks();
    await env?.stop();
    env = undefined;
  });

  async function start(options: Partial<LocalEnvironmentOptions> = {}): Promise<LocalEnvironment> {
    env = await startEnvironment(options);
    return env;
  }

  const idOf = (event: Record<string, unknown>) => (event.detail as { eventID: string }).eventID;
  const unavailable = () => new AuditStoreUnavailableError('DynamoDB did not answer (test)');
  const keepDetachedRules = () => testRules({ approval: { timeoutMinutes: 15, onTimeout: 'keep-detached', approvers: ['U0APPROVER'] } });

  describe('classification', () => {
    it('restores a covered pair from the rules alone when the classify function keeps being throttled, then fails the execution', async () => {
      const local = await start();
      const retries = 6;
      local.workflow.scriptLambdaErrors('classify', Array(retries + 1).fill('Lambda.TooManyRequestsException'));
      const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

      const execution = await replay(local, event);

      const incident = await local.audit.getIncident(idOf(event));
      expect(execution.statesEntered).toEqual(expect.arrayContaining(['ClassifyEvent', 'ClassifyFromRulesAlone', 'AttachPolicy']));
      expect(incident).toMatchObject({ verdict: 'PROTECTED', outcome: 'REATTACHED' });
      expect(incident?.incident.enrichmentErrors).toEqual([expect.stringContaining('Lambda.TooManyRequestsException')]);
      expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
      expect(execution).toMatchObject({ status: 'FAILED', error: ErrorName.CLASSIFICATION_FAILED });
    });

    it('records an event nothing could classify as it arrived, and fails the execution', async () => {
      const local = await start();
      local.workflow.scriptLambdaErrors('classify', Array(14).fill('Error'));
      const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

      const execution = await replay(local, event);

      const executionName = execution.executionArn.split(':').pop();
      const incident = await local.audit.getIncident(`unclassified-${executionName}`);
      expect(execution).toMatchObject({ status: 'FAILED', error: ErrorName.CLASSIFICATION_FAILED });
      expect(incident).toMatchObject({ verdict: 'INVALID', outcome: 'FAILED', status: 'CLOSED' });
      expect(incident?.incident.invalid?.excerpt).toContain(idOf(event));
    });
  });

  describe('approval', () => {
    it('restores the protection, and does not apply keep-detached, when the decision item cannot be written', async () => {
      const local = await start({ rules: keepDetachedRules() });
      jest.spyOn(local.decisions, 'create').mockRejectedValue(unavailable());
      const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });

      const execution = await replay(local, event);

      const incident = await local.audit.getIncident(idOf(event));
      expect(execution.statesEntered).toEqual(expect.arrayContaining(['RequestDecision', 'DecisionFailed', 'AttachPolicy']));
      expect(execution.statesEntered).not.toContain('DecisionTimedOut');
      expect(incident).toMatchObject({ outcome: 'REATTACHED', decision: 'AUTO' });
      expect(incident?.decisionReason).toMatch(/^fail-safe: the request for a decision failed \(AuditStore\.Unavailable\)/);
      expect(local.organization?.isAttached(Org.protectCloudTrail, Org.sandboxOu)).toBe(true);
    });

    it('restores the protection when nobody can be asked, instead of letting the window run out', async () => {
      const local = await start({ rules: keepDetachedRules() });
      local.sns.failNext(50);
      local.slackStandIn?.failNext('chat.postMessage', 'channel_not_found');
      const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });

      await replay(local, event);

      const incident = await local.audit.getIncident(idOf(event));
      expect(incident).toMatchObject({ outcome: 'REATTACHED', decision: 'AUTO' });
      expect(incident?.decisionReason).toContain(ErrorName.DECISION_NOT_REQUESTED);
      expect(local.organization?.isAttached(Org.protectCloudTrail, Org.sandboxOu)).toBe(true);
    });

    it('keeps the policy detached under keep-detached only when the window really runs out', async () => {
      const local = await start({ rules: keepDetachedRules(), approvalTimeoutSeconds: 1 });
      const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });

      const execution = await replay(local, event);

      expect(execution.statesEntered).toContain('CheckForLateDecision');
      expect(await local.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'OVERRIDDEN', decision: 'TIMEOUT' });
      expect(local.organization?.isAttached(Org.protectCloudTrail, Org.sandboxOu)).toBe(false);
    });

    it('still asks for a decision when the claim could not be recorded, and records the incident late', async () => {
      let requested: string | undefined;
      const local = await start({ onDecisionRequested: ({ decisionId }) => (requested = decisionId) });
      jest.spyOn(local.audit, 'claimIncident').mockRejectedValueOnce(unavailable()).mockRejectedValueOnce(unavailable());
      const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
      const run = replay(local, event);
      const deadline = Date.now() + 20_000;
      while (requested === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));

      const decided = await local.decide({ decisionId: requested ?? '', decision: 'APPROVE', by: 'local:test', via: 'cli' });
      const execution = await run;

      const awaiting = local.sns.published.filter((m) => m.attributes.incidentId === idOf(event) && m.attributes.phase === 'awaiting-decision');
      expect(awaiting).toHaveLength(1);
      expect(decided.status).toBe('accepted');
      expect(await local.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED', status: 'CLOSED' });
      expect(execution.status).toBe('SUCCEEDED');
    });
  });

  describe('hung calls', () => {
    it('retries an AttachPolicy that never answers (the function times out) and reattaches', async () => {
      const local = await start({ functionTimeoutsMs: { reattach: 500 } });
      // The workflow's own first attempt hangs (its Task timeout), then the reattach function's (the function's timeout).
      local.organizationsEndpoint?.faults.script('AttachPolicy', ['hang', 'hang']);
      const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

      const execution = await replay(local, event);

      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.retries).toBeGreaterThanOrEqual(1);
      expect(await local.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED' });
      expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
    });
  });
});

describe('rounds of retries that never reach the function', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  it('end after as many rounds as the deadline has minutes, even when the function never runs to check the deadline', async () => {
    const local = (env = await startEnvironment({ rules: testRules({ remediation: { deadlineMinutes: 5 } }) }));
    local.workflow.scriptIntegrationErrors('organizations:attachPolicy', [ErrorName.ORG_SERVICE]);
    local.workflow.scriptLambdaErrors('reattach', Array(200).fill('Lambda.TooManyRequestsException'));
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    const incident = await local.audit.getIncident((event.detail as { eventID: string }).eventID);
    expect(execution).toMatchObject({ status: 'FAILED', error: ErrorName.REMEDIATION_FAILED });
    expect(execution.statesEntered).toContain('MarkRoundsExhausted');
    expect(incident?.cause).toMatch(/^retries exhausted: RemediationDeadlinePassed: more rounds of retries \(6\) than the remediation deadline allows; the last error: Lambda\.TooManyRequestsException/);
  });
});

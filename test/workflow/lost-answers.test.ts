import { AuditStoreUnavailableError, ErrorName } from '../../functions/shared/errors';
import type { LocalEnvironment, LocalEnvironmentOptions } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment, testRules } from '../support/local-harness';

/**
 * Calls that land but whose answers are lost (a timeout, a 5xx after the write, a reset): the
 * workflow must neither lose a decision nor a request for one, nor name a restoration wrongly.
 */
describe('when an answer is lost on the way back', () => {
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
  const lost = () => new AuditStoreUnavailableError('the answer was lost (test)');
  const keepDetachedRules = () => testRules({ approval: { timeoutMinutes: 15, onTimeout: 'keep-detached', approvers: ['U0APPROVER'] } });
  const until = async (done: () => boolean, ms = 20_000) => {
    const deadline = Date.now() + ms;
    while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  };

  it('asks for the decision on a retry whose first attempt recorded the request but lost the answer before asking', async () => {
    const requests: string[] = [];
    const local = await start({ onDecisionRequested: ({ decisionId }) => requests.push(decisionId) });
    const advance = local.audit.advance.bind(local.audit);
    jest.spyOn(local.audit, 'advance').mockImplementationOnce(async (...args: Parameters<typeof advance>) => {
      await advance(...args);
      throw lost();
    });
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
    const run = replay(local, event);
    await until(() => requests.length > 0);

    const decided = await local.decide({ decisionId: requests[0], decision: 'APPROVE', by: 'local:test', via: 'cli' });
    const execution = await run;

    const asked = local.sns.published.filter((m) => m.attributes.incidentId === idOf(event) && m.attributes.phase === 'awaiting-decision');
    expect(asked).toHaveLength(1);
    expect(decided.status).toBe('accepted');
    expect(execution.status).toBe('SUCCEEDED');
    expect(await local.audit.getIncident(idOf(event))).toMatchObject({ decision: 'APPROVE', outcome: 'REATTACHED' });
  });

  it('applies a decision recorded in time whose delivery failed, not the rule\'s keep-detached', async () => {
    let requested: string | undefined;
    const local = await start({ rules: keepDetachedRules(), approvalTimeoutSeconds: 2, onDecisionRequested: ({ decisionId }) => (requested = decisionId) });
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
    const run = replay(local, event);
    await until(() => requested !== undefined);

    // What a decide() that recorded the decision and then died before SendTaskSuccess leaves behind.
    await local.decisions.record(requested ?? '', 'APPROVE', 'U0APPROVER', new Date().toISOString());
    const execution = await run;

    expect(execution.statesEntered).toEqual(expect.arrayContaining(['CheckForLateDecision', 'AttachPolicy']));
    expect(await local.audit.getIncident(idOf(event))).toMatchObject({ decision: 'APPROVE', decidedBy: 'U0APPROVER', outcome: 'REATTACHED' });
    expect(local.organization?.isAttached(Org.protectCloudTrail, Org.sandboxOu)).toBe(true);
  });

  it('stops a redelivery whose claim failed instead of taking over the first execution\'s decision', async () => {
    const requests: { incidentId: string; decisionId: string }[] = [];
    const local = await start({ onDecisionRequested: (request) => requests.push(request) });
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.prodOu });
    const first = replay(local, event);
    await until(() => requests.length > 0);
    jest.spyOn(local.audit, 'claimIncident').mockRejectedValueOnce(lost()).mockRejectedValueOnce(lost());

    const redelivery = await local.run(event).result;
    const decided = await local.decide({ decisionId: requests[0].decisionId, decision: 'OVERRIDE', by: 'local:test', reason: 'migration CHG-9', via: 'cli' });
    const execution = await first;

    expect(redelivery.status).toBe('SUCCEEDED');
    expect(redelivery.statesEntered).toContain('StopDuplicate');
    expect(decided.status).toBe('accepted');
    expect(await local.audit.getIncident(idOf(event))).toMatchObject({ decision: 'OVERRIDE', outcome: 'OVERRIDDEN', executionArn: execution.executionArn });
  });

  it('calls a policy its own unanswered AttachPolicy put back REATTACHED, not ALREADY_ATTACHED', async () => {
    const local = await start({ organizationsRequestTimeoutMs: 300 });
    local.organizationsEndpoint?.faults.script('AttachPolicy', ['apply-then-hang']);
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.status).toBe('SUCCEEDED');
    expect(await local.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED' });
  });

  it('says the policy was attached when only its confirmation failed, and still fails the execution', async () => {
    const local = await start();
    local.organizationsEndpoint?.faults.script('ListPoliciesForTarget', ['AccessDeniedException']);
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    const incident = await local.audit.getIncident(idOf(event));
    const closing = local.sns.published.find((m) => m.attributes.incidentId === idOf(event) && m.attributes.phase === 'closed');
    expect(execution).toMatchObject({ status: 'FAILED', error: ErrorName.REMEDIATION_FAILED });
    expect(incident?.cause).toMatch(/^attached but not confirmed \(AttachPolicy: attached( at .*)?\); the confirmation failed: Organizations\.AccessDeniedException/);
    expect(closing?.subject).toContain('attached, NOT CONFIRMED');
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
  });
});

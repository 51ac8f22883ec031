import type { LocalEnvironment } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment, TEST_SLACK, testRules } from '../support/local-harness';

/** The real ASL on aws-local-stepfunctions, the real handlers, DynamoDB Local, the local org. */
describe('remediation workflow', () => {
  let env: LocalEnvironment;
  let onDecisionRequested: (request: { incidentId: string; decisionId: string }) => void = () => {};

  beforeAll(async () => {
    env = await startEnvironment({ onDecisionRequested: (request) => onDecisionRequested(request) });
  });
  afterAll(() => env.stop());
  beforeEach(() => {
    onDecisionRequested = () => {};
    env.organizationsEndpoint?.faults.clearScripts();
  });

  const attached = (policyId: string, targetId: string) => env.organization?.isAttached(policyId, targetId);

  it('reattaches a protected SCP at once in auto mode', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(env, event);

    const incident = await env.audit.getIncident((event.detail as { eventID: string }).eventID);
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['ClassifyEvent', 'ClaimIncident', 'DecideAutomatically', 'AttachPolicy', 'ConfirmAttachment', 'NotifyDetected', 'CloseIncident', 'NotifyOutcome', 'Done']));
    expect(incident).toMatchObject({ verdict: 'PROTECTED', mode: 'auto', decision: 'AUTO', outcome: 'REATTACHED', status: 'CLOSED' });
    expect(attached(Org.denyLeave, Org.root)).toBe(true);
  });

  it('reattaches once an approver approves', async () => {
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
    onDecisionRequested = ({ decisionId }) => void env.decide({ decisionId, decision: 'APPROVE', by: 'U0APPROVER', team: TEST_SLACK.teamId, via: 'slack' });

    const execution = await replay(env, event);

    const incident = await env.audit.getIncident((event.detail as { eventID: string }).eventID);
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['RequestDecision', 'IsApproved', 'AdmitAttachment', 'AttachPolicy']));
    expect(incident).toMatchObject({ mode: 'approval', decision: 'APPROVE', decidedBy: 'U0APPROVER', outcome: 'REATTACHED' });
    expect(attached(Org.protectCloudTrail, Org.sandboxOu)).toBe(true);
  });

  it('keeps the policy detached when an approver overrides, with the reason recorded', async () => {
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.prodOu });
    onDecisionRequested = ({ decisionId }) =>
      void env.decide({ decisionId, decision: 'OVERRIDE', by: 'U0APPROVER', team: TEST_SLACK.teamId, reason: 'CloudTrail migration CHG-1234', via: 'slack' });

    const execution = await replay(env, event);

    const incidentId = (event.detail as { eventID: string }).eventID;
    const incident = await env.audit.getIncident(incidentId);
    const steps = (await env.audit.getTimeline(incidentId)).map((entry) => entry.step);
    expect(execution.statesEntered).not.toEqual(expect.arrayContaining(['AttachPolicy']));
    expect(execution.statesEntered).not.toContain('ReattachPolicy');
    expect(incident).toMatchObject({ decision: 'OVERRIDE', decisionReason: 'CloudTrail migration CHG-1234', outcome: 'OVERRIDDEN' });
    expect(steps).toEqual(expect.arrayContaining(['decision-requested', 'decided', 'overridden', 'closed']));
    expect(attached(Org.protectCloudTrail, Org.prodOu)).toBe(false);
  });

  it('records an unprotected detachment and changes nothing', async () => {
    const event = detachEvent({ policyId: Org.denyRegion, targetId: Org.sandboxAccount });

    const execution = await replay(env, event);

    const incident = await env.audit.getIncident((event.detail as { eventID: string }).eventID);
    expect(execution.statesEntered).toContain('MarkObserved');
    expect(incident).toMatchObject({ verdict: 'UNPROTECTED', outcome: 'OBSERVED' });
    expect(attached(Org.denyRegion, Org.sandboxAccount)).toBe(false);
    // put it back for the other tests
    env.organization?.attachPolicy(Org.denyRegion, Org.sandboxAccount);
  });

  it('handles the same event delivered twice as one incident with one AttachPolicy call', async () => {
    const event = detachEvent({ policyId: Org.denyRegion, targetId: Org.prodOu });
    const callsBefore = env.attachCalls;

    const first = await replay(env, event);
    const second = await env.run(event).result;

    const incidentId = (event.detail as { eventID: string }).eventID;
    const steps = (await env.audit.getTimeline(incidentId)).map((entry) => entry.step);
    expect(first.statesEntered).toContain('AttachPolicy');
    // The direct claim is cancelled by its conditions; the claim function tells the second delivery apart.
    expect(second.statesEntered).toEqual(['ClassifyEvent', 'IsClaimReady', 'ClaimIncident', 'ResolveClaim', 'StopDuplicate']);
    expect(env.attachCalls - callsBefore).toBe(1);
    expect(steps.filter((step) => step === 'closed')).toHaveLength(1);
    expect(steps).toContain('duplicate-delivery');
  });

  it('fails the incident and the execution when AttachPolicy fails permanently', async () => {
    const event = detachEvent({ policyId: Org.denyRegion, targetId: Org.prodOu });
    // A permanent error answers every attempt: the workflow's own first one and the reattach function's.
    env.organizationsEndpoint?.faults.script('AttachPolicy', ['AccessDeniedException', 'AccessDeniedException']);

    const execution = await replay(env, event);

    const incident = await env.audit.getIncident((event.detail as { eventID: string }).eventID);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RemediationFailed');
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['MarkFailed', 'CloseIncident', 'NotifyOutcome', 'RemediationFailed']));
    expect(incident).toMatchObject({ outcome: 'FAILED', status: 'CLOSED' });
    expect(incident?.cause).toMatch(/AccessDeniedException/);
    expect(attached(Org.denyRegion, Org.prodOu)).toBe(false);
    env.organization?.attachPolicy(Org.denyRegion, Org.prodOu);
  });

  it('rides out throttling: a 429 is reported to the admission, and the attempt in a new slot reattaches', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });
    env.organizationsEndpoint?.faults.script('AttachPolicy', ['TooManyRequestsException', 'ok']);

    const execution = await replay(env, event);

    const incidentId = (event.detail as { eventID: string }).eventID;
    const attempts = (await env.audit.getTimeline(incidentId)).filter((entry) => entry.step === 'reattach-attempt');
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['AttachPolicy', 'WasFirstAttemptThrottled', 'IsReadmissionDue', 'ReadmitAttachment', 'ReattachPolicy']));
    expect(attempts.map((entry) => entry.detail.result)).toEqual(['error', 'attached']);
    // The workflow's own first attempt, recorded by the reattach function after its own.
    expect(attempts[0].detail).toMatchObject({ error: 'Organizations.TooManyRequestsException', firstAttempt: true, transient: true });
    expect(await env.audit.getIncident(incidentId)).toMatchObject({ outcome: 'REATTACHED' });
    expect(attached(Org.denyLeave, Org.root)).toBe(true);
  });
});

describe('remediation workflow when nobody decides', () => {
  it.each([
    ['reattach', 'REATTACHED', true],
    ['keep-detached', 'OVERRIDDEN', false],
  ] as const)('applies onTimeout %s when the approval window closes', async (onTimeout, outcome, stillAttached) => {
    const env = await startEnvironment({
      rules: testRules({ approval: { timeoutMinutes: 15, onTimeout, approvers: ['U0APPROVER'] } }),
      approvalTimeoutSeconds: 1,
    });
    try {
      const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });

      const execution = await replay(env, event);

      const incidentId = (event.detail as { eventID: string }).eventID;
      const steps = (await env.audit.getTimeline(incidentId)).map((entry) => entry.step);
      expect(execution.statesEntered).toContain('CheckForLateDecision');
      expect(await env.audit.getIncident(incidentId)).toMatchObject({ decision: 'TIMEOUT', outcome });
      expect(steps).toContain('timed-out');
      expect(env.organization?.isAttached(Org.protectCloudTrail, Org.sandboxOu)).toBe(stillAttached);
    } finally {
      await env.stop();
    }
  });
});

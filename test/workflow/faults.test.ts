import { stateRetryBudget } from '../../bench/retry-budget';
import { ErrorName } from '../../functions/shared/errors';
import type { LocalEnvironment } from '../../local/environment';
import type { FaultOptions, ScriptStep } from '../../local/stand-ins/organizations/fault-injector';
import { DetachmentReplayer } from '../../local/replay';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment } from '../support/local-harness';

/**
 * Organizations faults met by the real ASL (its Retry and Catch), the real reattach handler and
 * the local endpoint. Each test has its own environment, so a fault or a deleted policy never
 * leaks into the next one; retries wait FAST_RETRIES milliseconds instead of the ASL's backoff.
 */
describe('reattachment under Organizations faults', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  async function start(faults?: FaultOptions): Promise<LocalEnvironment> {
    env = await startEnvironment({ faults });
    return env;
  }

  const incidentIdOf = (event: Record<string, unknown>) => (event.detail as { eventID: string }).eventID;

  async function attemptResults(environment: LocalEnvironment, event: Record<string, unknown>): Promise<unknown[]> {
    const timeline = await environment.audit.getTimeline(incidentIdOf(event));
    return timeline.filter((entry) => entry.step === 'reattach-attempt').map((entry) => entry.detail.result);
  }

  it.each<[string, ScriptStep]>([
    ['429 TooManyRequestsException', 'TooManyRequestsException'],
    ['503 ServiceException', 'ServiceException'],
    ['ConcurrentModificationException', 'ConcurrentModificationException'],
  ])('reattaches after three %s answers in a row', async (_, fault) => {
    const local = await start();
    local.organizationsEndpoint?.faults.script('AttachPolicy', [fault, fault, fault]);
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.status).toBe('SUCCEEDED');
    // A throttle is not retried by Step Functions: it takes a new slot from the admission. Any
    // other error of the workflow's own first attempt goes to the reattach function, whose state
    // retries the other two.
    expect(fault === 'TooManyRequestsException' ? execution.statesEntered.filter((name) => name === 'ReadmitAttachment').length : execution.retries + 1).toBe(3);
    expect(execution.statesEntered).toContain('NoteFirstAttemptError');
    expect(await attemptResults(local, event)).toEqual(['error', 'error', 'error', 'attached']);
    expect(await local.audit.getIncident(incidentIdOf(event))).toMatchObject({ outcome: 'REATTACHED', status: 'CLOSED' });
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
  });

  it('confirms again after a throttled confirmation without a second AttachPolicy', async () => {
    const local = await start();
    local.organizationsEndpoint?.faults.script('ListPoliciesForTarget', ['TooManyRequestsException']);
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.retries).toBe(1);
    expect(local.organizationsEndpoint?.callCount('AttachPolicy')).toBe(1);
    expect(await attemptResults(local, event)).toEqual(['attached', 'confirmation-error']);
    expect(await local.audit.getIncident(incidentIdOf(event))).toMatchObject({ outcome: 'REATTACHED' });
  });

  it('fails at once, without retrying, when the policy type was disabled in the root', async () => {
    const local = await start();
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });
    new DetachmentReplayer(local.organization!).apply(event);
    local.organization?.disablePolicyType('SERVICE_CONTROL_POLICY');

    const execution = await local.run(event).result;

    const incident = await local.audit.getIncident(incidentIdOf(event));
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(ErrorName.REMEDIATION_FAILED);
    expect(execution.retries).toBe(0);
    expect(incident).toMatchObject({ outcome: 'FAILED', status: 'CLOSED' });
    expect(incident?.cause).toMatch(/^Organizations\.PolicyTypeNotEnabledException: /);
  });

  it('keeps retrying rounds of throttling until the remediation deadline, then fails with "retries exhausted"', async () => {
    const local = (env = await startEnvironment({ faults: { throttleProbability: 1, operations: ['AttachPolicy'] }, remediationDeadlineSeconds: 2 }));
    const throttlingRetrier = stateRetryBudget('ReattachPolicy').retriers.find((retrier) => retrier.errors.includes(ErrorName.ORG_THROTTLED));
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    const incidentId = incidentIdOf(event);
    const incident = await local.audit.getIncident(incidentId);
    const failed = (await local.audit.getTimeline(incidentId)).find((entry) => entry.step === 'failed');
    const perRound = (throttlingRetrier?.retries ?? 0) + 1;
    expect(execution.status).toBe('FAILED');
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['NoteRetryRound', 'WaitBeforeRetrying', 'MarkFailed', 'CloseIncident', 'NotifyOutcome', 'RemediationFailed']));
    expect(local.organizationsEndpoint?.callCount('AttachPolicy')).toBeGreaterThanOrEqual(perRound);
    expect(incident?.cause).toMatch(
      /^retries exhausted: RemediationDeadlinePassed: transient errors lasted past the deadline \S+, after \d+ rounds of retries; the last error: Organizations\.TooManyRequestsException: Rate exceeded/,
    );
    expect(failed?.detail).toMatchObject({ error: ErrorName.REMEDIATION_DEADLINE_PASSED, retriesExhausted: true });
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(false);
  });

  it('rides out an outage longer than one round of retries: a new round after the pause reattaches', async () => {
    const local = await start();
    const outageRetrier = stateRetryBudget('ReattachPolicy').retriers.find((retrier) => retrier.errors.includes(ErrorName.ORG_SERVICE));
    local.organizationsEndpoint?.faults.script('AttachPolicy', Array((outageRetrier?.retries ?? 0) + 3).fill('ServiceException'));
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['NoteRetryRound', 'WaitBeforeRetrying']));
    expect(await local.audit.getIncident(incidentIdOf(event))).toMatchObject({ outcome: 'REATTACHED' });
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
  });

  it('does not call a permanent error "retries exhausted"', async () => {
    const local = await start();
    // A permanent error answers every attempt: the workflow's own first one and the reattach function's.
    local.organizationsEndpoint?.faults.script('AttachPolicy', ['AccessDeniedException', 'AccessDeniedException']);
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    await replay(local, event);

    const incidentId = incidentIdOf(event);
    const failed = (await local.audit.getTimeline(incidentId)).find((entry) => entry.step === 'failed');
    expect((await local.audit.getIncident(incidentId))?.cause).toMatch(/^Organizations\.AccessDeniedException: /);
    expect(failed?.detail).toMatchObject({ retriesExhausted: false });
  });

  it('records ALREADY_ATTACHED when the policy is back before the workflow reattaches it', async () => {
    const local = await start();
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await local.run(event).result;

    const steps = (await local.audit.getTimeline(incidentIdOf(event))).map((entry) => entry.step);
    expect(execution.status).toBe('SUCCEEDED');
    expect(await local.audit.getIncident(incidentIdOf(event))).toMatchObject({ outcome: 'ALREADY_ATTACHED', status: 'CLOSED' });
    expect(await attemptResults(local, event)).toEqual(['already-attached']);
    expect(steps).toContain('already-attached');
  });

  it('fails with PolicyNotFoundException when the policy was deleted between detach and reattach', async () => {
    const local = await start();
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });
    new DetachmentReplayer(local.organization!).apply(event);
    local.organization?.deletePolicy(Org.denyLeave);

    const execution = await local.run(event).result;

    const incident = await local.audit.getIncident(incidentIdOf(event));
    expect(execution.status).toBe('FAILED');
    expect(execution.retries).toBe(0);
    expect(incident).toMatchObject({ verdict: 'PROTECTED', outcome: 'FAILED' });
    expect(incident?.cause).toMatch(/^Organizations\.PolicyNotFoundException: /);
  });
});

/**
 * A call that is never answered (the endpoint's `hang` fault): the Organizations client's request
 * timeout turns it into an error the ASL retries, instead of a reattach that waits until Lambda
 * kills it. The timeout is shortened here; production's is in functions/shared/clients/timeouts.ts.
 */
describe('reattachment when Organizations never answers', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  it('reattaches after a hung AttachPolicy, the first attempt recorded as failed', async () => {
    env = await startEnvironment({ organizationsRequestTimeoutMs: 300 });
    env.organizationsEndpoint?.faults.script('AttachPolicy', ['hang', 'ok']);
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });
    const incidentId = (event.detail as { eventID: string }).eventID;

    const execution = await replay(env, event);

    const attempts = (await env.audit.getTimeline(incidentId)).filter((entry) => entry.step === 'reattach-attempt').map((entry) => entry.detail.result);
    expect(execution.status).toBe('SUCCEEDED');
    expect(attempts).toEqual(['error', 'attached']);
    expect(await env.audit.getIncident(incidentId)).toMatchObject({ outcome: 'REATTACHED', status: 'CLOSED' });
    expect(env.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
    expect(env.organizationsEndpoint?.requestLog.filter((entry) => entry.operation === 'AttachPolicy').map((entry) => entry.hung ?? false)).toEqual([true, false]);
  });
});

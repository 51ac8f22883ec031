import { ErrorName } from '../../functions/shared/errors';
import type { LocalEnvironment } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment } from '../support/local-harness';

/**
 * The states Step Functions runs itself, without a function: ClaimIncident (TransactWriteItems)
 * and the first AttachPolicy. Whatever they meet, the trail says what they did, and nothing is
 * lost or misnamed.
 */
describe("the workflow's own calls", () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  const idOf = (event: Record<string, unknown>) => (event.detail as { eventID: string }).eventID;
  const firstAttempts = async (local: LocalEnvironment, event: Record<string, unknown>) =>
    (await local.audit.getTimeline(idOf(event))).filter((entry) => entry.step === 'reattach-attempt' && entry.detail.firstAttempt === true);

  it('names REATTACHED, not ALREADY_ATTACHED, a first attempt that attached without an answer, though the next function ran only a round later', async () => {
    const local = (env = await startEnvironment({ organizationsRequestTimeoutMs: 300 }));
    local.organizationsEndpoint?.faults.script('AttachPolicy', ['apply-then-hang']);
    // The reattach function is throttled by Lambda through its whole first round.
    local.workflow.scriptLambdaErrors('reattach', Array(4).fill('Lambda.TooManyRequestsException'));
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.statesEntered).toEqual(expect.arrayContaining(['AttachPolicy', 'NoteFirstAttemptError', 'NoteRetryRound', 'WaitBeforeRetrying', 'ReattachPolicy']));
    expect(await local.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED' });
    expect((await firstAttempts(local, event)).map((entry) => entry.detail)).toEqual([expect.objectContaining({ result: 'error', error: ErrorName.STATES_TIMEOUT, unanswered: true })]);
  });

  it('records the first attempt at the close when no function after it could', async () => {
    const local = (env = await startEnvironment({ remediationDeadlineSeconds: 1 }));
    local.workflow.scriptIntegrationErrors('organizations:attachPolicy', [ErrorName.ORG_SERVICE]);
    local.workflow.scriptLambdaErrors('reattach', Array(400).fill('Lambda.TooManyRequestsException'));
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.status).toBe('FAILED');
    expect((await firstAttempts(local, event)).map((entry) => entry.detail)).toEqual([expect.objectContaining({ result: 'error', error: ErrorName.ORG_SERVICE, transient: true })]);
  });

  it('goes on when its claim committed but timed out: the retry is cancelled, and ResolveClaim finds this execution\'s own write', async () => {
    const local = (env = await startEnvironment());
    local.workflow.scriptIntegrationErrors('dynamodb:transactWriteItems', [`after:${ErrorName.STATES_TIMEOUT}`]);
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['ClaimIncident', 'ResolveClaim', 'AttachPolicy']));
    expect(execution.statesEntered).not.toContain('StopDuplicate');
    expect(await local.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED', status: 'CLOSED' });
  });

  it('restores, then fails the execution, when its claim fails for a reason no retry fixes', async () => {
    const local = (env = await startEnvironment());
    local.workflow.scriptIntegrationErrors('dynamodb:transactWriteItems', ['DynamoDb.ValidationException']);
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
    expect(execution).toMatchObject({ status: 'FAILED', error: ErrorName.AUDIT_TRAIL_INCOMPLETE });
    // CloseIncident claimed late: the incident is in the trail all the same.
    expect(await local.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED' });
  });

  it('goes on without failing when its claim only timed out: CloseIncident claims late', async () => {
    const local = (env = await startEnvironment());
    local.workflow.scriptIntegrationErrors('dynamodb:transactWriteItems', [ErrorName.STATES_TIMEOUT, ErrorName.STATES_TIMEOUT]);
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.status).toBe('SUCCEEDED');
    expect(await local.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED' });
  });
});

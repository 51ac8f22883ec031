import { ADMISSION_PK_PREFIX } from '../../functions/shared/audit/table-schema';
import type { LocalEnvironment } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment } from '../support/local-harness';

/**
 * The admission in front of AttachPolicy is never a point whose failure stops a remediation:
 * with the admission items alone failing or hanging behind the DynamoDB fault proxy (the audit
 * trail still works), the real ASL reattaches without a slot, as before the admission existed.
 */
describe('remediation while the admission store fails', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  const idOf = (event: Record<string, unknown>) => (event.detail as { eventID: string }).eventID;

  it('takes a slot in classify and reattaches in it with no other function on the way: one Lambda invocation before AttachPolicy', async () => {
    const local = (env = await startEnvironment());
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);
    const attempts = (await local.audit.getTimeline(idOf(event))).filter((entry) => entry.step === 'reattach-attempt');

    expect(execution.statesEntered).toEqual(expect.arrayContaining(['ClaimIncident', 'AttachPolicy', 'ConfirmAttachment']));
    for (const state of ['ResolveClaim', 'AdmitAttachment', 'ReattachPolicy', 'ReattachUnadmitted']) expect(execution.statesEntered).not.toContain(state);
    expect(execution.beforeFirstAttach?.lambdaInvocations).toBe(1);
    expect((await local.admissionStore.read())?.ticket).toBe(1);
    expect(attempts.map((entry) => entry.detail)).toEqual([expect.objectContaining({ firstAttempt: true, result: 'attached' })]);
    expect(await local.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED' });
  });

  it.each([
    ['answers every admission call 503', { mode: 'unavailable' as const, only: ADMISSION_PK_PREFIX }],
    ['never answers an admission call (the client gives up at its short timeout)', { mode: 'hang' as const, only: ADMISSION_PK_PREFIX }],
  ])('reattaches without a slot when the store %s, and the execution succeeds', async (_, dynamoDbFaults) => {
    const local = (env = await startEnvironment({ dynamoDbFaults }));
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.status).toBe('SUCCEEDED');
    // Classify could not take the ticket: the reattachment goes on unadmitted, without asking the store again.
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['ReattachUnadmitted', 'ConfirmAttachment']));
    expect(execution.statesEntered).not.toContain('AdmitAttachment');
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
    expect(await local.trueAudit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED' });
    expect(local.dynamoDbFaultProxy?.injectedTotal).toBeGreaterThan(0);
  });
});

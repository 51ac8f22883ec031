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

  it('takes a slot and reattaches in it when the store answers', async () => {
    const local = (env = await startEnvironment());
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    const execution = await replay(local, event);

    expect(execution.statesEntered).toEqual(expect.arrayContaining(['AdmitAttachment', 'ReattachPolicy', 'ConfirmAttachment']));
    expect(execution.statesEntered).not.toContain('ReattachUnadmitted');
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
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['AdmitAttachment', 'ReattachUnadmitted', 'ConfirmAttachment']));
    expect(local.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
    expect(await local.trueAudit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED' });
    expect(local.dynamoDbFaultProxy?.injectedTotal).toBeGreaterThan(0);
  });
});

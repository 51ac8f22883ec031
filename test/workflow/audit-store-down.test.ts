import { ErrorName } from '../../functions/shared/errors';
import type { LocalEnvironment } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment } from '../support/local-harness';

/**
 * Act first, record after: with the audit store throttled or down (the DynamoDB fault proxy in
 * front of DynamoDB Local), the real ASL still restores every protected pair and still tells
 * people, and only then fails the execution so the alarm fires.
 */
describe('remediation while the audit store fails', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  const idOf = (event: Record<string, unknown>) => (event.detail as { eventID: string }).eventID;
  const pairs = [
    { policyId: Org.denyLeave, targetId: Org.root },
    { policyId: Org.denyLeave, targetId: Org.sandboxOu },
    { policyId: Org.fullAccess, targetId: Org.prodOu },
  ];

  it('reattaches every protected auto incident and emails about it when every DynamoDB call fails, then fails each execution', async () => {
    const local = (env = await startEnvironment({ dynamoDbFaults: { mode: 'unavailable' } }));
    const events = pairs.map((pair) => detachEvent(pair));

    const executions = await Promise.all(events.map((event) => replay(local, event)));

    for (const pair of pairs) expect(local.organization?.isAttached(pair.policyId, pair.targetId)).toBe(true);
    for (const event of events) {
      const phases = local.sns.published.filter((m) => m.attributes.incidentId === idOf(event)).map((m) => m.attributes.phase);
      expect(phases.sort()).toEqual(['closed', 'opened']);
      expect(await local.trueAudit.getIncident(idOf(event))).toBeUndefined();
    }
    expect(executions.map((e) => [e.status, e.error])).toEqual(pairs.map(() => ['FAILED', ErrorName.AUDIT_TRAIL_INCOMPLETE]));
    expect(local.dynamoDbFaultProxy?.counts.forwarded).toBe(0);
  });

  it('says in the closing email that the audit trail could not be written', async () => {
    const local = (env = await startEnvironment({ dynamoDbFaults: { mode: 'unavailable' } }));
    const event = detachEvent(pairs[0]);

    await replay(local, event);

    const closed = local.sns.published.find((m) => m.attributes.incidentId === idOf(event) && m.attributes.phase === 'closed');
    expect(closed?.message).toMatch(/Audit trail +NOT RECORDED/);
  });

  it('reattaches every protected pair with a third of DynamoDB calls throttled, and records what it could', async () => {
    const local = (env = await startEnvironment({ dynamoDbFaults: { mode: 'throttle', probability: 0.3, seed: 5 } }));
    const events = pairs.map((pair) => detachEvent(pair));

    const executions = await Promise.all(events.map((event) => replay(local, event)));

    for (const pair of pairs) expect(local.organization?.isAttached(pair.policyId, pair.targetId)).toBe(true);
    for (const execution of executions) expect(execution.status === 'SUCCEEDED' || execution.error === ErrorName.AUDIT_TRAIL_INCOMPLETE).toBe(true);
    expect(local.dynamoDbFaultProxy?.counts.injected.throttle).toBeGreaterThan(0);
  });
});

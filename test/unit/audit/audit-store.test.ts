import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditStore } from '../../../functions/shared/audit/audit-store';
import { AuditTable, incidentKey, timelineSortKey } from '../../../functions/shared/audit/table-schema';
import { DuplicateIncidentError, StatusRegressionError } from '../../../functions/shared/errors';
import { IncidentStatus, TimelineStep } from '../../../functions/shared/vocabulary';
import { freshTable, incident, record } from '../../support/audit-incidents';

/** The audit store against DynamoDB Local: what an incident item holds, and what can never change. */
describe('audit store', () => {
  let db: DynamoDBDocumentClient;
  let audit: AuditStore;
  let tableName: string;

  beforeAll(async () => {
    ({ db, audit, tableName } = await freshTable());
  });
  afterAll(() => db.destroy());

  const rawIncident = async (incidentId: string) =>
    (await db.send(new GetCommand({ TableName: tableName, Key: incidentKey(incidentId), ConsistentRead: true }))).Item;

  it('stores every attribute an auditor asks about as a flat attribute of the incident item', async () => {
    const claimed = await record(
      { db, tableName },
      { detectedAt: '2026-11-20T10:00:00Z', policyId: 'p-protectct', targetId: 'ou-a1b2-m5t8wd6c' },
      { outcome: 'OVERRIDDEN', decision: 'OVERRIDE', decidedBy: 'U0APPROVER', reason: 'CloudTrail migration CHG-1234' },
    );

    const item = await rawIncident(claimed.incidentId);

    expect(item).toMatchObject({
      incidentId: claimed.incidentId,
      detectedAt: '2026-11-20T10:00:00Z',
      detectedYear: '2026',
      actorType: 'AssumedRole',
      actorArn: 'arn:aws:iam::111122223333:role/BreakGlassAdmin',
      actorIdentityArn: 'arn:aws:sts::111122223333:assumed-role/BreakGlassAdmin/alice',
      actorSessionIssuerArn: 'arn:aws:iam::111122223333:role/BreakGlassAdmin',
      sourceIp: '203.0.113.10',
      userAgent: 'aws-cli/2.22.4',
      console: false,
      policyId: 'p-protectct',
      policyName: 'DenyLeaveOrganization',
      policyType: 'SERVICE_CONTROL_POLICY',
      targetId: 'ou-a1b2-m5t8wd6c',
      targetType: 'ORGANIZATIONAL_UNIT',
      targetName: 'Prod',
      verdict: 'PROTECTED',
      ruleIndex: 0,
      rule: 'protect[0] protects p-denyleave1 wherever it is attached',
      mode: 'auto',
      decision: 'OVERRIDE',
      decidedBy: 'U0APPROVER',
      decisionReason: 'CloudTrail migration CHG-1234',
      outcome: 'OVERRIDDEN',
      status: 'CLOSED',
      executionArn: expect.stringContaining(':execution:scp-guardian:'),
      incident: expect.objectContaining({ incidentId: claimed.incidentId }),
    });
  });

  it('keeps the first record of a step when the same step is written again, and says so', async () => {
    const claimed = await record({ db, tableName }, { detectedAt: '2026-11-20T11:00:00Z' });
    const first = await audit.appendTimeline(claimed.incidentId, { step: TimelineStep.REATTACHED, detail: { confirmedBy: 'ListPoliciesForTarget' } });

    const second = await audit.appendTimeline(claimed.incidentId, { step: TimelineStep.REATTACHED, detail: { confirmedBy: 'a retried task' } });

    const steps = (await audit.getTimeline(claimed.incidentId)).filter((entry) => entry.step === TimelineStep.REATTACHED);
    expect([first, second]).toEqual([{ recorded: true }, { recorded: false }]);
    expect(steps).toEqual([expect.objectContaining({ detail: { confirmedBy: 'ListPoliciesForTarget' } })]);
  });

  it('gives the timeline in the order the steps happened: by time whatever its precision, and steps of one instant in their lifecycle order', async () => {
    const claimed = await record({ db, tableName }, { detectedAt: '2026-11-20T12:00:00Z' });
    const closedAt = '2026-11-20T12:05:00.000Z';
    // The close writes its explaining steps and "closed" at one instant; "closed" sorts first by key.
    await audit.appendTimeline(claimed.incidentId, { step: TimelineStep.CLOSED, at: closedAt });
    await audit.appendTimeline(claimed.incidentId, { step: TimelineStep.OVERRIDDEN, at: closedAt });
    await audit.appendTimeline(claimed.incidentId, { step: TimelineStep.TIMED_OUT, at: closedAt });
    // A step with milliseconds half a second after one without them sorts before it as text.
    await audit.appendTimeline(claimed.incidentId, { step: TimelineStep.NOTIFIED, occurrence: 'n', at: '2026-11-20T12:00:00.500Z' });

    const steps = (await audit.getTimeline(claimed.incidentId)).map((entry) => entry.step);

    expect(steps[0]).toBe(TimelineStep.DETECTED);
    expect(steps.indexOf(TimelineStep.NOTIFIED)).toBeGreaterThan(steps.indexOf(TimelineStep.DETECTED));
    expect(steps.slice(-3)).toEqual([TimelineStep.TIMED_OUT, TimelineStep.OVERRIDDEN, TimelineStep.CLOSED]);
  });

  it('never moves a closed incident back, and leaves it as it was', async () => {
    const claimed = await record({ db, tableName }, { detectedAt: '2026-11-20T12:00:00Z' }, { outcome: 'REATTACHED', decision: 'AUTO', timeToRemediateSeconds: 4 });

    const moveBack = audit.advance(claimed.incidentId, IncidentStatus.DECIDED, { decision: 'OVERRIDE', decidedBy: 'U0INTRUDER' });

    await expect(moveBack).rejects.toThrow(StatusRegressionError);
    expect(await rawIncident(claimed.incidentId)).toMatchObject({ status: 'CLOSED', decision: 'AUTO', outcome: 'REATTACHED' });
  });

  it('refuses to close an incident a second time with another outcome', async () => {
    const claimed = await record({ db, tableName }, { detectedAt: '2026-11-20T12:30:00Z' }, { outcome: 'REATTACHED', decision: 'AUTO' });

    const closeAgain = audit.advance(claimed.incidentId, IncidentStatus.CLOSED, { outcome: 'FAILED', cause: 'rewritten history' });

    await expect(closeAgain).rejects.toThrow(StatusRegressionError);
    expect(await rawIncident(claimed.incidentId)).toMatchObject({ outcome: 'REATTACHED' });
    expect((await rawIncident(claimed.incidentId))?.cause).toBeUndefined();
  });

  it('records a redelivered event on the incident it already has, without replacing the incident', async () => {
    const claimed = await record({ db, tableName }, { detectedAt: '2026-11-20T13:00:00Z' });

    const again = audit.claimIncident({ ...claimed, reason: 'a second execution' }, 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:second');

    await expect(again).rejects.toThrow(DuplicateIncidentError);
    expect(await rawIncident(claimed.incidentId)).toMatchObject({ reason: claimed.reason, executionArn: expect.stringContaining(claimed.incidentId) });
    expect((await audit.getTimeline(claimed.incidentId)).map((entry) => entry.step)).toContain(TimelineStep.DUPLICATE_DELIVERY);
  });

  it('lets a retried claim by the same execution go on, instead of stopping it as a duplicate', async () => {
    const claimed = await record({ db, tableName }, { detectedAt: '2026-11-20T13:30:00Z' });
    const { executionArn } = (await audit.getIncident(claimed.incidentId)) ?? {};

    const retried = audit.claimIncident(claimed, executionArn ?? 'missing');

    await expect(retried).resolves.toBeUndefined();
    expect((await audit.getTimeline(claimed.incidentId)).map((entry) => entry.step)).not.toContain(TimelineStep.DUPLICATE_DELIVERY);
  });

  it('never overwrites a timeline step that is already there when claiming', async () => {
    const stray = incident({ detectedAt: '2026-11-20T14:00:00Z' });
    await audit.appendTimeline(stray.incidentId, { step: TimelineStep.DETECTED, detail: { note: 'written first' } });

    const claim = audit.claimIncident(stray, 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:late');

    await expect(claim).rejects.toThrow();
    const detected = await db.send(
      new GetCommand({ TableName: tableName, Key: { pk: incidentKey(stray.incidentId).pk, sk: timelineSortKey(TimelineStep.DETECTED) }, ConsistentRead: true }),
    );
    expect(detected.Item?.detail).toEqual({ note: 'written first' });
  });

  it('claims an incident whose event carries an id no index can hold, keeping the id in the incident map', async () => {
    const junk = incident({ detectedAt: '2026-11-20T15:00:00Z', verdict: 'INVALID', policyId: `p-${'x'.repeat(3000)}` });

    await audit.claimIncident(junk, 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:junk');

    const item = await rawIncident(junk.incidentId);
    expect(item?.policyId).toBeUndefined();
    expect(item?.incident.policy.id).toHaveLength(3002);
  });

  it('gives incident and timeline items no expiry attribute, so the TTL can only remove pending decisions', async () => {
    const claimed = await record({ db, tableName }, { detectedAt: '2026-11-20T16:00:00Z' }, { outcome: 'REATTACHED', decision: 'AUTO' });

    const items = await db.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': incidentKey(claimed.incidentId).pk } }),
    );

    expect(items.Items?.length).toBeGreaterThanOrEqual(4);
    expect(items.Items?.filter((item) => AuditTable.ttlAttribute in item)).toEqual([]);
  });
});

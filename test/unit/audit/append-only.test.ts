import { GetCommand, QueryCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ADMISSION_PK_PREFIX, AuditTable, decisionKey, incidentKey } from '../../../functions/shared/audit/table-schema';
import { localDynamoDbClient } from '../../../local/dynamodb/dynamodb-local';
import type { LocalEnvironment } from '../../../local/environment';
import { detachEvent } from '../../support/events';
import { dynamoDbEndpoint, Org, replay, startEnvironment, TEST_SLACK } from '../../support/local-harness';
import { PROJECT_ROOT } from '../../../cli/project-root';
import { RecordingProxy } from '../../support/recording-proxy';

/** Operations that can only add to the trail or move it forward under a condition, and reads. */
const APPEND_AND_READ = new Set(['PutItem', 'UpdateItem', 'TransactWriteItems', 'GetItem', 'Query']);

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Whole workflows (auto, approve, override) on the real handlers, every DynamoDB request recorded. */
describe('the audit trail is append-only', () => {
  let proxy: RecordingProxy;
  let env: LocalEnvironment;
  let db: DynamoDBDocumentClient;
  const incidentIds: string[] = [];

  beforeAll(async () => {
    proxy = await new RecordingProxy(dynamoDbEndpoint()).start();
    let answer: (decisionId: string) => void = () => {};
    env = await startEnvironment({ dynamoDbEndpoint: proxy.url, onDecisionRequested: ({ decisionId }) => answer(decisionId) });
    db = DynamoDBDocumentClient.from(localDynamoDbClient(dynamoDbEndpoint()));
    proxy.requests.length = 0;

    const runs: { event: Record<string, unknown>; decide?: (decisionId: string) => unknown }[] = [
      { event: detachEvent({ policyId: Org.denyLeave, targetId: Org.root }) },
      {
        event: detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu }),
        decide: (decisionId) => env.decide({ decisionId, decision: 'APPROVE', by: 'U0APPROVER', team: TEST_SLACK.teamId, via: 'slack' }),
      },
      {
        event: detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.prodOu }),
        decide: (decisionId) => env.decide({ decisionId, decision: 'OVERRIDE', by: 'U0APPROVER', team: TEST_SLACK.teamId, reason: 'migration CHG-1', via: 'slack' }),
      },
    ];
    for (const run of runs) {
      answer = (decisionId) => void run.decide?.(decisionId);
      await replay(env, run.event);
      incidentIds.push((run.event.detail as { eventID: string }).eventID);
    }
  });
  afterAll(async () => {
    db.destroy();
    await env.stop();
    await proxy.stop();
  });

  it('sends DynamoDB only writes that add or move forward, and reads: no delete, no batch write, no scan', () => {
    const operations = [...proxy.operations()];

    expect(operations.filter((operation) => !APPEND_AND_READ.has(operation))).toEqual([]);
    expect(operations).toEqual(expect.arrayContaining(['TransactWriteItems', 'PutItem', 'UpdateItem']));
  });

  it('puts no Delete into a transaction and removes no attribute in an update', () => {
    const writes = proxy.requests.filter((r) => r.operation === 'TransactWriteItems' || r.operation === 'UpdateItem').map((r) => JSON.parse(r.body) as Record<string, unknown>);

    const deletes = writes.flatMap((body) => ((body.TransactItems as Record<string, unknown>[] | undefined) ?? []).filter((item) => 'Delete' in item));
    const removals = writes.filter((body) => /\bREMOVE\b/.test(String(body.UpdateExpression ?? '')));

    expect(deletes).toEqual([]);
    expect(removals).toEqual([]);
  });

  it('puts a condition on every write, so nothing recorded can be overwritten', () => {
    const bodies = proxy.requests.filter((r) => r.operation !== 'GetItem' && r.operation !== 'Query').map((r) => JSON.parse(r.body) as Record<string, unknown>);
    const writes = bodies.flatMap((body) =>
      Array.isArray(body.TransactItems) ? (body.TransactItems as Record<string, Record<string, unknown>>[]).flatMap((item) => Object.values(item)) : [body],
    );

    // The admission's schedule (ADMISSION#…) is shared operational state, not part of the trail:
    // every execution moves its ticket counter on, unconditionally by design (functions/admit/).
    const isAdmission = (write: Record<string, unknown>) => String((write.Key as { pk?: { S?: string } } | undefined)?.pk?.S ?? '').startsWith(ADMISSION_PK_PREFIX);
    const trail = writes.filter((write) => !isAdmission(write));
    const unconditional = trail.filter((write) => typeof write.ConditionExpression !== 'string');

    expect(trail.length).toBeGreaterThan(0);
    expect(unconditional).toEqual([]);
  });

  it('writes every incident and timeline item without the TTL attribute', async () => {
    const items = [];
    for (const incidentId of incidentIds) {
      const page = await db.send(
        new QueryCommand({ TableName: env.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': incidentKey(incidentId).pk } }),
      );
      items.push(...(page.Items ?? []));
    }

    expect(items.length).toBeGreaterThan(incidentIds.length * 4);
    expect(items.filter((item) => AuditTable.ttlAttribute in item).map((item) => `${item.pk} ${item.sk}`)).toEqual([]);
  });

  it('gives the pending decision, and only it, the TTL attribute', async () => {
    const incident = await env.audit.getIncident(incidentIds[1]);

    const decision = await db.send(new GetCommand({ TableName: env.tableName, Key: decisionKey(incident?.decisionId ?? 'none') }));

    expect(decision.Item?.[AuditTable.ttlAttribute]).toEqual(expect.any(Number));
  });

  it('has no module under functions/ that could delete from DynamoDB', () => {
    const deleting = /\b(DeleteCommand|DeleteItemCommand|BatchWriteCommand|BatchWriteItemCommand|DeleteTableCommand)\b|\bDelete\s*:\s*\{/;

    const offenders = sourceFiles(join(PROJECT_ROOT, 'functions')).filter((path) => deleting.test(readFileSync(path, 'utf8')));

    expect(offenders).toEqual([]);
  });
});

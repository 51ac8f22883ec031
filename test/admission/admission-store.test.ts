import { randomUUID } from 'node:crypto';
import { AdmissionStore } from '../../functions/admit/admission-store';
import { admit } from '../../functions/admit/admit';
import { admissionSettings } from '../../functions/admit/schedule';
import { toDocumentClient } from '../../functions/shared/clients/dynamodb';
import { ErrorName } from '../../functions/shared/errors';
import { createAuditTable, localDynamoDbClient } from '../../local/dynamodb-local';
import { dynamoDbEndpoint } from '../support/local-harness';

const settings = admissionSettings({ expectedRate: 10, minRate: 0.2 });

describe('the admission store on DynamoDB Local', () => {
  let store: AdmissionStore;
  const client = () => toDocumentClient(localDynamoDbClient(dynamoDbEndpoint()));
  beforeEach(async () => {
    const tableName = `admission-${randomUUID().slice(0, 8)}`;
    await createAuditTable(dynamoDbEndpoint(), tableName);
    store = new AdmissionStore(client(), tableName, settings);
  });

  it('gives 50 executions taking tickets at once 50 distinct tickets, due one after the other from now', async () => {
    const now = Date.now();

    const tickets = await Promise.all(Array.from({ length: 50 }, () => store.take(now)));

    const byTicket = [...tickets].sort((a, b) => a.ticket - b.ticket);
    expect(new Set(tickets.map((t) => t.ticket)).size).toBe(50);
    expect(byTicket[0].dueAt).toBeGreaterThanOrEqual(now - settings.idleToleranceMs);
    for (let i = 1; i < byTicket.length; i++) expect(byTicket[i].dueAt).toBeGreaterThan(byTicket[i - 1].dueAt);
  });

  it('starts an idle schedule again at now instead of owing a burst', async () => {
    const longAgo = Date.now() - 3_600_000;
    await store.take(longAgo);

    const now = Date.now();
    const next = await store.take(now);

    expect(next.dueAt).toBe(now);
  });

  it('cuts the shared rate on a throttle, once per overload, and so pushes later tickets out', async () => {
    const now = Date.now();
    const tickets = await Promise.all(Array.from({ length: 20 }, () => store.take(now)));
    const last = Math.max(...tickets.map((t) => t.ticket));
    const before = (await store.due(last, now)).dueAt;

    const first = await admit({ phase: 'readmit', admission: { ticket: 1, admitted: true, dueAt: now, admittedAt: now + 1, admittedRate: 10, readmissions: 0 }, error: ErrorName.ORG_THROTTLED }, { store, settings, clock: () => now + 10 });
    const second = await admit({ phase: 'readmit', admission: { ticket: 2, admitted: true, dueAt: now, admittedAt: now + 2, admittedRate: 10, readmissions: 0 }, error: ErrorName.ORG_THROTTLED }, { store, settings, clock: () => now + 11 });

    expect([first.cut, second.cut]).toEqual([true, false]);
    expect(first.readmissions).toBe(1);
    expect((await store.due(last, now)).dueAt).toBeGreaterThan(before);
  });

  it('takes a new slot after a 503 without cutting the rate', async () => {
    const now = Date.now();

    const readmitted = await admit({ phase: 'readmit', admission: { ticket: 1, admitted: true, dueAt: now, admittedAt: now, admittedRate: 10, readmissions: 2 }, error: ErrorName.ORG_SERVICE }, { store, settings, clock: () => now });

    expect(readmitted).toMatchObject({ cut: false, readmissions: 3 });
  });
});

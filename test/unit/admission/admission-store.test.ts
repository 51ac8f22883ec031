import { randomUUID } from 'node:crypto';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AdmissionStore } from '../../../functions/admit/admission-store';
import { admit } from '../../../functions/admit/admit';
import { admissionSettings, dueAt } from '../../../functions/admit/schedule';
import { admissionKey } from '../../../functions/shared/audit/table-schema';
import { toDocumentClient } from '../../../functions/shared/clients/dynamodb';
import { ErrorName } from '../../../functions/shared/errors';
import { createAuditTable, localDynamoDbClient } from '../../../local/dynamodb/dynamodb-local';
import { dynamoDbEndpoint } from '../../support/local-harness';

const settings = admissionSettings({ expectedRate: 10, minRate: 0.2 });

/** Whether a command is the ticket's ADD (the one write every take starts with). */
const isTake = (command: { input: { UpdateExpression?: string } }) => command.input.UpdateExpression?.startsWith('ADD #ticket') === true;

/**
 * The worst interleaving of `n` concurrent takes, made deterministic: every ticket's ADD is
 * applied at once, but their answers come back only when all `n` are in, last ticket first, so
 * every later step of each take runs after every ticket has been handed out.
 */
function heldTakes(db: DynamoDBDocumentClient, n: number): DynamoDBDocumentClient {
  const held: Array<{ answer: unknown; release: (answer: unknown) => void }> = [];
  return {
    send: async (command: never) => {
      if (!isTake(command) || held.length >= n) return db.send(command);
      const answer = await db.send(command);
      return new Promise((release) => {
        held.push({ answer, release });
        if (held.length === n) for (const take of [...held].reverse()) take.release(take.answer);
      });
    },
  } as unknown as DynamoDBDocumentClient;
}

describe('the admission store on DynamoDB Local', () => {
  let store: AdmissionStore;
  let tableName: string;
  const client = () => toDocumentClient(localDynamoDbClient(dynamoDbEndpoint()));
  beforeEach(async () => {
    tableName = `admission-${randomUUID().slice(0, 8)}`;
    await createAuditTable(dynamoDbEndpoint(), tableName);
    store = new AdmissionStore(client(), tableName, settings);
  });

  // In CI under load a later ticket once got a slot 1000 ms before the previous one: the first
  // ticket's write created the item without a base, a later ticket won the race to write the
  // first base, and the tickets taken before it, now more than the tolerance in the past,
  // restarted the schedule at now, after tickets already handed out. The held answers make
  // that interleaving (every ticket out before any base is written) happen on every run.
  it('gives 50 executions taking tickets at once 50 distinct tickets, due one after the other from now', async () => {
    const now = Date.now();
    const racing = new AdmissionStore(heldTakes(client(), 50), tableName, settings);

    const tickets = await Promise.all(Array.from({ length: 50 }, () => racing.take(now)));

    const byTicket = [...tickets].sort((a, b) => a.ticket - b.ticket);
    expect(new Set(tickets.map((t) => t.ticket)).size).toBe(50);
    expect(byTicket[0].dueAt).toBeGreaterThanOrEqual(now - settings.idleToleranceMs);
    for (let i = 1; i < byTicket.length; i++) expect(byTicket[i].dueAt).toBeGreaterThan(byTicket[i - 1].dueAt);
  });

  it('never puts a later ticket before an earlier one when it restarts a schedule that just went idle', async () => {
    const t0 = Date.now();
    await store.take(t0);
    // Ticket 2 is due more than the tolerance ago, ticket 3 just within it; both are taken before either looks further.
    const now = t0 + settings.idleToleranceMs + 150;
    const racing = new AdmissionStore(heldTakes(client(), 2), tableName, settings);

    const [a, b] = await Promise.all([racing.take(now), racing.take(now)]);
    const [second, third] = a.ticket < b.ticket ? [a, b] : [b, a];
    const fourth = await store.take(now);

    expect([second.ticket, third.ticket, fourth.ticket]).toEqual([2, 3, 4]);
    expect(second.dueAt).toBeLessThan(third.dueAt);
    expect(third.dueAt).toBeLessThan(fourth.dueAt);
    expect(fourth.dueAt).toBeGreaterThanOrEqual(now - settings.idleToleranceMs);
  });

  it('restarts at now a schedule whose base lies in the future (a skewed clock)', async () => {
    const now = Date.now();
    await store.take(now + 3_600_000);

    const next = await store.take(now);

    expect(next.dueAt).toBe(now);
    expect((await store.due(next.ticket + 1, now)).dueAt - now).toBeLessThan(1_000);
  });

  it('keeps a base a little ahead of now (clocks differ by less than the margin)', async () => {
    const now = Date.now();
    const first = await store.take(now + 2_000);

    const next = await store.take(now);

    expect(next.dueAt).toBe(dueAt(first.schedule, settings, 2));
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

  it('reads an item written before settleUntil existed as settled until its last cut (a guard upgraded mid-storm)', async () => {
    const now = Date.now();
    await client().send(
      new PutCommand({
        TableName: tableName,
        Item: { ...admissionKey('AttachPolicy'), ticket: 10, baseTicket: 1, baseAt: now - 2_000, baseRate: 4, probing: false, cutAt: now - 500, version: 3, lastTakeAt: now - 100 },
      }),
    );

    const read = await store.read();

    expect(read).toMatchObject({ cutAt: now - 500, settleUntil: now - 500 });
    // An attempt admitted before that cut does not cut again; one admitted after it does.
    expect(await store.reportThrottle(now, now - 600, 4)).toBe(false);
    expect(await store.reportThrottle(now, now - 400, 4)).toBe(true);
  });

  it('takes a new slot after a 503 without cutting the rate', async () => {
    const now = Date.now();

    const readmitted = await admit({ phase: 'readmit', admission: { ticket: 1, admitted: true, dueAt: now, admittedAt: now, admittedRate: 10, readmissions: 2 }, error: ErrorName.ORG_SERVICE }, { store, settings, clock: () => now });

    expect(readmitted).toMatchObject({ cut: false, readmissions: 3 });
  });
});

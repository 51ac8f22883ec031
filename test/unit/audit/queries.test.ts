import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PageTokenError } from '../../../cli/audit/page-token';
import type { IncidentFilter } from '../../../functions/shared/audit/queries';
import { AuditQueries } from '../../../cli/audit/queries';
import { localDynamoDbClient } from '../../../local/dynamodb/dynamodb-local';
import { freshTable, record } from '../../support/audit-incidents';
import { RecordingProxy } from '../../support/recording-proxy';

const BREAK_GLASS = 'arn:aws:iam::111122223333:role/BreakGlassAdmin';
const PIPELINE = 'arn:aws:iam::111122223333:role/OrgPipelineRole';
const DEVELOPER = 'arn:aws:iam::111122223333:role/DeveloperRole';
const PROD = 'ou-a1b2-7hq4vz2n';
const SANDBOX = 'ou-a1b2-m5t8wd6c';
const NOW = new Date('2026-11-23T00:00:00Z');

/** Incidents A (oldest, last year) to G (newest); F is still open. */
const SEEDS = {
  A: { spec: { detectedAt: '2025-12-31T23:59:59Z', policyId: 'p-denyleave1', targetId: 'r-a1b2', actorArn: BREAK_GLASS }, ending: { outcome: 'REATTACHED', decision: 'AUTO', timeToRemediateSeconds: 5 } },
  B: { spec: { detectedAt: '2026-11-01T00:00:00Z', policyId: 'p-denyleave1', targetId: PROD, actorArn: BREAK_GLASS }, ending: { outcome: 'REATTACHED', decision: 'AUTO', timeToRemediateSeconds: 10 } },
  C: { spec: { detectedAt: '2026-11-10T08:00:00Z', policyId: 'p-protectct', targetId: SANDBOX, actorArn: PIPELINE, verdict: 'IGNORED_ACTOR' }, ending: { outcome: 'OBSERVED' } },
  D: { spec: { detectedAt: '2026-11-15T12:00:00Z', policyId: 'p-protectct', targetId: PROD, actorArn: BREAK_GLASS }, ending: { outcome: 'OVERRIDDEN', decision: 'OVERRIDE', decidedBy: 'U0APPROVER', reason: 'CHG-1' } },
  E: { spec: { detectedAt: '2026-11-18T09:30:00.250Z', policyId: 'p-denyleave1', targetId: PROD, actorArn: DEVELOPER }, ending: { outcome: 'FAILED', decision: 'AUTO' } },
  F: { spec: { detectedAt: '2026-11-20T10:00:00Z', policyId: 'p-denyleave1', targetId: PROD, actorArn: BREAK_GLASS }, ending: undefined },
  G: { spec: { detectedAt: '2026-11-20T10:00:01Z', policyId: 'p-denyregion', targetId: '444455556666', actorArn: PIPELINE, verdict: 'IGNORED_ACTOR' }, ending: { outcome: 'OBSERVED' } },
} as const;
type Seed = keyof typeof SEEDS;

/** `audit list`'s query code against DynamoDB Local: every filter, the time window, paging. */
describe('audit queries', () => {
  let db: DynamoDBDocumentClient;
  let queries: AuditQueries;
  let tableName: string;
  const ids = {} as Record<Seed, string>;
  const names = new Map<string, Seed>();

  beforeAll(async () => {
    const table = await freshTable();
    ({ db, tableName } = table);
    queries = new AuditQueries(db, tableName);
    for (const [name, seed] of Object.entries(SEEDS) as [Seed, (typeof SEEDS)[Seed]][]) {
      const claimed = await record(table, seed.spec, seed.ending);
      ids[name] = claimed.incidentId;
      names.set(claimed.incidentId, name);
    }
  });
  afterAll(() => db.destroy());

  const list = async (filter: IncidentFilter, limit = 50) => (await queries.list(filter, { limit, now: NOW })).incidents.map((i) => names.get(i.incidentId));

  it('lists the incidents about one policy, newest first', async () => {
    expect(await list({ policyId: 'p-denyleave1' })).toEqual(['F', 'E', 'B', 'A']);
  });

  it('lists the incidents on one target', async () => {
    expect(await list({ targetId: PROD })).toEqual(['F', 'E', 'D', 'B']);
  });

  it('lists the incidents by one principal', async () => {
    expect(await list({ actorArn: PIPELINE })).toEqual(['G', 'C']);
  });

  it('lists the incidents that ended with one outcome, leaving out open ones', async () => {
    expect(await list({ outcome: 'REATTACHED' })).toEqual(['B', 'A']);
  });

  it('includes both ends of the time window, to the second', async () => {
    const window = { since: new Date('2026-11-01T00:00:00Z'), until: new Date('2026-11-18T09:30:00Z') };

    expect(await list({ policyId: 'p-denyleave1', ...window })).toEqual(['E', 'B']);
  });

  it('serves several filters with one Query on the most selective index and filters the rest', async () => {
    const filter: IncidentFilter = { targetId: PROD, policyId: 'p-denyleave1', outcome: 'FAILED' };

    const page = await queries.list(filter, { limit: 50, now: NOW });

    expect(page.plan).toMatchObject({ index: 'byTarget', filtered: ['policyId', 'outcome'] });
    expect(page.incidents.map((i) => names.get(i.incidentId))).toEqual(['E']);
  });

  it('lists every incident without a filter, open ones and earlier years included', async () => {
    const page = await queries.list({}, { limit: 50, now: NOW });

    expect(page.plan.index).toBe('byYear');
    expect(page.incidents.map((i) => names.get(i.incidentId))).toEqual(['G', 'F', 'E', 'D', 'C', 'B', 'A']);
    expect(page.nextToken).toBeUndefined();
  });

  it('pages through every incident without repeating one, and gives no token after the last page', async () => {
    const pages: (Seed | undefined)[][] = [];
    let nextToken: string | undefined;

    do {
      const page = await queries.list({}, { limit: 2, nextToken, now: NOW });
      pages.push(page.incidents.map((i) => names.get(i.incidentId)));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);

    expect(pages).toEqual([['G', 'F'], ['E', 'D'], ['C', 'B'], ['A']]);
  });

  it('keeps the first page\'s time window on the next pages, even when the caller leaves it out', async () => {
    const first = await queries.list({ policyId: 'p-denyleave1', since: new Date('2026-11-01T00:00:00Z') }, { limit: 1, now: NOW });
    const seen = first.incidents.map((i) => names.get(i.incidentId));
    let nextToken = first.nextToken;

    while (nextToken !== undefined) {
      const page = await queries.list({ policyId: 'p-denyleave1' }, { limit: 1, nextToken, now: NOW });
      seen.push(...page.incidents.map((i) => names.get(i.incidentId)));
      nextToken = page.nextToken;
    }

    expect(seen).toEqual(['F', 'E', 'B']);
  });

  it('refuses a page token printed for other filters', async () => {
    const { nextToken } = await queries.list({ policyId: 'p-denyleave1' }, { limit: 1, now: NOW });

    const reuse = queries.list({ targetId: PROD }, { limit: 1, nextToken, now: NOW });

    await expect(reuse).rejects.toThrow(PageTokenError);
    await expect(reuse).rejects.toThrow(/other filters/);
  });

  it('refuses a page token it did not print', async () => {
    const forged = queries.list({}, { limit: 1, nextToken: 'bm90IGEgdG9rZW4', now: NOW });

    await expect(forged).rejects.toThrow(/not a token printed by `audit list`/);
  });

  it('shows an incident with its whole timeline, oldest step first, and nothing for an unknown id', async () => {
    const shown = await queries.show(ids.D);
    const unknown = await queries.show('no-such-incident');

    expect(shown?.incident).toMatchObject({ incidentId: ids.D, decision: 'OVERRIDE', decidedBy: 'U0APPROVER', outcome: 'OVERRIDDEN' });
    expect(shown?.incident).not.toHaveProperty('pk');
    expect(shown?.timeline.map((entry) => entry.step)).toEqual(['detected', 'classified', 'decided', 'closed']);
    expect(unknown).toBeUndefined();
  });

  it('reads with Query and GetItem only, never a Scan', async () => {
    const proxy = await new RecordingProxy(process.env.SCP_GUARDIAN_TEST_DYNAMODB_ENDPOINT ?? '').start();
    const client = DynamoDBDocumentClient.from(localDynamoDbClient(proxy.url));
    const proxied = new AuditQueries(client, tableName);

    await proxied.list({}, { limit: 3, now: NOW });
    await proxied.list({ targetId: PROD, actorArn: BREAK_GLASS, since: new Date('2026-01-01T00:00:00Z') }, { limit: 3, now: NOW });
    for await (const _ of proxied.all({ outcome: 'OBSERVED' }, NOW)) void _;
    await proxied.show(ids.A);

    client.destroy();
    await proxy.stop();
    expect([...proxy.operations()].sort()).toEqual(['GetItem', 'Query']);
  });
});

import { ScanCommand, DynamoDBDocumentClient, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { Command, InvalidArgumentError } from 'commander';
import { sinceBound, type IncidentFilter } from '../../functions/shared/audit/queries';
import { AuditQueries, DEFAULT_PAGE_SIZE } from '../../cli/audit/queries';
import { percentile } from '../../cli/audit/stats';
import { createAuditTable, DynamoDbLocal } from '../../local/dynamodb/dynamodb-local';
import { benchOrganization, generateIncidentItems } from './generate';
import { batchLoad } from './load';

/**
 * `npm run bench:audit`: loads a realistic history of incidents into DynamoDB Local with
 * BatchWriteItem, then times `audit list --policy P --since 30d` (the CLI's own query code) as
 * typed (its first page) and for every match, against the obvious alternative, a Scan with a
 * filter over the whole table, in the same run on the same data. Prints p50/p95 and the ratios.
 */

interface BenchOptions {
  incidents: number;
  runs: number;
  days: number;
  seed: number;
  json?: boolean;
}

/** The CLI's largest page: the bench asks for every match in the window, as the Scan finds them all. */
const ALL_MATCHES = 10_000;
const TARGET_RATIO = 20;
const WARM_UP_RUNS = 1;

const integer = (what: string, min: number, max: number) => (text: string) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidArgumentError(`${what} must be an integer from ${min} to ${max}`);
  return value;
};

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

/**
 * Items per Scan segment. DynamoDB Local resumes every Scan page by reading the rest of its
 * segment again, so one plain Scan of 100,000 items costs it O(n²) (minutes), where AWS's Scan is
 * linear. Segments of about this many items, read one after another, read every item once as a
 * plain Scan does, without that quirk, which would only flatter the Query.
 */
const SCAN_SEGMENT_ITEMS = 1000;

/** What a table without indexes would do: read every item, keep the matches, sort them by time. */
async function scanWithFilter(
  db: DynamoDBDocumentClient,
  tableName: string,
  filter: Required<Pick<IncidentFilter, 'policyId' | 'since'>>,
  segments: number,
): Promise<{ incidentId: string; detectedAt: string }[]> {
  const matches: { incidentId: string; detectedAt: string }[] = [];
  for (let segment = 0; segment < segments; segment++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page: ScanCommandOutput = await db.send(
        new ScanCommand({
          TableName: tableName,
          Segment: segment,
          TotalSegments: segments,
          FilterExpression: 'policyId = :policy AND detectedAt >= :since',
          ExpressionAttributeValues: { ':policy': filter.policyId, ':since': sinceBound(filter.since) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) matches.push({ incidentId: item.incidentId as string, detectedAt: item.detectedAt as string });
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }
  return matches.sort((a, b) => b.detectedAt.localeCompare(a.detectedAt));
}

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50Ms: round(percentile(sorted, 50)), p95Ms: round(percentile(sorted, 95)), runs: samples.length };
};
const round = (ms: number) => Math.round(ms * 10) / 10;

async function bench(options: BenchOptions): Promise<void> {
  // As bin/scp-guardian.js: the SDK's Node 20 notice would bury the figures.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const now = new Date();
  const org = benchOrganization();
  progress(`bench:audit: ${options.incidents} incidents over ${options.days} days, ${options.runs} timed runs each, seed ${options.seed}`);
  progress('starting DynamoDB Local (in memory) ...');
  const dynamo = await DynamoDbLocal.start();
  const stop = () => dynamo.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const db = DynamoDBDocumentClient.from(dynamo.client(), { marshallOptions: { removeUndefinedValues: true } });
  try {
    const tableName = 'bench-audit';
    await createAuditTable(dynamo.endpoint, tableName);
    let reported = 0;
    const load = await timed(() =>
      batchLoad(db, tableName, generateIncidentItems(options.incidents, { seed: options.seed, now, days: options.days, org }), {
        concurrency: 8,
        onProgress: (written) => {
          if (written - reported >= 10_000 || written === options.incidents) progress(`  loaded ${(reported = written)}`);
        },
      }),
    );

    // The busiest policy: the most matches, the least flattering case for the index.
    const filter = { policyId: org.policies[0], since: new Date(now.getTime() - 30 * 86_400_000) };
    const queries = new AuditQueries(db, tableName);
    const firstPage = async () => (await queries.list(filter, { limit: DEFAULT_PAGE_SIZE, now })).incidents.map((i) => i.detectedAt);
    const everyMatch = async () => {
      const page = await queries.list(filter, { limit: ALL_MATCHES, now });
      if (page.nextToken !== undefined) throw new Error(`more than ${ALL_MATCHES} matches: lower --incidents`);
      return page.incidents.map((incident) => incident.incidentId);
    };
    const segments = Math.max(1, Math.ceil(options.incidents / SCAN_SEGMENT_ITEMS));
    const scan = () => scanWithFilter(db, tableName, filter, segments);

    progress(`timing audit list --policy ${filter.policyId} --since 30d (Query on byPolicy) against a Scan with a filter ...`);
    // Same answers, or the comparison means nothing: every match, and the newest page of them.
    const scanned = await scan();
    const matched = await everyMatch();
    if ([...scanned.map((m) => m.incidentId)].sort().join() !== [...matched].sort().join()) throw new Error('the Query and the Scan found different incidents');
    if ((await firstPage()).join() !== scanned.slice(0, DEFAULT_PAGE_SIZE).map((m) => m.detectedAt).join()) throw new Error('the first page differs from the Scan\'s newest matches');
    for (let i = 0; i < WARM_UP_RUNS; i++) await Promise.all([firstPage(), everyMatch(), scan()]);
    const samples = { firstPage: [] as number[], everyMatch: [] as number[], scan: [] as number[] };
    for (let run = 0; run < options.runs; run++) {
      // Interleaved, so all three see the same JVM, caches and machine load.
      samples.firstPage.push((await timed(firstPage)).ms);
      samples.everyMatch.push((await timed(everyMatch)).ms);
      samples.scan.push((await timed(scan)).ms);
    }

    const figures = { firstPage: summary(samples.firstPage), everyMatch: summary(samples.everyMatch), scan: { ...summary(samples.scan), segments } };
    const ratioTo = (query: { p50Ms: number; p95Ms: number }) => ({ p50: round(figures.scan.p50Ms / query.p50Ms), p95: round(figures.scan.p95Ms / query.p95Ms) });
    const ratio = { firstPage: ratioTo(figures.firstPage), everyMatch: ratioTo(figures.everyMatch) };
    const report = {
      incidents: options.incidents,
      days: options.days,
      seed: options.seed,
      loadSeconds: round(load.ms / 1000),
      command: `audit list --policy ${filter.policyId} --since 30d`,
      matches: matched.length,
      pageSize: DEFAULT_PAGE_SIZE,
      query: { firstPage: figures.firstPage, everyMatch: figures.everyMatch },
      scan: figures.scan,
      ratio,
      target: { ratio: TARGET_RATIO, judgedOn: 'firstPage', met: ratio.firstPage.p50 >= TARGET_RATIO },
    };
    if (options.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      const row = (label: string, f: { p50Ms: number; p95Ms: number; runs: number }, note: string) =>
        `${label.padEnd(37)}p50 ${String(f.p50Ms).padStart(8)} ms   p95 ${String(f.p95Ms).padStart(8)} ms   ${note}`;
      process.stdout.write(
        [
          `loaded                               ${report.incidents} incidents over ${report.days} days in ${report.loadSeconds} s (BatchWriteItem)`,
          `command                              ${report.command}: ${report.matches} matches`,
          row('Query, as typed (first page)', figures.firstPage, `newest ${DEFAULT_PAGE_SIZE}, ${options.runs} runs`),
          row('Query, every match (--limit 10000)', figures.everyMatch, `${report.matches} incidents, ${options.runs} runs`),
          row('Scan with filter (baseline)', figures.scan, `${segments} segments read one after another, ${options.runs} runs`),
          `ratio, as typed                      p50 ${ratio.firstPage.p50}x   p95 ${ratio.firstPage.p95}x   target >= ${TARGET_RATIO}x: ${report.target.met ? 'met' : 'NOT met'}`,
          `ratio, every match                   p50 ${ratio.everyMatch.p50}x   p95 ${ratio.everyMatch.p95}x`,
        ].join('\n') + '\n',
      );
    }
  } finally {
    db.destroy();
    await dynamo.close();
  }
}

new Command('bench:audit')
  .description('time audit list --policy … --since 30d against a Scan with a filter, on a loaded DynamoDB Local')
  .option('--incidents <n>', 'incidents to load', integer('--incidents', 100, 1_000_000), 100_000)
  .option('--runs <n>', 'timed runs of each', integer('--runs', 1, 1000), 10)
  .option('--days <n>', 'days the incidents are spread over', integer('--days', 30, 3650), 365)
  .option('--seed <n>', 'seed of the generated history', integer('--seed', 0, 2 ** 31), 42)
  .option('--json', 'print one JSON document')
  .action(bench)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`bench:audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });

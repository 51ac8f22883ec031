import { Command, Option } from 'commander';
import { PageTokenError } from '../audit/page-token';
import type { IncidentFilter } from '../../functions/shared/audit/queries';
import { DEFAULT_PAGE_SIZE } from '../audit/queries';
import { summarize } from '../audit/stats';
import { Kind, Outcome, Source } from '../../functions/shared/vocabulary';
import { DATA_DIR_ENV } from '../../local/dynamodb/local-audit-data';
import { explainAwsError } from '../audit/aws-errors';
import { connect, DEFAULT_REGION, TABLE_ENV, type AuditConnection, type ConnectionOptions } from '../audit/connection';
import { toCsv } from '../audit/csv';
import { desiredRows, formatDesired } from '../audit/desired-text';
import { formatIncident } from '../audit/incident-text';
import { toAuditRow } from '../audit/rows';
import { formatStats, withKinds } from '../audit/stats-text';
import { renderTable } from '../audit/table';
import { parseTime, parseWindow } from '../audit/time';
import { AuditUsageError } from '../audit/usage-error';
import { localOption } from '../local-option';
import { COLOURED, PLAIN, textStyle, type TextStyle } from '../terminal/style';
import { wrap } from '../terminal/text';

/** Where `audit` writes; tests pass their own. */
export interface AuditOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The width text must fit. */
  columns(): number;
  /** Whether stdout takes colour. @default false */
  colour?(): boolean;
}

const processOutput: AuditOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  columns: () => textStyle(process.stdout, process.env).width,
  colour: () => textStyle(process.stdout, process.env).paint === COLOURED,
};

/** The output's style: its width (none with `--wide`) and its colours. */
function styleOf(output: AuditOutput, wide: boolean | undefined): TextStyle {
  return { width: wide === true ? Number.POSITIVE_INFINITY : output.columns(), paint: output.colour?.() === true ? COLOURED : PLAIN };
}

/** `--format`, with what this command accepts in its help and in its error (commander's choices). */
function formatOption<T extends string>(choices: readonly T[]): Option {
  return new Option('--format <format>', 'how to print').choices(choices).default(choices[0]);
}

/** Outcomes an incident can be stored with (a duplicate delivery never is). */
const STORED_OUTCOMES = Object.values(Outcome).filter((outcome) => outcome !== Outcome.DUPLICATE);
const MAX_LIMIT = 10_000;

interface FilterOptions {
  policy?: string;
  target?: string;
  actor?: string;
  outcome?: string;
  kind?: string;
  source?: string;
  since?: string;
  until?: string;
  includeSelfTests?: boolean;
}

type ListOptions = ConnectionOptions & FilterOptions & { limit: string; nextToken?: string; format: 'table' | 'json' | 'csv'; wide?: boolean };
type ShowOptions = ConnectionOptions & { format: 'text' | 'json'; wide?: boolean };
type StatsOptions = ConnectionOptions & FilterOptions & { format: 'text' | 'json' };

function nonEmpty(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new AuditUsageError(`${option} is empty`);
  return value.trim();
}

function parseFilter(options: FilterOptions, now: Date): IncidentFilter {
  const outcome = nonEmpty('--outcome', options.outcome)?.toUpperCase();
  if (outcome !== undefined && !(STORED_OUTCOMES as string[]).includes(outcome)) {
    throw new AuditUsageError(`--outcome "${options.outcome}" is not an outcome: one of ${STORED_OUTCOMES.join(', ')}`);
  }
  const kind = nonEmpty('--kind', options.kind)?.toUpperCase();
  if (kind !== undefined && !(Object.values(Kind) as string[]).includes(kind)) throw new AuditUsageError(`--kind "${options.kind}" is not a kind: one of ${Object.values(Kind).join(', ')}`);
  const source = nonEmpty('--source', options.source)?.toLowerCase();
  if (source !== undefined && !(Object.values(Source) as string[]).includes(source)) throw new AuditUsageError(`--source "${options.source}" is not a source: one of ${Object.values(Source).join(', ')}`);
  const actorArn = nonEmpty('--actor', options.actor);
  if (actorArn !== undefined && !actorArn.startsWith('arn:')) {
    throw new AuditUsageError(`--actor "${actorArn}" is not an ARN: give the role's ARN (arn:aws:iam::123456789012:role/Name) or the caller's`);
  }
  return {
    policyId: nonEmpty('--policy', options.policy),
    targetId: nonEmpty('--target', options.target),
    actorArn,
    outcome: outcome as IncidentFilter['outcome'],
    kind: kind as IncidentFilter['kind'],
    source: source as IncidentFilter['source'],
    ...parseWindow(options.since, options.until, now),
    includeSelfTests: options.includeSelfTests === true,
  };
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new AuditUsageError(`--limit "${value}" must be a whole number from 1 to ${MAX_LIMIT}`);
  return limit;
}

/** Every error leaves as one line; SDK errors are explained in terms of the table. */
async function withConnection(options: ConnectionOptions, work: (connection: AuditConnection) => Promise<void>): Promise<void> {
  let connection: AuditConnection;
  try {
    connection = await connect(options);
  } catch (error) {
    if (error instanceof AuditUsageError) throw error;
    throw new Error(((error as Error).message ?? String(error)).split('\n')[0]);
  }
  try {
    await work(connection);
  } catch (error) {
    if (error instanceof AuditUsageError || error instanceof PageTokenError) throw error;
    throw explainAwsError(error, connection);
  } finally {
    await connection.close();
  }
}

function connectionOptions(command: Command): Command {
  return command
    .option('--table <name>', `the audit table (default: $${TABLE_ENV}; the stack output AuditTableName)`)
    .option('--region <region>', 'the table\'s AWS region', DEFAULT_REGION)
    .option('--endpoint <url>', 'a DynamoDB endpoint instead of AWS, e.g. the one `local --serve` prints')
    .addOption(localOption('what the last `scp-guardian local` run recorded in --data-dir (DynamoDB Local is started on it)'))
    .option('--data-dir <dir>', `with --local: the local data folder (default: $${DATA_DIR_ENV} or ./.scp-guardian)`);
}

function filterOptions(command: Command): Command {
  return command
    .option('--policy <id>', 'incidents about this policy (byPolicy index)')
    .option('--target <id>', 'incidents on this root, OU or account (byTarget index)')
    .option('--actor <arn>', 'incidents by this principal: the role behind a session, or the caller\'s ARN (byActor index)')
    .option('--outcome <outcome>', `incidents that ended so: ${STORED_OUTCOMES.join(', ')} (byOutcome index)`)
    .option('--kind <kind>', `incidents of this kind: ${Object.values(Kind).join(', ')}`)
    .option('--source <source>', `incidents from: ${Object.values(Source).join(', ')} (self-test and canary are left out unless named)`)
    .option('--since <time>', 'detected at or after: ISO 8601 (2026-11-20, 2026-11-20T09:30:00Z) or an age (30m, 24h, 7d)')
    .option('--until <time>', 'detected at or before (a date alone: to the end of that day)')
    .option('--include-self-tests', 'also the daily self-test\'s and canary\'s incidents (left out by default)');
}

function listCommand(output: AuditOutput): Command {
  return filterOptions(connectionOptions(new Command('list')))
    .description('incidents newest first; several filters query the most selective index and filter on the others')
    .option('--limit <n>', 'incidents per page', String(DEFAULT_PAGE_SIZE))
    .option('--next-token <token>', 'the next page of the query that printed this token')
    .addOption(formatOption(['table', 'json', 'csv'] as const))
    .option('--wide', 'every column whole on one line, with the source and the mode (default: fit the terminal, 80 columns when not one)')
    .action(async (options: ListOptions) => {
      const now = new Date();
      const filter = parseFilter(options, now);
      const limit = parseLimit(options.limit);
      const { format } = options;
      await withConnection(options, async (connection) => {
        const page = await connection.queries.list(filter, { limit, nextToken: options.nextToken, now });
        const rows = page.incidents.map(toAuditRow);
        if (format === 'json') {
          const query = {
            index: page.plan.index,
            since: page.plan.since ?? null,
            until: page.plan.until ?? null,
            policy: filter.policyId ?? null,
            target: filter.targetId ?? null,
            actor: filter.actorArn ?? null,
            outcome: filter.outcome ?? null,
            kind: filter.kind ?? null,
            source: filter.source ?? null,
          };
          output.stdout(`${JSON.stringify({ table: connection.tableName, query, incidents: rows, nextToken: page.nextToken ?? null }, null, 2)}\n`);
          return;
        }
        if (format === 'csv') {
          output.stdout(toCsv(rows));
          if (page.nextToken !== undefined) output.stderr(`next page: --next-token ${page.nextToken}\n`);
          return;
        }
        if (rows.length === 0) {
          output.stdout('No incidents match.\n');
          return;
        }
        const style = styleOf(output, options.wide);
        const table = renderTable(rows, style.width, { wide: options.wide, paint: style.paint });
        output.stdout(`${table.text}\n`);
        if (table.hidden.length > 0) output.stdout(`${wrap(`(${table.hidden.join(', ')} hidden to fit the terminal; --wide, --format csv or json has every field)`, style.width).join('\n')}\n`);
        if (page.nextToken !== undefined) output.stdout(`next page: --next-token ${page.nextToken}\n`);
      });
    });
}

/** `audit show ID`; `audit show --local ID` took the id for --local's URL: it is the id. */
function showTarget(argument: string | undefined, options: ShowOptions): { incidentId: string; options: ShowOptions } {
  if (argument !== undefined) return { incidentId: argument, options };
  if (typeof options.local === 'string' && !/^https?:\/\//.test(options.local)) return { incidentId: options.local, options: { ...options, local: true } };
  throw new AuditUsageError('which incident? give its id: scp-guardian audit show INCIDENT_ID');
}

function showCommand(output: AuditOutput): Command {
  return connectionOptions(new Command('show'))
    .description('one incident and its full timeline')
    // Optional for commander only: `audit show --local ID` (from before --local took a URL) still works.
    .argument('[incident-id]', 'the CloudTrail eventID of the detach')
    .addOption(formatOption(['text', 'json'] as const))
    .option('--wide', 'every line whole, the execution ARN on each step (default: fit the terminal, 80 columns when not one)')
    .action(async (argument: string | undefined, given: ShowOptions) => {
      const { incidentId, options } = showTarget(argument, given);
      const { format } = options;
      await withConnection(options, async (connection) => {
        const found = await connection.queries.show(incidentId);
        if (found === undefined) throw new AuditUsageError(`no incident "${incidentId}" in table "${connection.tableName}" (${connection.where})`);
        const text = () => formatIncident(found.incident, found.timeline, styleOf(output, options.wide), { wide: options.wide });
        output.stdout(format === 'json' ? `${JSON.stringify(found, null, 2)}\n` : `${text()}\n`);
      });
    });
}

function statsCommand(output: AuditOutput): Command {
  return filterOptions(connectionOptions(new Command('stats')))
    .description('counts by verdict and outcome, time to remediate, overrides by decider')
    .addOption(formatOption(['text', 'json'] as const))
    .action(async (options: StatsOptions) => {
      const now = new Date();
      const filter = parseFilter({ ...options, since: options.since ?? '30d' }, now);
      const { format } = options;
      await withConnection(options, async (connection) => {
        const records = [];
        for await (const record of connection.queries.all(filter, now)) records.push(record);
        const stats = withKinds(summarize(records), records);
        const window = { since: filter.since?.toISOString(), until: filter.until?.toISOString() };
        output.stdout(format === 'json' ? `${JSON.stringify({ table: connection.tableName, ...window, ...stats }, null, 2)}\n` : `${formatStats(stats, window, output.columns())}\n`);
      });
    });
}

type DesiredOptions = ConnectionOptions & { at?: string; policy?: string; target?: string; format: 'text' | 'json' };

function desiredCommand(output: AuditOutput): Command {
  return connectionOptions(new Command('desired'))
    .description('what the guard held should be attached (the desired state), now or at a past time')
    .option('--at <time>', 'the state at this time: ISO 8601 (2026-11-20, 2026-11-20T09:30:00Z) or an age (30m, 24h, 7d)')
    .option('--policy <id>', 'only pairs of this policy')
    .option('--target <id>', 'only pairs on this root, OU or account')
    .addOption(formatOption(['text', 'json'] as const))
    .action(async (options: DesiredOptions) => {
      const now = new Date();
      // A date alone means the end of that day: what the guard held on that date.
      const at = options.at === undefined ? now : parseTime(options.at, '--at', now, true);
      const { format } = options;
      const policyId = nonEmpty('--policy', options.policy);
      const targetId = nonEmpty('--target', options.target);
      await withConnection(options, async (connection) => {
        const latest = await connection.desired.pairs({ at, policyId });
        const rows = desiredRows([...latest.values()].filter((entry) => targetId === undefined || entry.targetId === targetId), at);
        output.stdout(format === 'json' ? `${JSON.stringify({ table: connection.tableName, at: at.toISOString(), pairs: rows }, null, 2)}\n` : `${formatDesired(rows, at, output.columns())}\n`);
      });
    });
}

/** `scp-guardian audit list|show|stats|desired`: the audit trail, by Queries on its indexes (contract: docs/contracts.md, "`audit … --format json`"). */
export function auditCommand(output: AuditOutput = processOutput): Command {
  return new Command('audit')
    .description('query the audit trail in DynamoDB (AWS, --endpoint, or --local for the local runner\'s data)')
    .addCommand(listCommand(output))
    .addCommand(showCommand(output))
    .addCommand(statsCommand(output))
    .addCommand(desiredCommand(output));
}

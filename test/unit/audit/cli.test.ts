import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command } from 'commander';
import { auditCommand } from '../../../cli/commands/audit';
import { dynamoDbEndpoint } from '../../support/local-harness';
import { freshTable, record } from '../../support/audit-incidents';

interface Run {
  stdout: string;
  stderr: string;
  error?: Error;
}

/** Runs `scp-guardian audit ARGS` in this process, with `env` set for the duration. */
async function audit(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>) =>
    Object.entries(values).forEach(([key, value]) => (value === undefined ? delete process.env[key] : (process.env[key] = value)));
  apply(env);
  try {
    const program = new Command('scp-guardian').exitOverride().addCommand(auditCommand({ stdout: (t) => stdout.push(t), stderr: (t) => stderr.push(t), columns: () => 120 }));
    await program.parseAsync(['node', 'scp-guardian', 'audit', ...args]);
    return { stdout: stdout.join(''), stderr: stderr.join('') };
  } catch (error) {
    return { stdout: stdout.join(''), stderr: stderr.join(''), error: error as Error };
  } finally {
    apply(saved);
  }
}

/** Nothing the SDK could find credentials in, and no instance metadata to ask. */
const NO_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: 'scp-guardian-test-no-such-profile',
  AWS_CONFIG_FILE: '/nonexistent/scp-guardian/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/scp-guardian/credentials',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
};

/** `scp-guardian audit` as people call it, against DynamoDB Local through --endpoint. */
describe('scp-guardian audit', () => {
  let db: DynamoDBDocumentClient;
  let tableName: string;
  let at: string[];
  const ids: string[] = [];

  beforeAll(async () => {
    const table = await freshTable();
    ({ db, tableName } = table);
    at = ['--endpoint', dynamoDbEndpoint(), '--table', tableName];
    const seeds = [
      { spec: { detectedAt: '2026-11-18T08:00:00Z', policyId: 'p-protectct' }, ending: { outcome: 'OVERRIDDEN', decision: 'OVERRIDE', decidedBy: 'U0APPROVER', reason: 'CHG-7, "phase 2"' } },
      { spec: { detectedAt: '2026-11-19T08:00:00Z' }, ending: { outcome: 'REATTACHED', decision: 'AUTO', timeToRemediateSeconds: 3 } },
      { spec: { detectedAt: '2026-11-20T08:00:00Z' }, ending: { outcome: 'REATTACHED', decision: 'AUTO', timeToRemediateSeconds: 9 } },
    ] as const;
    for (const seed of seeds) ids.push((await record(table, seed.spec, seed.ending)).incidentId);
  });
  afterAll(() => db.destroy());

  it('prints a listing as one JSON document', async () => {
    const run = await audit(['list', ...at, '--format', 'json']);

    const document = JSON.parse(run.stdout) as { table: string; incidents: { incidentId: string }[]; nextToken: string | null; query: { index: string } };
    expect(run.error).toBeUndefined();
    expect(document).toMatchObject({ table: tableName, nextToken: null, query: { index: 'byYear' } });
    expect(document.incidents.map((i) => i.incidentId)).toEqual([...ids].reverse());
  });

  it('prints a listing as CSV with a header row and CRLF line ends', async () => {
    const run = await audit(['list', ...at, '--format', 'csv', '--policy', 'p-protectct']);

    const lines = run.stdout.split('\r\n');
    expect(lines[0]).toMatch(/^incidentId,detectedAt,status,verdict,/);
    expect(lines[1]).toContain(`${ids[0]},2026-11-18T08:00:00Z,CLOSED,PROTECTED`);
    expect(lines[1]).toContain('"CHG-7, ""phase 2"""');
    expect(lines.slice(2)).toEqual(['']);
  });

  it('prints a table page by page, with the token for the next page', async () => {
    const first = await audit(['list', ...at, '--limit', '2']);
    const token = /next page: --next-token (\S+)/.exec(first.stdout)?.[1] ?? 'missing';

    const second = await audit(['list', ...at, '--limit', '2', '--next-token', token]);

    expect(first.stdout.split('\n').filter((line) => !line.startsWith('next page')).every((line) => line.length <= 120)).toBe(true);
    expect([ids[2], ids[1]].every((id) => first.stdout.includes(id))).toBe(true);
    expect(second.stdout).toContain(ids[0]);
    expect(second.stdout).not.toContain('next page');
  });

  it('shows one incident with its timeline', async () => {
    const run = await audit(['show', ids[0], ...at]);

    expect(run.stdout).toMatch(/^Decision +OVERRIDE {2}by U0APPROVER/m);
    expect(run.stdout).toMatch(/^Timeline \(4 steps\)$/m);
  });

  it('sums up a window: counts, remediation times, overrides by decider, incidents by kind', async () => {
    const run = await audit(['stats', ...at, '--since', '2026-11-01', '--until', '2026-11-30', '--format', 'json']);

    expect(JSON.parse(run.stdout)).toMatchObject({
      incidents: 3,
      byOutcome: { REATTACHED: 2, OVERRIDDEN: 1 },
      timeToRemediate: { count: 2, p50: 3, p95: 9, max: 9 },
      overridesByDecider: { U0APPROVER: 1 },
      // These seeds are recorded the way incidents were before the kind was kept.
      byKind: { '(no kind)': 3 },
    });
    const text = await audit(['stats', ...at, '--since', '2026-11-01', '--until', '2026-11-30']);
    expect(text.stdout).toMatch(/^By kind:/m);
  });

  describe('says what is wrong in one line', () => {
    const fails = async (args: string[], env: Record<string, string | undefined> = {}) => {
      const run = await audit(args, env);
      expect(run.error).toBeDefined();
      expect(run.error?.message).not.toContain('\n');
      return run.error?.message ?? '';
    };

    it('when no table is named', async () => {
      expect(await fails(['list', '--endpoint', dynamoDbEndpoint()], { SCP_GUARDIAN_TABLE: undefined })).toMatch(/^no audit table: pass --table NAME or set SCP_GUARDIAN_TABLE \(the stack output AuditTableName\)/);
    });

    it('when the table is not there', async () => {
      expect(await fails(['list', '--endpoint', dynamoDbEndpoint(), '--table', 'no-such-table'])).toMatch(/^table "no-such-table" not found in http:\/\/127\.0\.0\.1:\d+/);
    });

    it('when a filter names an outcome that does not exist', async () => {
      expect(await fails(['list', ...at, '--outcome', 'NOPE'])).toBe('--outcome "NOPE" is not an outcome: one of REATTACHED, ALREADY_ATTACHED, RESTORED, OVERRIDDEN, OBSERVED, FAILED');
    });

    it('when an actor is not an ARN', async () => {
      expect(await fails(['list', ...at, '--actor', 'BreakGlassAdmin'])).toMatch(/^--actor "BreakGlassAdmin" is not an ARN/);
    });

    it('when a time cannot be read', async () => {
      expect(await fails(['list', ...at, '--since', 'last tuesday'])).toMatch(/^--since "last tuesday" is not a time/);
    });

    it('when a page token was printed for another query', async () => {
      const first = await audit(['list', ...at, '--limit', '1', '--format', 'json']);
      const token = (JSON.parse(first.stdout) as { nextToken: string }).nextToken;

      expect(await fails(['list', ...at, '--policy', 'p-protectct', '--next-token', token])).toMatch(/^--next-token belongs to a query with other filters/);
    });

    it('when --local is combined with an endpoint', async () => {
      expect(await fails(['list', '--local', '--endpoint', dynamoDbEndpoint()])).toBe("--local reads the local runner's data: leave out --endpoint and --table");
    });

    it('when the incident does not exist', async () => {
      expect(await fails(['show', 'no-such-incident', ...at])).toMatch(/^no incident "no-such-incident" in table "audit-test-/);
    });

    it('when DynamoDB cannot be reached', async () => {
      expect(await fails(['list', '--endpoint', 'http://127.0.0.1:1', '--table', tableName])).toBe('cannot reach DynamoDB at http://127.0.0.1:1 (ECONNREFUSED)');
    });

    it('when there are no AWS credentials', async () => {
      expect(await fails(['list', '--table', 'scp-guardian-audit'], NO_CREDENTIALS)).toMatch(/^no AWS credentials found: set AWS_PROFILE/);
    });
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { doctorCommand } from '../../../cli/commands/doctor';
import { CheckGroup, CheckStatus, type Check } from '../../../cli/doctor/check';
import { doctorReport, formatDoctorReport, type DoctorReport } from '../../../cli/doctor/report';
import { defaultRulesFile, RULES_FILE_CONTEXT as RULES_CONTEXT, SAMPLE_RULES_FILE as RULES_FILE_DEFAULT } from '../../../cli/config/default-rules-file';
import { DEFAULT_RULES_FILE, PROJECT_ROOT, RULES_FILE_CONTEXT } from '../../../infra/app';
import { freePort } from '../../../local/dynamodb/free-port';
import { DENY_LEAVE, healthyAccount, mockAws, PROTECT_CT, RULES, type FakeAccount } from './support';

const folder = mkdtempSync(join(tmpdir(), 'scp-guardian-doctor-command-'));
const rulesFile = join(folder, 'rules.json');
writeFileSync(rulesFile, JSON.stringify(RULES));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The command as main.ts runs it: what it writes, and the exit code it sets. */
async function doctor(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
  process.exitCode = undefined;
  try {
    await doctorCommand({}).parseAsync(['node', 'doctor', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
}

let account: FakeAccount;
beforeEach(() => {
  account = healthyAccount(new Date());
  mockAws(account, new Date());
});

describe('scp-guardian doctor (the command)', () => {
  it('exits 0 and prints one JSON document with every check when nothing fails', async () => {
    const run = await doctor(['--config', rulesFile, '--json']);

    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(run.code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.checks.length).toBe(19);
    expect(report.checks.every((check) => typeof check.name === 'string' && typeof check.detail === 'string' && Object.values(CheckStatus).includes(check.status))).toBe(true);
    // The one warning: the topic's KMS key, whose key policy doctor does not read.
    expect(report.summary).toEqual({ ok: 18, warn: 1, fail: 0, skip: 0 });
  });

  it('exits 0 when there are only warnings', async () => {
    account.desired[PROTECT_CT] = [];
    account.attached[PROTECT_CT] = [];

    const run = await doctor(['--config', rulesFile]);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}warn {2}declared pairs attached: /m);
  });

  it('exits 1 when a check fails, and says so on the last line', async () => {
    account.attached[DENY_LEAVE] = [];

    const run = await doctor(['--config', rulesFile]);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ {2}FAIL {2}no drift: p-denyleave1 on r-a1b2/m);
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('1 failed, 1 warning, 17 ok, 0 skipped: exit 1');
  });

  it('refuses a rules file that does not validate, in one error naming the command', async () => {
    const bad = join(folder, 'bad.json');
    writeFileSync(bad, JSON.stringify({ protect: [{ policyId: 'DenyLeave', targets: '*', mode: 'auto' }] }));

    const run = await doctor(['--config', bad]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^scp-guardian doctor: .*bad\.json is not a valid protection rules file/);
    expect(run.stdout).toBe('');
  });

  it('says what is wrong with --local when it is not a URL, or nothing answers there', async () => {
    const notUrl = await doctor(['--config', rulesFile, '--local', 'localhost-8787']);
    const port = await freePort();
    const nobody = await doctor(['--config', rulesFile, '--local', `http://127.0.0.1:${port}`]);

    expect(notUrl).toMatchObject({ code: 1, stderr: 'scp-guardian doctor: --local: "localhost-8787" is not a URL (e.g. http://127.0.0.1:8787)\n' });
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe(`scp-guardian doctor: cannot reach scp-guardian local --serve at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  it('checks by default the rules file cdk.json deploys, named as infra/app.ts names it', () => {
    const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, string> };

    expect([RULES_CONTEXT, RULES_FILE_DEFAULT]).toEqual([RULES_FILE_CONTEXT, DEFAULT_RULES_FILE]);
    expect(defaultRulesFile()).toBe(join(PROJECT_ROOT, cdkJson.context[RULES_FILE_CONTEXT]));
  });
});

describe('doctor\'s text', () => {
  const check = (status: CheckStatus, detail: string, fix?: string): Check => ({ group: CheckGroup.STACK, name: 'alarms can reach the topic', status, detail, ...(fix === undefined ? {} : { fix }) });
  const report = (checks: Check[]) => doctorReport({ kind: 'local', url: 'http://127.0.0.1:8787' }, 'samples/protection-rules.json', checks);
  const arn = `arn:aws:sns:us-east-1:111122223333:${'ScpGuardian-NotificationsTopic'.repeat(4)}`;

  it('fits 80 columns, an ARN longer than a line included, and keeps the fix under its check', () => {
    const text = formatDoctorReport(report([check(CheckStatus.FAIL, `the policy of ${arn} does not let CloudWatch publish`, `redeploy, then aws sns get-topic-attributes --topic-arn ${arn}`)]));

    const lines = text.split('\n');
    const failAt = lines.findIndex((line) => line.startsWith('  FAIL  alarms can reach the topic: the policy of'));
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(lines[failAt - 1]).toBe('stack');
    expect(lines.findIndex((line) => line.startsWith('        fix: redeploy'))).toBeGreaterThan(failAt);
  });

  it('prints a detail with line breaks and tabs in it (an AWS error message) as one paragraph under its check', () => {
    const text = formatDoctorReport(report([check(CheckStatus.FAIL, 'GetTopicAttributes said:\n\tAuthorization error,   not allowed', 'redeploy')]));

    const lines = text.split('\n');
    const failAt = lines.findIndex((line) => line.startsWith('  FAIL'));
    expect(lines.slice(failAt, failAt + 3)).toEqual(['  FAIL  alarms can reach the topic: GetTopicAttributes said: Authorization', '        error, not allowed', '        fix: redeploy']);
  });

  it('keeps each check on one line with --wide', () => {
    const text = formatDoctorReport(report([check(CheckStatus.FAIL, `the policy of ${arn} does not let CloudWatch publish`, 'redeploy')]), Number.MAX_SAFE_INTEGER);

    expect(text.split('\n').filter((line) => line.startsWith('  FAIL'))).toHaveLength(1);
  });

  it('orders the groups as doctor checks them, whatever order the checks came in', () => {
    const organization: Check = { group: CheckGroup.ORGANIZATION, name: 'organization in use', status: CheckStatus.OK, detail: 'o-1' };

    const ordered = report([check(CheckStatus.OK, 'fine'), organization]);

    expect(ordered.checks.map((c) => c.group)).toEqual(['organization', 'stack']);
    expect(ordered.ok).toBe(true);
  });
});

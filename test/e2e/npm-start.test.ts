import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../cli/project-root';

const run = promisify(execFile);
const root = PROJECT_ROOT;

interface Document {
  incidents: {
    incidentId: string;
    kind: string | null;
    verdict: string;
    mode: string | null;
    decision: string | null;
    outcome: string | null;
    timeline: { step: string }[];
    actions: { call: string; result: string; policyId?: string; targetId?: string }[] | null;
    report: { diff?: string[]; lastKnownContent?: string } | null;
  }[];
  attachCalls: number;
  organization: { policies: { id: string; targets: string[] }[] };
}

/** README's first command, as a user runs it: the sample events through the real workflow. */
describe('npm start', () => {
  let document: Document;
  let stderr: string;

  // The run keeps its audit trail in a data folder; a temporary one keeps parallel runs apart.
  const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-npm-start-'));

  beforeAll(async () => {
    const env = { ...process.env, SCP_GUARDIAN_DATA_DIR: dataDir };
    const result = await run('npm', ['start', '--silent', '--', '--json'], { cwd: root, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    document = JSON.parse(result.stdout) as Document;
    stderr = result.stderr;
  }, 150_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const incident = (suffix: string) => document.incidents.find((i) => i.incidentId.endsWith(suffix));
  const targetsOf = (policyId: string) => document.organization.policies.find((p) => p.id === policyId)?.targets ?? [];

  it('brings every sample incident to the outcome its verdict calls for', () => {
    expect(document.incidents.map((i) => [i.incidentId.slice(-2), i.kind, i.verdict, i.decision, i.outcome])).toEqual([
      ['01', 'DETACHED', 'PROTECTED', 'AUTO', 'REATTACHED'],
      ['02', 'DETACHED', 'PROTECTED', 'AUTO', 'REATTACHED'],
      ['03', 'DETACHED', 'PROTECTED', 'APPROVE', 'REATTACHED'],
      ['04', 'DETACHED', 'IGNORED_ACTOR', null, 'OBSERVED'],
      ['05', 'DETACHED', 'UNPROTECTED', null, 'OBSERVED'],
      ['06', 'DETACHED', 'NOT_SCP', null, 'OBSERVED'],
      ['07', 'DETACHED', 'FAILED_CALL', null, 'OBSERVED'],
      ['09', null, 'INVALID', null, 'OBSERVED'],
      ['10', 'ACCOUNT_MOVED', 'PROTECTED', 'APPROVE', 'RESTORED'],
      ['11', 'POLICY_CHANGED', 'PROTECTED', 'AUTO', 'OBSERVED'],
      ['12', 'DETACHED', 'IGNORED_ACTOR', null, 'OBSERVED'],
      ['13', 'POLICY_DELETED', 'PROTECTED', 'AUTO', 'FAILED'],
      ['14', 'FORBIDDEN_ATTACHED', 'PROTECTED', 'AUTO', 'RESTORED'],
      ['15', 'POLICY_TYPE_DISABLED', 'PROTECTED', 'AUTO', 'RESTORED'],
    ]);
  });

  it('counts the redelivered event once, with one AttachPolicy call per protected detachment and per pair the disabled type lost', () => {
    expect(incident('01')?.timeline.map((entry) => entry.step)).toContain('duplicate-delivery');
    // The type's restore attaches every desired pair of it that is not back already (FullAWSAccess on Prod is: the enable attached it).
    const typeRestoreAttaches = (incident('15')?.actions ?? []).filter((action) => action.call === 'AttachPolicy');
    const attached = typeRestoreAttaches.filter((action) => action.result === 'done');
    expect(attached.length).toBeGreaterThan(0);
    expect(typeRestoreAttaches.filter((action) => action.result === 'already').map((action) => action.policyId)).toEqual(['p-FullAWSAccess']);
    expect(document.attachCalls).toBe(3 + attached.length);
  });

  it('says what each restoration did, and what a rewritten or deleted policy was', () => {
    expect(incident('10')?.actions).toEqual([expect.objectContaining({ call: 'MoveAccount', result: 'done', targetId: '333344445555' })]);
    expect(incident('11')?.report?.diff?.length).toBeGreaterThan(0);
    expect(incident('13')?.report?.lastKnownContent).toContain('organizations:LeaveOrganization');
    expect(incident('14')?.actions).toEqual([expect.objectContaining({ call: 'DetachPolicy', result: 'done', policyId: 'p-FullAWSAccess', targetId: 'ou-a1b2-r8n2qv4j' })]);
    expect(incident('15')?.actions?.[0]).toEqual(expect.objectContaining({ call: 'EnablePolicyType', result: 'done' }));
  });

  it('leaves the organization with the protected attachments back and the others as the events left them', () => {
    // 13 deleted p-denyleave1 (after 12, the pipeline, took it off the root); 15 disabled and the guard re-enabled SCPs.
    expect(document.organization.policies.map((p) => p.id)).not.toContain('p-denyleave1');
    expect(targetsOf('p-denyregion')).toContain('ou-a1b2-7hq4vz2n');
    expect(targetsOf('p-protectct')).toEqual(expect.arrayContaining(['ou-a1b2-m5t8wd6c', 'ou-a1b2-7hq4vz2n']));
    expect(targetsOf('p-allowlist1')).toEqual(['ou-a1b2-r8n2qv4j']);
    expect(targetsOf('p-FullAWSAccess')).not.toContain('ou-a1b2-r8n2qv4j');
    expect(targetsOf('p-denyregion')).not.toContain('444455556666');
    expect(targetsOf('p-tagpolicy1')).not.toContain('r-a1b2');
  });

  it('keeps stdout for the JSON document alone', () => {
    expect(stderr).not.toMatch(/NodeVersionSupportWarning/);
  });
});

/** `npm start` as a new user reads it in a terminal of 80 columns (here not a terminal: no colour). */
describe('npm start, as text', () => {
  let stdout: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-npm-start-text-'));

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SCP_GUARDIAN_DATA_DIR: dataDir, NO_COLOR: '1' };
    delete env.COLUMNS;
    stdout = (await run('npm', ['start', '--silent'], { cwd: root, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
  }, 150_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('fits every line of stdout in 80 columns', () => {
    const lines = stdout.split('\n');

    expect(lines.length).toBeGreaterThan(100);
    expect(lines.filter((line) => line.length > 80)).toEqual([]);
  });

  it('writes no escape codes off a terminal, and with NO_COLOR', () => {
    expect(stdout).not.toContain('\u001b');
  });

  it('names each execution once at most, not on every timeline line', () => {
    expect(stdout).not.toMatch(/arn:aws:states:/);
  });

  it('times each remediation from when the replay applied the change, not from the sample event days before', () => {
    const remediated = stdout.split('\n').filter((line) => line.includes('remediated in'));

    expect(remediated.length).toBeGreaterThan(0);
    for (const line of remediated) expect(line).toMatch(/remediated in \d+\.\d s \(from when the replay/);
  });

  it('times every incident\'s steps from when the replay applied its change: the sample event is the only step days away', () => {
    const headers = stdout.split('\n').filter((line) => line.startsWith('  timeline  '));
    const stepsDaysAfter = stdout.split('\n').filter((line) => /^ {4}\+\d+ d /.test(line));

    expect(headers).toHaveLength(14);
    expect(headers.every((line) => line.startsWith('  timeline  from when the replay applied the change, '))).toBe(true);
    expect(stepsDaysAfter).toEqual([]);
  });

  it('ends the replay with the incidents by outcome', () => {
    expect(stdout).toMatch(/^15 events replayed, none unreadable; 14 incidents, \d+ AttachPolicy calls\n {2}OUTCOME +INCIDENTS {2}KINDS\n {2}REATTACHED +3 {2}detached 3$/m);
  });
});

describe('scp-guardian local --wide, with a file that is not JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scp-guardian-wide-'));
  let stdout: string;

  beforeAll(async () => {
    writeFileSync(join(dir, 'not-json.json'), '{"version": "0", "detail": {');
    const env = { ...process.env, SCP_GUARDIAN_DATA_DIR: join(dir, 'data') };
    const args = ['bin/scp-guardian.js', 'local', '--wide', '--event', 'samples/events/01-protected-auto-root.json', '--event', join(dir, 'not-json.json')];
    stdout = (await run(process.execPath, args, { cwd: root, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 })).stdout;
  }, 150_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the execution ARN', () => {
    expect(stdout).toMatch(/^ {2}execution arn:aws:states:\S+:execution:\S+$/m);
  });

  it('replays the file as INVALID, and the summary says one input was unreadable', () => {
    expect(stdout).toMatch(/: INVALID -> OBSERVED$/m);
    expect(stdout).toContain('2 events replayed, 1 unreadable (not JSON: replayed as INVALID); 2 incidents');
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

interface Document {
  incidents: { incidentId: string; verdict: string; mode: string | null; decision: string | null; outcome: string | null; timeline: { step: string }[] }[];
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
    expect(document.incidents.map((i) => [i.incidentId.slice(-2), i.verdict, i.decision, i.outcome])).toEqual([
      ['01', 'PROTECTED', 'AUTO', 'REATTACHED'],
      ['02', 'PROTECTED', 'AUTO', 'REATTACHED'],
      ['03', 'PROTECTED', 'APPROVE', 'REATTACHED'],
      ['04', 'IGNORED_ACTOR', null, 'OBSERVED'],
      ['05', 'UNPROTECTED', null, 'OBSERVED'],
      ['06', 'NOT_SCP', null, 'OBSERVED'],
      ['07', 'FAILED_CALL', null, 'OBSERVED'],
      ['09', 'INVALID', null, 'OBSERVED'],
    ]);
  });

  it('counts the redelivered event once, with one AttachPolicy call per protected detachment', () => {
    expect(incident('01')?.timeline.map((entry) => entry.step)).toContain('duplicate-delivery');
    expect(document.attachCalls).toBe(3);
  });

  it('leaves the organization with the protected attachments back and the others as the events left them', () => {
    expect(targetsOf('p-denyleave1')).toContain('r-a1b2');
    expect(targetsOf('p-denyregion')).toContain('ou-a1b2-7hq4vz2n');
    expect(targetsOf('p-protectct')).toContain('ou-a1b2-m5t8wd6c');
    expect(targetsOf('p-denyregion')).not.toContain('444455556666');
    expect(targetsOf('p-tagpolicy1')).not.toContain('r-a1b2');
  });

  it('keeps stdout for the JSON document alone', () => {
    expect(stderr).not.toMatch(/NodeVersionSupportWarning/);
  });
});

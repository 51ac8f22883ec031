import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../cli/project-root';

const root = PROJECT_ROOT;
/** The three protected samples (auto, auto, approval) and an unprotected one: the real backoff runs, so fewer events keep it quick. */
const EVENTS = ['01-protected-auto-root.json', '02-protected-auto-prod-ou.json', '03-protected-approval-sandbox-ou.json', '05-unprotected-root.json'];

interface Document {
  incidents: { incidentId: string; verdict: string; outcome: string | null; status: string }[];
  organization: { policies: { id: string; targets: string[] }[] };
}

/** `scp-guardian local --dynamodb-faults unavailable --json`, as a user runs it. */
describe('scp-guardian local with the audit store down', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-dynamodb-faults-'));
  let result: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    result = await new Promise((resolve) => {
      execFile(
        process.execPath,
        ['bin/scp-guardian.js', 'local', '--dynamodb-faults', 'unavailable', '--json', '--data-dir', dataDir, '--event', ...EVENTS.map((name) => join(root, 'samples', 'events', name))],
        { cwd: root, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? null), stdout, stderr }),
      );
    });
  }, 150_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('still prints the JSON document, with every protected pair reattached in the organization', () => {
    const document = JSON.parse(result.stdout) as Document;
    const targetsOf = (policyId: string) => document.organization.policies.find((p) => p.id === policyId)?.targets ?? [];

    expect(document.incidents.filter((i) => i.verdict === 'PROTECTED').map((i) => i.outcome)).toEqual(['REATTACHED', 'REATTACHED', 'REATTACHED']);
    expect(document.incidents.every((i) => i.status === 'NOT RECORDED')).toBe(true);
    expect(targetsOf('p-denyleave1')).toContain('r-a1b2');
    expect(targetsOf('p-denyregion')).toContain('ou-a1b2-7hq4vz2n');
    expect(targetsOf('p-protectct')).toContain('ou-a1b2-m5t8wd6c');
  });

  it('exits non-zero with one line saying the audit trail could not be written', () => {
    const lines = result.stderr.split('\n').filter((line) => line.includes('audit trail could not be written'));

    expect(result.code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^scp-guardian local: the audit trail could not be written for 4 of 4 incidents/)]);
  });
});

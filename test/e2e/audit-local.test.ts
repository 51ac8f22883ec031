import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../../cli/project-root';

const run = promisify(execFile);

interface LocalDocument {
  incidents: { incidentId: string; verdict: string; decision: string | null; outcome: string | null; policyId: string | null; targetId: string | null }[];
}
interface AuditDocument {
  incidents: { incidentId: string; verdict: string; decision: string | null; outcome: string | null; policyId: string | null; targetId: string | null; timeToRemediateSeconds: number | null }[];
  nextToken: string | null;
}

/** README's "Audit trail" steps, as a user types them: a local run, then `audit --local` on its data. */
describe('scp-guardian audit --local after scp-guardian local', () => {
  let dataDir: string;
  let local: LocalDocument;
  let listed: AuditDocument;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-e2e-'));
    // A data folder of its own, so parallel runs and a developer's own .scp-guardian never collide.
    const env = { ...process.env, SCP_GUARDIAN_DATA_DIR: dataDir };
    const options = { cwd: PROJECT_ROOT, env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 };
    local = JSON.parse((await run(process.execPath, ['bin/scp-guardian.js', 'local', '--json'], options)).stdout) as LocalDocument;
    listed = JSON.parse((await run(process.execPath, ['bin/scp-guardian.js', 'audit', 'list', '--local', '--format', 'json'], options)).stdout) as AuditDocument;
  }, 240_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists every incident of the run, with the verdict, decision and outcome the run reported', () => {
    const fields = (i: LocalDocument['incidents'][number]) => [i.incidentId, i.verdict, i.decision, i.outcome, i.policyId, i.targetId];
    const byId = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));

    expect(listed.incidents.map(fields).sort(byId)).toEqual(local.incidents.map(fields).sort(byId));
    expect(listed.nextToken).toBeNull();
  });

  it('records a time to remediate for every reattached incident, from when the replay applied the change (the samples are days old)', () => {
    const reattached = listed.incidents.filter((i) => i.outcome === 'REATTACHED');

    expect(reattached.length).toBeGreaterThan(0);
    // An approval takes a moment; the sample events' own times (2026-11-20) are days or more before any run.
    for (const incident of reattached) expect(incident.timeToRemediateSeconds).toBeLessThan(120);
  });
});

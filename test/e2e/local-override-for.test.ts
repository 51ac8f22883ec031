import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../cli/project-root';

const root = PROJECT_ROOT;
const APPROVAL_EVENT = join('samples', 'events', '03-protected-approval-sandbox-ou.json');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function scpGuardian(args: string[], dataDir: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', ['bin/scp-guardian.js', ...args], { cwd: root, env: { ...process.env, SCP_GUARDIAN_DATA_DIR: dataDir }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `scp-guardian local --decision override --for`, as a user tries an override with an expiry. */
describe('scp-guardian local --decision override --for', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-override-for-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('overrides for the duration given, and the JSON document says until when', async () => {
    const run = await scpGuardian(['local', '--decision', 'override', '--for', '2h', '--json', '--event', APPROVAL_EVENT], dataDir);
    const document = JSON.parse(run.stdout) as { incidents: { decision: string; outcome: string; overriddenUntil: string | null; timeline: { at: string; step: string }[] }[] };

    const [incident] = document.incidents;
    const decidedAt = incident.timeline.find((entry) => entry.step === 'decided')?.at ?? '';
    expect(run.code).toBe(0);
    expect(incident).toMatchObject({ decision: 'OVERRIDE', outcome: 'OVERRIDDEN', overriddenUntil: new Date(Date.parse(decidedAt) + 2 * 3_600_000).toISOString() });
  }, 150_000);

  it('exits 1 before starting when --for is longer than the rules allow', async () => {
    const run = await scpGuardian(['local', '--decision', 'override', '--for', '8d', '--event', APPROVAL_EVENT], dataDir);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--for: an override lasts at most 7d (the rules' overrides.maxHours is 168): 8d is longer");
  }, 150_000);

  it('exits 1 naming the value when --for is not a duration', async () => {
    const run = await scpGuardian(['local', '--decision', 'override', '--for', 'soon'], dataDir);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain("option '--for <duration>' argument 'soon' is invalid. expected a duration such as 30m, 4h or 2d");
  }, 150_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../cli/project-root';

const root = PROJECT_ROOT;

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

/** `scp-guardian local --canary`, as a user tries the canary from the README. */
describe('scp-guardian local --canary', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-canary-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs one canary through the local endpoint and the workflow, and says it passed', async () => {
    const run = await scpGuardian(['local', '--canary', '--json', '--config', 'samples/canary/protection-rules.json', '--org', 'samples/canary/organization.json'], dataDir);
    const document = JSON.parse(run.stdout) as {
      incidents: { source: string; outcome: string }[];
      canary: { passed: boolean; pairAttached: boolean; emailsToPeople: number; postedToSlack: boolean };
    };

    expect(run.code).toBe(0);
    expect(document.incidents.map((i) => [i.source, i.outcome])).toEqual([['canary', 'REATTACHED']]);
    expect(document.canary).toMatchObject({ passed: true, pairAttached: true, emailsToPeople: 0, postedToSlack: false });
  }, 150_000);

  it('exits 1 and says where a canary sample is when the rules have no canary', async () => {
    const run = await scpGuardian(['local', '--canary'], dataDir);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--canary: .*has no "canary"; try: scp-guardian local --canary --config samples\/canary\/protection-rules\.json --org samples\/canary\/organization\.json/);
  }, 150_000);
});

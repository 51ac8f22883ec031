import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../cli/project-root';

const root = PROJECT_ROOT;

function scpGuardian(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', ['bin/scp-guardian.js', ...args], { cwd: root, env: { ...process.env, SCP_GUARDIAN_DATA_DIR: dataDir }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** The command line as a new user first meets it. */
describe('scp-guardian, first contact', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints its version with --version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

    const run = await scpGuardian(['--version'], dataDir);

    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('names an --event path that does not exist in one line, and replays nothing', async () => {
    const missing = join(dataDir, 'no-such-event.json');

    const run = await scpGuardian(['local', '--event', missing], dataDir);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n').filter((line) => line.startsWith('scp-guardian'))).toEqual([`scp-guardian local: --event ${missing}: no such file or directory`]);
  });
});

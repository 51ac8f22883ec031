import { execFile } from 'node:child_process';
import { PROJECT_ROOT } from '../../../cli/project-root';

const ROOT = PROJECT_ROOT;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `scp-guardian explain ...`, as a user runs it. */
function explain(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', ['bin/scp-guardian.js', 'explain', ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('scp-guardian explain, as a process', () => {
  const runs: Record<string, Run> = {};

  // Started together: each pays tsx's start-up once.
  beforeAll(async () => {
    const [json, malformed] = await Promise.all([explain('p-protectct', 'ou-a1b2-7hq4vz2n', '--json'), explain('DenyLeave', 'r-a1b2')]);
    Object.assign(runs, { json, malformed });
  }, 90_000);

  it('prints one JSON document and exits 0', () => {
    const { code, stdout, stderr } = runs.json;

    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ policyId: 'p-protectct', rulesFile: 'samples/protection-rules.json', decidedBy: { rule: 'protect[1]', mode: 'approval' } });
  });

  it('exits 1 with one line on a malformed policy id', () => {
    const { code, stdout, stderr } = runs.malformed;

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('scp-guardian explain: POLICY_ID "DenyLeave" is not a policy id (p-[0-9a-zA-Z_]{8,128})\n');
  });
});

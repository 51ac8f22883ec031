import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detachEvent } from '../support/events';
import { Org } from '../support/local-harness';
import { PROJECT_ROOT } from '../../cli/project-root';

const BIN = join(PROJECT_ROOT, 'bin', 'scp-guardian.js');
/** Starting means compiling the CLI (tsx) and booting DynamoDB Local (Java) on 2 busy cores. */
const START_DEADLINE_MS = 90_000;
/** A JVM that boots with less JIT work: these servers live for seconds. */
const QUICK_JVM = { ...process.env, JAVA_TOOL_OPTIONS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC' };
/** What the issue asks of every way out: every child stopped within 2 s. */
const STOP_DEADLINE_MS = 2_000;

/** Whether a process runs (a zombie, exited but not yet reaped by its new parent, does not). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The processes below `pid` (children, their children, ...), from /proc. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => parents.forEach((ppid, child) => ppid === parent && (found.push(child), visit(child)));
  visit(pid);
  return found;
}

/** After a failed test: nothing it started may stay behind. */
function killTree(pid: number | undefined): void {
  if (pid === undefined) return;
  for (const each of [...descendantsOf(pid), pid]) {
    try {
      process.kill(each, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

async function waitUntil(what: string, done: () => boolean, deadlineMs: number): Promise<number> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > deadlineMs) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

/** A `scp-guardian local --serve` child process, as a user starts it. */
interface Served {
  child: ChildProcess;
  dataDir: string;
  url: string;
  port: number;
  /** The node process serving (the child itself, or the one an npm wrapper started). */
  nodePid: number;
  /** Its DynamoDB Local (Java) child. */
  javaPid: number;
  stderr(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Served[] = [];

async function serve(how: 'node' | 'npm' = 'node'): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-exits-'));
  const args = ['--serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'silent'];
  const child =
    how === 'node'
      ? spawn(process.execPath, [BIN, 'local', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: QUICK_JVM })
      : spawn('npm', ['start', '--silent', '--', ...args], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: QUICK_JVM });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout?.on('error', () => undefined);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const served = { child, dataDir, stderr: () => stderr, exit } as Served;
  started.push(served);
  await waitUntil(`scp-guardian local --serve (${how}) listening; stderr so far: ${stderr}`, () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(stderr), START_DEADLINE_MS);
  served.url = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(stderr)![1];
  served.port = Number(new URL(served.url).port);
  const lock = JSON.parse(readFileSync(join(dataDir, 'dynamodb.lock.json'), 'utf8')) as { pid: number; dynamoDbPid: number };
  served.nodePid = lock.pid;
  served.javaPid = lock.dynamoDbPid;
  return served;
}

/** The server's token, or none when it wrote none. */
function tokenOf(served: Served): string {
  const file = join(served.dataDir, 'serve-token');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
}

async function postEvent(served: Served, event: unknown): Promise<{ incidentId: string }> {
  const posted = await fetch(`${served.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenOf(served)}` }, body: JSON.stringify(event) });
  return (await posted.json()) as { incidentId: string };
}

/** What a running server is in the middle of: an incident waiting, for 15 minutes, for a decision. */
async function untilWaiting(served: Served): Promise<void> {
  const { incidentId } = await postEvent(served, detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu }));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await fetch(`${served.url}/incidents/${incidentId}`);
    if (answer.ok && ((await answer.json()) as { status: string }).status === 'AWAITING_DECISION') return;
    if (Date.now() > deadline) throw new Error(`incident ${incidentId} was not waiting for a decision within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Resolves, against the deadline, once the serving node and its Java child have both gone. */
async function allGone(served: Served, deadlineMs = STOP_DEADLINE_MS): Promise<number> {
  return waitUntil(`node (pid ${served.nodePid}) and DynamoDB Local (pid ${served.javaPid}) gone; stderr: ${served.stderr()}`, () => !isRunning(served.nodePid) && !isRunning(served.javaPid), deadlineMs);
}

afterAll(() => {
  for (const served of started) {
    for (const pid of [served.nodePid, served.javaPid]) if (pid !== undefined && isRunning(pid)) killTree(pid);
    killTree(served.child.pid);
    rmSync(served.dataDir, { recursive: true, force: true });
  }
});

describe('`scp-guardian local --serve` stops every child, on every way out', () => {
  // Booted together: one JVM start after another would take most of a minute.
  const servers: Partial<Record<'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'stdout' | 'npm', Served>> = {};
  beforeAll(async () => {
    const names = ['SIGINT', 'SIGTERM', 'SIGHUP', 'stdout', 'npm'] as const;
    const booted = await Promise.all(names.map((name) => serve(name === 'npm' ? 'npm' : 'node')));
    names.forEach((name, i) => (servers[name] = booted[i]));
  }, START_DEADLINE_MS + 30_000);

  it('refuses a busy --port at once: exit 1, one line naming the port, and no DynamoDB Local started', async () => {
    const first = servers.SIGINT!;
    const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-exits-'));
    const second = spawn(process.execPath, [BIN, 'local', '--serve', '--port', String(first.port), '--data-dir', dataDir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    second.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const exit = await exitCodeWithin(second, 30_000);

    if (exit === 'still running') killTree(second.pid);
    const lockOfSecond = existsSync(join(dataDir, 'dynamodb.lock.json'));
    rmSync(dataDir, { recursive: true, force: true });
    expect(exit).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `scp-guardian local: port ${first.port} on 127.0.0.1 is in use (another \`scp-guardian local --serve\`?): stop what listens there, or give another --port (0 picks a free one)`,
    ]);
    expect(lockOfSecond).toBe(false);
    expect((await fetch(`${first.url}/organization`)).status).toBe(200);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('on %s, stops DynamoDB Local and exits 0 within 2 s, with an incident still waiting', async (signal) => {
    const served = servers[signal]!;
    await untilWaiting(served);

    served.child.kill(signal);

    const took = await allGone(served);
    expect(await served.exit).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThanOrEqual(STOP_DEADLINE_MS);
    expect([existsSync(join(served.dataDir, 'serve-token')), existsSync(join(served.dataDir, 'dynamodb.lock.json'))]).toEqual([false, false]);
  });

  it('when stdout is closed (EPIPE on the next line), stops DynamoDB Local and exits 1 within 2 s', async () => {
    const served = servers.stdout!;
    served.child.stdout?.destroy();

    // The server writes a line to stdout for each event it receives.
    await postEvent(served, detachEvent({ policyId: Org.denyRegion, targetId: Org.sandboxAccount }));

    const took = await allGone(served);
    expect((await served.exit).code).toBe(1);
    expect(took).toBeLessThanOrEqual(STOP_DEADLINE_MS);
  });

  it('when the npm wrapper that started it is killed, stops node and DynamoDB Local within 2 s', async () => {
    const served = servers.npm!;
    expect(served.nodePid).not.toBe(served.child.pid);

    served.child.kill('SIGTERM');

    const took = await allGone(served);
    expect(took).toBeLessThanOrEqual(STOP_DEADLINE_MS);
  });
});

/** The child's exit code, or 'still running' after `ms` (the timer cleared either way, so it holds no jest worker). */
async function exitCodeWithin(child: ChildProcess, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))),
      new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `scp-guardian local ARGS` with PATH set to `path` only, and answers its stderr and exit code (or 'still running' after 20 s, then killed). */
async function runWithPath(args: string[], dataDir: string, path: string): Promise<{ stderr: string; exit: number | null | 'still running' }> {
  const child = spawn(process.execPath, [BIN, 'local', ...args, '--data-dir', dataDir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: path } });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = await exitCodeWithin(child, 20_000);
  if (exit === 'still running') killTree(child.pid);
  return { stderr, exit };
}

describe('`scp-guardian local` without Java 17+ on PATH', () => {
  it.each([
    ['--serve', ['--serve', '--port', '0']],
    ['a replay', ['--json']],
  ])('says there is no java at once (%s), in one line, and exits 1', async (_what, args) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-nojava-'));

    const { stderr, exit } = await runWithPath(args, dataDir, dataDir);

    rmSync(dataDir, { recursive: true, force: true });
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^scp-guardian local: DynamoDB Local needs Java 17 or later: no `java` on PATH; install Java 17\+ .* and put its `java` first on PATH$/),
    ]);
    expect(exit).toBe(1);
  });

  it('names the version of a java that is too old, and exits 1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-oldjava-'));
    const bin = join(dataDir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'java'), '#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n', { mode: 0o755 });

    const { stderr, exit } = await runWithPath(['--serve', '--port', '0'], dataDir, bin);

    rmSync(dataDir, { recursive: true, force: true });
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^scp-guardian local: DynamoDB Local needs Java 17 or later: the `java` on PATH is Java 11 \(openjdk version "11.0.22" 2024-01-16\); install Java 17\+ /),
    ]);
    expect(exit).toBe(1);
  });
});

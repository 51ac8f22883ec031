import type { Command } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../../cli/audit/connection';
import { runCommand } from '../../../cli/command-errors';
import { runDecide } from '../../../cli/commands/decide';
import { runReconcile } from '../../../cli/commands/reconcile';
import { DEFAULT_LOCAL_URL } from '../../../cli/local-option';
import { program } from '../../../cli/main';

/** The command as `scp-guardian` runs it, its output kept and no process.exit. */
async function scpGuardian(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const root = program();
  const quiet = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: (text) => out.push(text) });
    command.commands.forEach(quiet);
  };
  quiet(root);
  // Commands that write their own lines write them to process.stderr.
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((text) => err.push(String(text)) > 0);
  try {
    await runCommand(root, ['node', 'scp-guardian', ...args], { writeErr: (text) => err.push(text) });
  } finally {
    write.mockRestore();
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout: out.join(''), stderr: err.join(''), exitCode };
}

describe('scp-guardian error lines', () => {
  it('names the command in commander\'s own errors, on one line', async () => {
    const run = await scpGuardian('audit', 'list', '--formt', 'csv');

    expect(run.stderr).toBe("scp-guardian audit list: unknown option '--formt' (Did you mean --format?)\n");
    expect(run.exitCode).toBe(1);
  });

  it('names the command in what an action throws', async () => {
    const run = await scpGuardian('audit', 'list', '--local', '--limit', '0');

    expect(run.stderr).toBe('scp-guardian audit list: --limit "0" must be a whole number from 1 to 10000\n');
    expect(run.exitCode).toBe(1);
  });

  it('names the command in the lines a command prints itself', async () => {
    const run = await scpGuardian('decide', ' ', '--approve');

    expect(run.stderr).toBe('scp-guardian decide: INCIDENT_ID is empty: give the incident id (the CloudTrail eventID of the detach)\n');
  });

  it('names the command when two options cannot go together', async () => {
    const run = await scpGuardian('decide', 'some-incident', '--approve', '--override');

    expect(run.stderr).toBe("scp-guardian decide: option '--approve' cannot be used with option '--override'\n");
  });
});

describe('scp-guardian decide, refused', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-refused-'));
  const refusal = 'incident some-incident is not waiting for a decision: it closed at 2026-12-01T17:40:21.400Z with outcome REATTACHED';
  // A server that refuses every decision, as `local --serve` refuses one for a closed incident.
  const server = createServer((_request, response) => response.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, message: refusal })));
  beforeAll(async () => {
    writeFileSync(join(dataDir, 'serve-token'), 'a-token\n', { mode: 0o600 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says why in a line that names the command, and exits 1', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const run = await scpGuardian('decide', 'some-incident', '--approve', '--local', url, '--data-dir', dataDir);

    expect(run).toMatchObject({ stdout: '', stderr: `scp-guardian decide: ${refusal}\n`, exitCode: 1 });
  });
});

describe('--format', () => {
  it.each([
    ['list', ['table', 'json', 'csv']],
    ['show', ['text', 'json']],
    ['stats', ['text', 'json']],
    ['desired', ['text', 'json']],
  ])('lists what audit %s accepts, in its error and in its help', async (command, accepted) => {
    const args = command === 'show' ? ['audit', command, 'some-incident'] : ['audit', command];

    const wrong = await scpGuardian(...args, '--format', 'yaml');
    const help = await scpGuardian(...args, '--help');

    expect(wrong.stderr).toBe(`scp-guardian audit ${command}: option '--format <format>' argument 'yaml' is invalid. Allowed choices are ${accepted.join(', ')}.\n`);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(`(choices: ${accepted.map((format) => `"${format}"`).join(', ')}, default: "${accepted[0]}")`);
  });
});

describe('--local, one meaning in every command', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'scp-guardian-local-option-'));
  // A token as a running server leaves it, so the commands get as far as the server.
  beforeAll(() => writeFileSync(join(dataDir, 'serve-token'), 'token-of-a-server-not-running\n', { mode: 0o600 }));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is the server on its default address for decide and reconcile when no URL is given', async () => {
    const decided = runDecide('some-incident', { approve: true, local: true, dataDir, region: 'us-east-1' }, { env: {}, awsClients: () => { throw new Error('not AWS'); } });
    const reconciled = runReconcile({ local: true, dataDir, region: 'us-east-1' }, { env: {}, lambda: () => { throw new Error('not AWS'); } });

    // Nothing listens there (cannot reach), or another server does (it refuses this token): either way, that address.
    await expect(decided).rejects.toThrow(DEFAULT_LOCAL_URL);
    await expect(reconciled).rejects.toThrow(DEFAULT_LOCAL_URL);
  });

  it('is the server on its default address for doctor too when no URL is given', async () => {
    const run = await scpGuardian('doctor', '--local', '--data-dir', dataDir);

    // Nothing listens there (cannot reach it), or a server does (the report names it): either way, that address.
    expect(`${run.stdout}${run.stderr}`).toContain(`scp-guardian local --serve at ${DEFAULT_LOCAL_URL}`);
  });

  it('is still the server at URL for doctor --local URL', async () => {
    const url = 'http://127.0.0.1:1';

    const run = await scpGuardian('doctor', '--local', url, '--data-dir', dataDir);

    expect(run.stderr).toMatch(new RegExp(`^scp-guardian doctor: cannot reach scp-guardian local --serve at ${url}`));
    expect(run.exitCode).toBe(1);
  });

  it('is the server at URL for audit too, as for decide and reconcile', async () => {
    const url = 'http://127.0.0.1:1';

    await expect(connect({ local: url })).rejects.toThrow(`cannot reach scp-guardian local --serve at ${url}`);
    await expect(runDecide('some-incident', { approve: true, local: url, dataDir, region: 'us-east-1' }, { env: {}, awsClients: () => { throw new Error('not AWS'); } })).rejects.toThrow(
      `cannot reach scp-guardian local --serve at ${url}`,
    );
  });

  it('still reads the local data folder for `audit show --local ID`, as before --local took a URL', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'scp-guardian-no-data-'));
    try {
      const run = await scpGuardian('audit', 'show', '--local', '8a1f6c2e-3b4d-4e5f-8a6b-7c8d9e0f1a03', '--data-dir', empty);

      expect(run.stderr).toBe(`scp-guardian audit show: no local audit data in ${empty}: run \`scp-guardian local\` first (or give its --data-dir)\n`);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('asks which incident when audit show is given none', async () => {
    const run = await scpGuardian('audit', 'show', '--local');

    expect(run.stderr).toBe('scp-guardian audit show: which incident? give its id: scp-guardian audit show INCIDENT_ID\n');
  });

  it('says in one line that a value that is not a URL is not one, in every command', async () => {
    const errors = await Promise.all([
      connect({ local: 'localhost-8787' }).catch((error: Error) => error.message),
      runDecide('x', { approve: true, local: 'localhost-8787', dataDir, region: 'us-east-1' }, { env: {}, awsClients: () => { throw new Error('not AWS'); } }).catch((error: Error) => error.message),
    ]);

    expect(errors).toEqual([`--local: "localhost-8787" is not a URL (e.g. ${DEFAULT_LOCAL_URL})`, `--local: "localhost-8787" is not a URL (e.g. ${DEFAULT_LOCAL_URL})`]);
  });
});

import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditCommand } from '../../../cli/commands/audit';
import { createAuditTable } from '../../../local/dynamodb/dynamodb-local';
import { DataDirBusyError, DataDirLock } from '../../../local/dynamodb/data-dir-lock';
import { postJson, startLocalServer, waitForIncident } from '../../support/local-server';
import { detachEvent } from '../../support/events';
import { dynamoDbEndpoint, Org } from '../../support/local-harness';
import { freshTable, record } from '../../support/audit-incidents';

/** Runs `scp-guardian audit ARGS` in this process and returns what it printed, or its error. */
async function audit(args: string[]): Promise<{ stdout: string; error?: Error }> {
  const stdout: string[] = [];
  const program = new Command('scp-guardian').exitOverride().addCommand(auditCommand({ stdout: (t) => stdout.push(t), stderr: () => undefined, columns: () => 120 }));
  try {
    await program.parseAsync(['node', 'scp-guardian', 'audit', ...args]);
    return { stdout: stdout.join('') };
  } catch (error) {
    return { stdout: stdout.join(''), error: error as Error };
  }
}

/** A pid no process has any more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid as number;
}

/** The local runner's data folder: one user at a time, readable by `audit --local`. */
describe('local audit data', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scp-guardian-data-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets one process at a time use a data folder, naming the one that holds it', () => {
    const held = DataDirLock.acquire(dir, { command: 'scp-guardian local', tableName: 'scp-guardian-audit' });

    const second = () => DataDirLock.acquire(dir, { command: 'scp-guardian audit --local', tableName: 'scp-guardian-audit' });

    expect(second).toThrow(DataDirBusyError);
    expect(second).toThrow(`${dir} is in use by scp-guardian local (pid ${process.pid}); wait for it to finish or give another --data-dir`);
    held.release();
  });

  it('frees the folder when released', () => {
    DataDirLock.acquire(dir, { command: 'scp-guardian local', tableName: 't' }).release();

    const again = DataDirLock.acquire(dir, { command: 'scp-guardian local', tableName: 't' });

    expect(DataDirLock.holder(dir)).toMatchObject({ pid: process.pid });
    again.release();
  });

  it('takes over a lock left behind by a process that died', () => {
    writeFileSync(join(dir, 'dynamodb.lock.json'), JSON.stringify({ pid: deadPid(), command: 'scp-guardian local', tableName: 't', startedAt: '2026-11-20T10:00:00Z' }));

    const taken = DataDirLock.acquire(dir, { command: 'scp-guardian local', tableName: 't' });

    expect(DataDirLock.holder(dir)).toMatchObject({ pid: process.pid, command: 'scp-guardian local' });
    taken.release();
  });

  it('says to run the local runner first when the folder holds no audit data', async () => {
    const run = await audit(['list', '--local', '--data-dir', dir]);

    expect(run.error?.message).toBe(`no local audit data in ${dir}: run \`scp-guardian local\` first (or give its --data-dir)`);
  });

  it('reads through the DynamoDB Local of a run that still holds the folder, without starting another', async () => {
    const table = await freshTable();
    const claimed = await record(table, { detectedAt: '2026-11-20T10:00:00Z' }, { outcome: 'REATTACHED', decision: 'AUTO' });
    const lock = DataDirLock.acquire(dir, { command: 'scp-guardian local --serve', tableName: table.tableName });
    lock.update({ endpoint: dynamoDbEndpoint() });

    const run = await audit(['list', '--local', '--data-dir', dir, '--format', 'json']);

    lock.release();
    table.db.destroy();
    expect(run.error).toBeUndefined();
    expect((JSON.parse(run.stdout) as { incidents: { incidentId: string }[] }).incidents.map((i) => i.incidentId)).toEqual([claimed.incidentId]);
  });

  it('has `local --serve` print the DynamoDB endpoint and table that `audit --endpoint --table` reads', async () => {
    const lines: string[] = [];
    const server = await startLocalServer({ progress: (line) => lines.push(line) });
    const event = detachEvent({ policyId: Org.denyRegion, targetId: Org.sandboxAccount, eventId: randomUUID() });
    const { body } = await postJson<{ incidentId: string }>(server, '/events', event);
    const { incidentId } = body;
    await waitForIncident(server, incidentId, (incident) => incident.status === 'CLOSED');

    const printed = /audit list --endpoint (\S+) --table (\S+)\)/.exec(lines.join('\n'));
    const run = await audit(['show', incidentId, '--endpoint', printed?.[1] ?? 'missing', '--table', printed?.[2] ?? 'missing', '--format', 'json']);

    await server.stop();
    expect(run.error).toBeUndefined();
    expect(JSON.parse(run.stdout)).toMatchObject({ incident: { incidentId, policyId: Org.denyRegion } });
  });

  it('lists nothing, as a JSON document, from an empty table', async () => {
    const name = `scp-guardian-audit-probe-${randomUUID().slice(0, 8)}`;
    await createAuditTable(dynamoDbEndpoint(), name);

    const run = await audit(['list', '--endpoint', dynamoDbEndpoint(), '--table', name, '--format', 'json']);

    expect(JSON.parse(run.stdout)).toMatchObject({ table: name, incidents: [] });
  });
});

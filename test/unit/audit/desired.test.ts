import { Command } from 'commander';
import { auditCommand } from '../../../cli/commands/audit';
import { DesiredReason } from '../../../functions/shared/desired/desired-state';
import { DesiredStateStore } from '../../../functions/shared/desired/desired-store';
import { Kind, Source } from '../../../functions/shared/vocabulary';
import { dynamoDbEndpoint } from '../../support/local-harness';
import { freshTable, incident } from '../../support/audit-incidents';

async function audit(args: string[]): Promise<{ stdout: string; error?: Error }> {
  const stdout: string[] = [];
  try {
    const program = new Command('scp-guardian').exitOverride().addCommand(auditCommand({ stdout: (t) => stdout.push(t), stderr: () => undefined, columns: () => 100 }));
    await program.parseAsync(['node', 'scp-guardian', 'audit', ...args]);
    return { stdout: stdout.join('') };
  } catch (error) {
    return { stdout: stdout.join(''), error: error as Error };
  }
}

/** The desired state's history, as auditors ask about it: what did the guard hold on a date. */
describe('scp-guardian audit desired', () => {
  let at: string[];
  let desired: DesiredStateStore;

  beforeAll(async () => {
    const table = await freshTable();
    at = ['--endpoint', dynamoDbEndpoint(), '--table', table.tableName];
    desired = new DesiredStateStore(table.db, table.tableName);
    await desired.recordPair({ policyId: 'p-denyleave1', targetId: 'r-a1b2', desired: true, reason: DesiredReason.SEEN_ATTACHED, at: '2026-11-01T09:00:00.000Z' });
    await desired.recordPair({ policyId: 'p-protectct', targetId: 'ou-a1b2-7hq4vz2n', desired: true, reason: DesiredReason.SEEN_ATTACHED, at: '2026-11-01T09:00:00.000Z' });
    await desired.recordPair({ policyId: 'p-protectct', targetId: 'ou-a1b2-7hq4vz2n', desired: false, reason: DesiredReason.OVERRIDE, at: '2026-11-10T12:00:00.000Z', until: '2026-11-10T16:00:00.000Z', incidentId: 'e1', by: 'U0APPROVER' });
    await desired.recordPair({ policyId: 'p-denyleave1', targetId: 'r-a1b2', desired: false, reason: DesiredReason.RULES_CHANGE, at: '2026-11-20T09:00:00.000Z' });
  });

  const json = async (args: string[]) => JSON.parse((await audit(['desired', ...at, '--format', 'json', ...args])).stdout) as { pairs: { policyId: string; state: string; reason: string }[] };

  it('shows what was desired on a past date, before a later release', async () => {
    const state = await json(['--at', '2026-11-05']);

    expect(state.pairs.map((p) => [p.policyId, p.state])).toEqual([
      ['p-denyleave1', 'desired'],
      ['p-protectct', 'desired'],
    ]);
  });

  it('shows a pair released by an override during it, and desired again once it expired', async () => {
    const during = await json(['--at', '2026-11-10T13:00:00Z']);
    const after = await json(['--at', '2026-11-10T17:00:00Z']);

    expect(during.pairs.find((p) => p.policyId === 'p-protectct')).toMatchObject({ state: 'released', reason: 'override' });
    expect(after.pairs.find((p) => p.policyId === 'p-protectct')).toMatchObject({ state: 'desired', reason: expect.stringMatching(/^override-expired/) });
  });

  it('shows the state now, and filters by policy and target', async () => {
    const now = await json([]);
    const onePolicy = await json(['--policy', 'p-protectct']);
    const oneTarget = await json(['--target', 'r-a1b2']);

    expect(now.pairs.find((p) => p.policyId === 'p-denyleave1')).toMatchObject({ state: 'released', reason: 'rules-change' });
    expect(onePolicy.pairs.map((p) => p.policyId)).toEqual(['p-protectct']);
    expect(oneTarget.pairs.map((p) => p.policyId)).toEqual(['p-denyleave1']);
  });

  it('prints one line per pair that fits the terminal', async () => {
    const { stdout } = await audit(['desired', ...at, '--at', '2026-11-05']);

    expect(stdout.split('\n')[0]).toBe('At 2026-11-05T23:59:59.000Z: 2 pairs desired, 0 released.');
    expect(stdout.split('\n').every((line) => line.length <= 100)).toBe(true);
  });
});

describe('scp-guardian audit list --kind --source', () => {
  let at: string[];

  beforeAll(async () => {
    const table = await freshTable();
    at = ['--endpoint', dynamoDbEndpoint(), '--table', table.tableName];
    const exec = 'arn:aws:states:us-east-1:000000000000:execution:test:x';
    await table.audit.claimIncident({ ...incident({ incidentId: 'event-1-0000', detectedAt: '2026-11-20T08:00:00Z' }), kind: Kind.DETACHED, source: Source.EVENT }, exec);
    await table.audit.claimIncident({ ...incident({ incidentId: 'drift-00000000', detectedAt: '2026-11-21T08:00:00Z' }), kind: Kind.DRIFT, source: Source.SWEEP }, exec);
    await table.audit.claimIncident({ ...incident({ incidentId: 'canary-00000000', detectedAt: '2026-11-22T08:00:00Z' }), kind: Kind.DETACHED, source: Source.CANARY }, exec);
    await table.audit.claimIncident(incident({ incidentId: 'older-0000000', detectedAt: '2026-11-19T08:00:00Z' }), exec);
  });

  const ids = async (args: string[]) =>
    (JSON.parse((await audit(['list', ...at, '--format', 'json', '--since', '2026-11-01', ...args])).stdout) as { incidents: { incidentId: string }[] }).incidents.map((i) => i.incidentId);

  it('lists only the drift the sweep found', async () => {
    expect(await ids(['--kind', 'drift'])).toEqual(['drift-00000000']);
    expect(await ids(['--source', 'sweep'])).toEqual(['drift-00000000']);
  });

  it('counts incidents recorded before the source was kept as events, and leaves the canary out unless asked', async () => {
    expect(await ids(['--source', 'event'])).toEqual(['event-1-0000', 'older-0000000']);
    expect(await ids([])).not.toContain('canary-00000000');
    expect(await ids(['--source', 'canary'])).toEqual(['canary-00000000']);
  });

  it('refuses a kind or source that does not exist, naming the choices', async () => {
    const { error } = await audit(['list', ...at, '--kind', 'detach']);

    expect(error?.message).toContain('--kind "detach" is not a kind: one of DETACHED, POLICY_TYPE_DISABLED');
  });
});

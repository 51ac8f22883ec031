import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runDecide, type DecideOptions } from '../../cli/commands/decide';
import { awsClients } from '../../cli/decide/aws';
import { DecideCommandError } from '../../cli/decide/outcome';
import { freePort } from '../../local/dynamodb/free-port';
import { decisionReason, getJson, messageFor, postJson, slackRecord, startLocalServer, waitForIncident, type IncidentView, type LocalServer } from '../support/local-server';
import { detachEvent } from '../support/events';
import { Org } from '../support/local-harness';
import { PROJECT_ROOT } from '../../cli/project-root';

const execute = promisify(execFile);
const LOCAL_DECIDER = `local:${userInfo().username}`;

/** The command as a user runs it: a child process, its exit code and both streams. */
async function scpGuardian(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [join(PROJECT_ROOT, 'bin', 'scp-guardian.js'), ...args], { cwd: PROJECT_ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

interface Organization {
  policies: { id: string; targets: string[] }[];
}

const closed = (i: IncidentView) => i.status === 'CLOSED' && i.timeline.some((e) => e.step === 'notified' && e.detail.phase === 'closed');

describe('scp-guardian decide --local against `scp-guardian local --serve`', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer();
  });
  afterAll(() => server.stop());

  async function waitingIncident(targetId: string): Promise<string> {
    const { body } = await postJson<{ incidentId: string }>(server, '/events', detachEvent({ policyId: Org.protectCloudTrail, targetId }));
    await waitForIncident(server, body.incidentId, (i) => i.status === 'AWAITING_DECISION');
    return body.incidentId;
  }

  const decideLocally = (incidentId: string, options: Partial<DecideOptions>) =>
    runDecide(incidentId, { region: 'us-east-1', local: server.url, dataDir: server.dataDir, ...options }, { env: {}, awsClients });

  const attached = async (policyId: string, targetId: string) =>
    (await getJson<Organization>(server, '/organization')).body.policies.find((p) => p.id === policyId)?.targets.includes(targetId);

  it('approves a waiting incident from the terminal: exit 0, reattached, and the Slack message says who and how', async () => {
    const incidentId = await waitingIncident(Org.sandboxOu);

    const run = await scpGuardian(['decide', incidentId, '--approve', '--local', server.url, '--data-dir', server.dataDir]);

    const incident = await waitForIncident(server, incidentId, closed);
    const [, decided, outcome] = messageFor(await slackRecord(server), incidentId).history;
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining(`incident ${incidentId}: APPROVE recorded for ${LOCAL_DECIDER}`) });
    expect(incident).toMatchObject({ decision: 'APPROVE', decidedBy: LOCAL_DECIDER, outcome: 'REATTACHED' });
    expect(await attached(Org.protectCloudTrail, Org.sandboxOu)).toBe(true);
    expect(JSON.stringify(decided.blocks)).toContain('with `scp-guardian decide`');
    expect(JSON.stringify(outcome.blocks)).toContain('*Outcome:* REATTACHED');
  });

  it('exits 1 with one line when --override has no --reason', async () => {
    const run = await scpGuardian(['decide', 'some-incident', '--override', '--local', server.url, '--data-dir', server.dataDir]);

    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual(['scp-guardian decide: --override needs --reason: say why the policy stays detached (it goes into the audit trail)']);
  });

  it('keeps the policy detached on --override with a reason', async () => {
    const incidentId = await waitingIncident(Org.prodOu);

    const outcome = await decideLocally(incidentId, { override: true, reason: 'break-glass test CHG-9' });

    const incident = await waitForIncident(server, incidentId, closed);
    expect(outcome.ok).toBe(true);
    expect(incident).toMatchObject({ decision: 'OVERRIDE', outcome: 'OVERRIDDEN' });
    expect(decisionReason(incident)).toBe('break-glass test CHG-9');
    expect(await attached(Org.protectCloudTrail, Org.prodOu)).toBe(false);
  });

  it('keeps the policy detached for as long as --for says: exit 0, and the incident and the answer say until when', async () => {
    const incidentId = await waitingIncident(Org.prodOu);

    const run = await scpGuardian(['decide', incidentId, '--override', '--reason', 'CHG-10', '--for', '2h', '--local', server.url, '--data-dir', server.dataDir]);

    const incident = await waitForIncident(server, incidentId, closed);
    const decidedAt = incident.timeline.find((e) => e.step === 'decided')?.at ?? '';
    const until = new Date(Date.parse(decidedAt) + 2 * 3_600_000).toISOString();
    expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining(`the policy stays detached until ${until}`) });
    expect(incident).toMatchObject({ decision: 'OVERRIDE', outcome: 'OVERRIDDEN', overriddenUntil: until });
  });

  it('exits 1 with the limit when --for is longer than overrides.maxHours, and decides nothing', async () => {
    const incidentId = await waitingIncident(Org.sandboxOu);

    const run = await scpGuardian(['decide', incidentId, '--override', '--reason', 'CHG-11', '--for', '8d', '--local', server.url, '--data-dir', server.dataDir]);

    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`scp-guardian decide: incident ${incidentId}: an override lasts at most 7d (the rules' overrides.maxHours is 168): 8d is longer`);
    expect((await waitForIncident(server, incidentId, () => true)).status).toBe('AWAITING_DECISION');
    await decideLocally(incidentId, { approve: true });
  });

  it('says in one line, naming the value, that --for is not a duration', async () => {
    const error = await decideLocally('some-incident', { override: true, reason: 'x', for: '4' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DecideCommandError);
    expect((error as Error).message).toBe('--for "4": expected a duration such as 30m, 4h or 2d');
  });

  it('refuses --for with --approve', async () => {
    const error = await decideLocally('some-incident', { approve: true, for: '4h' }).catch((e: unknown) => e);

    expect((error as Error).message).toBe('--for goes with --override: it says how long the policy stays detached');
  });

  it('answers 400 naming the field when POST /incidents/ID/decision gets a field it does not know', async () => {
    const answer = await postJson<{ error: string }>(server, '/incidents/any/decision', { decision: 'OVERRIDE', reason: 'x', hours: 4 });

    expect(answer).toEqual({ status: 400, body: { error: '"hours": unknown field; expected decision, reason, by, for' } });
  });

  it('answers 400 naming the value when POST /incidents/ID/decision gets a "for" that is not a duration', async () => {
    const answer = await postJson<{ error: string }>(server, '/incidents/any/decision', { decision: 'OVERRIDE', reason: 'x', for: 4 });

    expect(answer).toEqual({ status: 400, body: { error: 'for: expected a duration such as 30m, 4h or 2d, got 4' } });
  });

  it('says a closed incident is closed, and who decided it when', async () => {
    const incidentId = await waitingIncident(Org.sandboxOu);
    await decideLocally(incidentId, { approve: true });
    const incident = await waitForIncident(server, incidentId, closed);

    const outcome = await decideLocally(incidentId, { override: true, reason: 'second thoughts' });

    const decidedAt = incident.timeline.find((e) => e.step === 'decided')?.at;
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(new RegExp(`^incident ${incidentId} is not waiting for a decision: it closed at \\S+ with outcome ${incident.outcome}; ${LOCAL_DECIDER} decided APPROVE at ${decidedAt}$`));
  });

  it('says there is no such incident', async () => {
    const outcome = await decideLocally('no-such-incident', { approve: true });

    expect(outcome).toEqual({ ok: false, message: 'no such incident: no-such-incident' });
  });

  it('says in one line that nothing listens at the --local address', async () => {
    const port = await freePort();

    const error = await runDecide('x', { approve: true, region: 'us-east-1', local: `http://127.0.0.1:${port}`, dataDir: server.dataDir }, { env: {}, awsClients }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DecideCommandError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach scp-guardian local --serve at http://127.0.0.1:${port}: .*ECONNREFUSED`));
  });

  it('answers 400 naming the field when POST /incidents/ID/decision gets a bad decision', async () => {
    const answer = await postJson<{ error: string }>(server, '/incidents/any/decision', { decision: 'MAYBE' });

    expect(answer).toEqual({ status: 400, body: { error: 'decision: expected "APPROVE" or "OVERRIDE", got "MAYBE"' } });
  });
});

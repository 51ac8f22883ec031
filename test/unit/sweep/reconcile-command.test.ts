import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DetachPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatReconcile, ReconcileCommandError, runReconcile } from '../../../cli/commands/reconcile';
import type { SweepResult } from '../../../functions/sweep/result';
import { LOCAL_CREDENTIALS } from '../../../local/dynamodb/dynamodb-local';
import { getJson, postJson, startLocalServer, waitForIncident, type LocalServer } from '../../support/local-server';
import { Org } from '../../support/local-harness';
import { PROJECT_ROOT } from '../../../cli/project-root';

const execute = promisify(execFile);

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

describe('reconcile against `scp-guardian local --serve`', () => {
  let server: LocalServer;
  let organizations: OrganizationsClient;

  beforeAll(async () => {
    server = await startLocalServer();
    const { body } = await getJson<{ organizations: string }>(server, '/endpoints');
    organizations = new OrganizationsClient({ region: 'us-east-1', endpoint: body.organizations, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    organizations.destroy();
    await server.stop();
  });

  const detachSilently = (policyId: string, targetId: string) => organizations.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));

  it('refuses POST /reconcile without the serve token', async () => {
    const response = await fetch(`${server.url}/reconcile`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

    expect(response.status).toBe(401);
  });

  it('answers POST /reconcile with the drift and the incidents it started, which then restore the pair', async () => {
    await detachSilently(Org.denyLeave, Org.root);

    const { status, body } = await postJson<SweepResult>(server, '/reconcile', {});

    expect(status).toBe(200);
    expect(body.drift).toEqual([expect.objectContaining({ kind: 'DRIFT', policyId: Org.denyLeave, targetId: Org.root, reason: expect.any(String) })]);
    expect(body.incidents).toEqual([body.drift[0].incidentId]);
    const incident = await waitForIncident(server, body.incidents[0], (i) => i.status === 'CLOSED');
    expect(incident).toMatchObject({ outcome: 'REATTACHED', source: 'sweep', kind: 'DRIFT' });
  });

  it('prints one line per drift and exits 1 with `reconcile --local --dry-run`, starting nothing', async () => {
    await detachSilently(Org.denyRegion, Org.prodOu);

    const run = await scpGuardian(['reconcile', '--dry-run', '--local', server.url, '--data-dir', server.dataDir]);

    const driftLines = run.stdout.split('\n').filter((line) => line.includes(Org.denyRegion));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('dry run, none started');
    expect(driftLines).toEqual([expect.stringMatching(new RegExp(`^  ${Org.denyRegion}\\s+${Org.prodOu}\\s+drift-[0-9a-f]{32}$`))]);
    expect(run.stdout.split('\n').every((line) => line.length <= 80)).toBe(true);
    const organization = (await getJson<{ policies: { id: string; targets: string[] }[] }>(server, '/organization')).body;
    expect(organization.policies.find((p) => p.id === Org.denyRegion)?.targets).not.toContain(Org.prodOu);
  });

  it('starts the drift with `reconcile --local --json`, and exits 0 once nothing drifts', async () => {
    const first = await scpGuardian(['reconcile', '--json', '--local', server.url, '--data-dir', server.dataDir]);
    const result = JSON.parse(first.stdout) as SweepResult;
    await waitForIncident(server, result.incidents[0], (i) => i.status === 'CLOSED');

    const second = await scpGuardian(['reconcile', '--local', server.url, '--data-dir', server.dataDir]);

    expect(first.code).toBe(1);
    expect(result.drift).toEqual([expect.objectContaining({ policyId: Org.denyRegion, targetId: Org.prodOu, status: 'started' })]);
    expect(second).toMatchObject({ code: 0, stdout: expect.stringContaining('No drift') });
  });
});

describe('reconcile against AWS', () => {
  const lambda = mockClient(LambdaClient);
  afterEach(() => lambda.reset());

  const result: SweepResult = {
    dryRun: true,
    startedAt: '2026-12-01T10:00:00.000Z',
    drift: [],
    incidents: [],
    explained: [],
    declaredNotAttached: [{ policyId: 'p-protectct', targetId: '444455556666', rule: 1 }],
    changes: [],
    desiredPairs: 5,
    warnings: [],
    notes: [],
    errors: [],
    calls: { total: 12, byOperation: {}, attempts: 12 },
    seconds: 1.2,
  };

  it('invokes the deployed sweep function with {"dryRun": true} and prints its answer', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(result)) as never });

    const answer = await runReconcile({ dryRun: true, region: 'us-east-1', function: 'scp-guardian-sweep' }, { env: {}, lambda: () => new LambdaClient({ region: 'us-east-1' }) });

    const call = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(JSON.parse(Buffer.from(call.Payload as Uint8Array).toString('utf8'))).toEqual({ dryRun: true });
    expect(call).toMatchObject({ FunctionName: 'scp-guardian-sweep', InvocationType: 'RequestResponse' });
    expect(formatReconcile(answer)).toContain(`  p-protectct  444455556666  protect[1]`);
  });

  it("says the sweep failed, with the function's error, when it does", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify({ errorType: 'SweepDeadlinePassed', errorMessage: 'stopped' })) as never });

    const run = runReconcile({ region: 'us-east-1', function: 'scp-guardian-sweep' }, { env: {}, lambda: () => new LambdaClient({ region: 'us-east-1' }) });

    await expect(run).rejects.toThrow(new ReconcileCommandError('the sweep failed: SweepDeadlinePassed: stopped'));
  });

  it('asks for the function when neither --function nor the environment names it', async () => {
    const run = runReconcile({ region: 'us-east-1' }, { env: {}, lambda: () => new LambdaClient({ region: 'us-east-1' }) });

    await expect(run).rejects.toThrow(/--function NAME \(the stack's SweepFunctionName output\)/);
  });
});

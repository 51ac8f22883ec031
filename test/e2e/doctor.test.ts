import { DeletePolicyCommand, DetachPolicyCommand, DisablePolicyTypeCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DoctorReport } from '../../cli/doctor/report';
import type { SweepResult } from '../../functions/sweep/result';
import { LOCAL_CREDENTIALS } from '../../local/dynamodb/dynamodb-local';
import { getJson, postJson, startLocalServer, type LocalServer } from '../support/local-server';
import { Org, testRules } from '../support/local-harness';
import { PROJECT_ROOT } from '../../cli/project-root';

const execute = promisify(execFile);

/** The command as a user runs it: a child process, its exit code and both streams. */
async function scpGuardian(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execute(process.execPath, [join(PROJECT_ROOT, 'bin', 'scp-guardian.js'), ...args], { cwd: PROJECT_ROOT, timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/**
 * `scp-guardian doctor --local` against a running `local --serve` (the sample organization, the
 * test rules), healthy first, then broken on purpose through the local Organizations endpoint,
 * with no event, as a change CloudTrail never delivered: a drifted pair and a deleted protected
 * policy, then SCPs disabled on the root. The steps run in order, on one server.
 */
describe('scp-guardian doctor --local', () => {
  let server: LocalServer;
  let organizations: OrganizationsClient;
  let folder: string;
  let rulesFile: string;

  const doctor = (...extra: string[]) => scpGuardian(['doctor', '--local', server.url, '--data-dir', server.dataDir, '--config', rulesFile, ...extra]);
  const failedChecks = (report: DoctorReport) => report.checks.filter((check) => check.status === 'fail').map((check) => `${check.name}: ${check.detail}`);

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'scp-guardian-doctor-e2e-'));
    rulesFile = join(folder, 'rules.json');
    // The rules the server runs with, as a file for doctor to read.
    writeFileSync(rulesFile, JSON.stringify(testRules()));
    server = await startLocalServer();
    const { body } = await getJson<{ organizations: string }>(server, '/endpoints');
    organizations = new OrganizationsClient({ region: 'us-east-1', endpoint: body.organizations, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    // The server's first sweep records what is attached; until then nothing is desired.
    const deadline = Date.now() + 30_000;
    while ((await postJson<SweepResult>(server, '/reconcile', { dryRun: true })).body.desiredPairs === 0) {
      if (Date.now() > deadline) throw new Error('the first sweep recorded no desired pair within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  afterAll(async () => {
    organizations?.destroy();
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('exits 0 against a healthy local organization, skipping what has no local counterpart, in 80 columns', async () => {
    const run = await doctor();

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}ok {4}SCPs enabled on the root: r-a1b2$/m);
    expect(run.stdout).toMatch(/^ {2}ok {4}no drift: \d+ desired pairs, all attached$/m);
    expect(run.stdout).toMatch(/^ {2}skip {2}a trail logs management events: no CloudTrail locally/m);
    expect(run.stdout).toMatch(/^ {2}skip {2}stack deployed: /m);
    expect(run.stdout.split('\n').every((line) => line.length <= 80)).toBe(true);
  });

  it('fails a drifted pair and a deleted protected policy, and exits 1', async () => {
    await organizations.send(new DetachPolicyCommand({ PolicyId: Org.denyLeave, TargetId: Org.root }));
    await organizations.send(new DetachPolicyCommand({ PolicyId: Org.protectCloudTrail, TargetId: Org.prodOu }));
    await organizations.send(new DetachPolicyCommand({ PolicyId: Org.protectCloudTrail, TargetId: Org.sandboxOu }));
    await organizations.send(new DeletePolicyCommand({ PolicyId: Org.protectCloudTrail }));

    const run = await doctor('--json');

    const report = JSON.parse(run.stdout) as DoctorReport;
    expect(run.code).toBe(1);
    expect(report.ok).toBe(false);
    expect(failedChecks(report)).toEqual(
      expect.arrayContaining([
        `policy ${Org.protectCloudTrail}: protect[1] names it: no such policy in the organization (PolicyNotFoundException)`,
        expect.stringMatching(new RegExp(`^no drift: ${Org.denyLeave} on ${Org.root}: desired, not attached, no open incident \\(drift-[0-9a-f]{32}\\)$`)),
      ]),
    );
    expect(report.checks.find((check) => check.name === 'no drift')?.fix).toBe(`scp-guardian reconcile --local ${server.url} starts its remediation (--dry-run to look first)`);
    expect(report.checks.find((check) => check.name === 'SCPs enabled on the root')?.status).toBe('ok');
  });

  it('fails SCPs disabled on the root, naming the command that enables them', async () => {
    await organizations.send(new DisablePolicyTypeCommand({ RootId: Org.root, PolicyType: 'SERVICE_CONTROL_POLICY' }));

    const run = await doctor();

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ {2}FAIL {2}SCPs enabled on the root: r-a1b2: SERVICE_CONTROL_POLICY not enabled/m);
    expect(run.stdout).toContain('fix: aws organizations enable-policy-type --root-id r-a1b2 --policy-type');
    expect(run.stdout.trimEnd().split('\n').pop()).toMatch(/^\d+ failed, \d+ warnings?, \d+ ok, \d+ skipped: exit 1$/);
  });

  it('changed nothing: every doctor run was a dry run', async () => {
    const organization = (await getJson<{ policyTypes: string[]; policies: { id: string; targets: string[] }[] }>(server, '/organization')).body;
    const incidents = (await getJson<{ incidents: unknown[] }>(server, '/incidents')).body;

    expect(organization.policyTypes).not.toContain('SERVICE_CONTROL_POLICY');
    expect(incidents.incidents).toEqual([]);
  });
});

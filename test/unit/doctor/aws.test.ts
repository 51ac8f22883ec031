import { AccessDeniedException, DescribeOrganizationCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeTrailsCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDoctor, type DoctorOptions } from '../../../cli/commands/doctor';
import { formatDoctorReport, type DoctorReport } from '../../../cli/doctor/report';
import { DENY_LEAVE, healthyAccount, mockAws, mocks, PROTECT_CT, PROD, ROOT, RULES, TABLE, type FakeAccount } from './support';

const TRAIL: Trail = { Name: 'org-trail', TrailARN: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail', HomeRegion: 'us-east-1', IsMultiRegionTrail: true, IsOrganizationTrail: true };

const folder = mkdtempSync(join(tmpdir(), 'scp-guardian-doctor-'));
const rulesFile = join(folder, 'rules.json');
writeFileSync(rulesFile, JSON.stringify(RULES));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const options: DoctorOptions = { config: rulesFile, stack: 'ScpGuardian', region: 'us-east-1' };
let account: FakeAccount;

beforeEach(() => {
  account = healthyAccount(new Date());
  mockAws(account, new Date());
});

const failed = (report: DoctorReport) => report.checks.filter((check) => check.status === 'fail').map((check) => `${check.name}: ${check.detail}`);

describe('doctor against AWS', () => {
  it('passes a healthy account: nothing fails, the report says ok, every line fits 80 columns', async () => {
    const report = await runDoctor(options);

    expect(failed(report)).toEqual([]);
    expect(report).toMatchObject({ ok: true, target: { kind: 'aws', account: '111122223333', region: 'us-east-1', stack: 'ScpGuardian' } });
    expect(report.checks.map((check) => check.group)).toEqual(expect.arrayContaining(['organization', 'cloudtrail', 'rules', 'desired state', 'stack']));
    expect(formatDoctorReport(report).split('\n').every((line) => line.length <= 80)).toBe(true);
  });

  it('reads CloudTrail in us-east-1 whatever --region says, and looks for the stack in --region', async () => {
    // Each region's CloudTrail answers its own trails: only us-east-1 sees the organization trail as a candidate.
    mocks.cloudTrail.on(DescribeTrailsCommand).callsFake(async (_input, getClient) =>
      (await getClient().config.region()) === 'us-east-1' ? { trailList: [TRAIL] } : { trailList: [{ ...TRAIL, IsMultiRegionTrail: false, HomeRegion: 'eu-west-1' }] },
    );
    mocks.cloudFormation.on(DescribeStacksCommand).callsFake(async (input: { StackName: string }, getClient) => {
      if ((await getClient().config.region()) === 'us-east-1') return { Stacks: [{ StackName: input.StackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] };
      throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: 'ValidationError' });
    });

    const report = await runDoctor({ ...options, region: 'eu-west-1' });
    const line = (name: string) => report.checks.find((check) => check.name === name);

    expect(line('a trail logs management events')?.status).toBe('ok');
    expect(line('stack deployed')).toMatchObject({ status: 'fail', detail: "no stack ScpGuardian in this account's eu-west-1" });
  });

  it('finds a drifted pair with the sweep\'s own dry run, and fails', async () => {
    account.attached[DENY_LEAVE] = [];

    const report = await runDoctor(options);

    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual([expect.stringMatching(new RegExp(`^no drift: ${DENY_LEAVE} on ${ROOT}: desired, not attached, no open incident \\(drift-[0-9a-f]{32}\\)$`))]);
  });

  it('gives every fail of a broken account: SCPs disabled, a protected policy missing', async () => {
    account.rootTypes = [];
    delete account.attached[PROTECT_CT];
    account.attached[DENY_LEAVE] = [];

    const report = await runDoctor(options);

    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^SCPs enabled on the root: r-a1b2: SERVICE_CONTROL_POLICY not enabled/), expect.stringMatching(/^policy p-protectct: protect\[1\] names it: no such policy/)]),
    );
  });

  it('warns of a pair a rule names that was never seen attached', async () => {
    account.desired[PROTECT_CT] = [];
    account.attached[PROTECT_CT] = [];

    const report = await runDoctor(options);

    expect(report.checks.find((check) => check.name === 'declared pairs attached')).toMatchObject({ status: 'warn', detail: expect.stringContaining(`${PROTECT_CT} on ${PROD}: protect[1] names it`) });
    expect(report.ok).toBe(true);
  });

  it('says which permission is missing when a call is denied', async () => {
    mocks.organizations.on(DescribeOrganizationCommand).rejects(new AccessDeniedException({ message: "You don't have permissions to access this resource.", $metadata: {} }));

    const report = await runDoctor(options);

    expect(failed(report)).toContain('organization in use: access denied: the caller lacks organizations:DescribeOrganization');
  });

  it('names the permission the dry-run sweep was denied, from the message AWS gives', async () => {
    mocks.dynamodb.on(QueryCommand).rejects(
      Object.assign(new Error(`User: arn:aws:iam::111122223333:user/doctor is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:us-east-1:111122223333:table/${TABLE}`), { name: 'AccessDeniedException' }),
    );

    const report = await runDoctor(options);

    expect(report.checks.find((check) => check.group === 'desired state')).toMatchObject({ status: 'fail', detail: 'access denied: the caller lacks dynamodb:Query' });
  });

  it('stops at one line when there are no credentials', async () => {
    mocks.sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));

    const report = await runDoctor(options);

    expect(report.checks).toEqual([expect.objectContaining({ name: 'AWS credentials', status: 'fail', fix: expect.stringContaining('AWS_PROFILE') })]);
  });
});

import { DetachPolicyCommand, ListChildrenCommand, ListPoliciesForTargetCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CanaryErrorName, runCanary, type CanaryRun } from '../../../functions/canary/canary';
import { createCanaryHandler } from '../../../functions/canary/handler';
import { organizationsClientOptions } from '../../../functions/shared/clients/organizations';
import type { MetricPoint } from '../../../functions/shared/incident-metrics';
import { silentLog } from '../../../functions/shared/log';
import { MetricName } from '../../../functions/shared/metrics';
import { parseProtectionRules } from '../../../config/load';
import { LocalOrganizationsEndpoint } from '../../../local/stand-ins/organizations/endpoint';
import type { OrganizationFile } from '../../../local/stand-ins/organizations/organization-file';
import { LocalOrganization } from '../../../local/stand-ins/organizations/organization-state';
import { PROJECT_ROOT } from '../../../cli/project-root';

const SAMPLE = join(PROJECT_ROOT, 'samples/canary/organization.json');
const CANARY = { policyId: 'p-canary01', targetId: 'ou-a1b2-canary01' };
const NOW = new Date('2026-11-21T06:30:00.000Z');

type Org = OrganizationFile;
const sampleOrg = (): Org => JSON.parse(readFileSync(SAMPLE, 'utf8')) as Org;
const policy = (org: Org, id: string) => org.policies.find((p) => p.id === id) as Org['policies'][number];
/** Adds an OU and attaches FullAWSAccess to it, as Organizations does. */
function addOu(org: Org, id: string, parentId: string): void {
  org.organizationalUnits.push({ id, name: id, parentId });
  policy(org, 'p-FullAWSAccess').targets.push(id);
}
function addAccount(org: Org, id: string, parentId: string): void {
  org.accounts.push({ id, name: `acct-${id}`, parentId });
  policy(org, 'p-FullAWSAccess').targets.push(id);
}

interface Running {
  endpoint: LocalOrganizationsEndpoint;
  organization: LocalOrganization;
  client: OrganizationsClient;
  metrics: MetricPoint[];
  run(options?: { pageSize?: number; canary?: typeof CANARY }): Promise<CanaryRun>;
}

const running: Running[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) {
    r.client.destroy();
    await r.endpoint.stop();
  }
});

/** The local Organizations endpoint serving `org`, and the canary run against it with the handlers' client. */
async function serve(org: Org, requestTimeoutMs?: number): Promise<Running> {
  const organization = LocalOrganization.fromJson(org);
  const endpoint = new LocalOrganizationsEndpoint(organization);
  const { url } = await endpoint.start();
  const client = new OrganizationsClient({ ...organizationsClientOptions(requestTimeoutMs), endpoint: url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const metrics: MetricPoint[] = [];
  const r: Running = {
    endpoint,
    organization,
    client,
    metrics,
    run: (options = {}) =>
      runCanary({ organizations: client, canary: options.canary ?? CANARY, policyTypes: ['SERVICE_CONTROL_POLICY'], metrics: (p) => metrics.push(...p), clock: () => NOW, pageSize: options.pageSize }),
  };
  running.push(r);
  return r;
}

async function refusal(run: Promise<unknown>): Promise<Error> {
  try {
    await run;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the canary to refuse');
}

describe('the canary run, against the local Organizations endpoint', () => {
  it('detaches the canary policy from the empty canary OU and says when it must be back', async () => {
    const org = await serve(sampleOrg());

    const run = await org.run();

    expect(run).toEqual({ ...CANARY, policyType: 'SERVICE_CONTROL_POLICY', detachedAt: '2026-11-21T06:30:00.000Z', deadline: '2026-11-21T07:00:00.000Z' });
    expect(org.organization.isAttached(CANARY.policyId, CANARY.targetId)).toBe(false);
    expect(org.endpoint.successCount('DetachPolicy')).toBe(1);
  });

  it('emits CanaryStarted now and CanaryDeadline stamped 30 minutes later', async () => {
    const org = await serve(sampleOrg());

    await org.run();

    expect(org.metrics).toEqual([
      { name: MetricName.CANARY_STARTED, unit: 'Count', value: 1, dimensions: {}, timestamp: NOW.getTime() },
      { name: MetricName.CANARY_DEADLINE, unit: 'Count', value: 1, dimensions: {}, timestamp: NOW.getTime() + 30 * 60_000 },
    ]);
  });

  it('refuses an OU with an account two levels down, and detaches nothing', async () => {
    const file = sampleOrg();
    addOu(file, 'ou-a1b2-canchild', CANARY.targetId);
    addOu(file, 'ou-a1b2-cangrand', 'ou-a1b2-canchild');
    addAccount(file, '555566667777', 'ou-a1b2-cangrand');
    const org = await serve(file);

    const error = await refusal(org.run());

    expect(error.name).toBe(CanaryErrorName.OU_NOT_EMPTY);
    expect(error.message).toBe(
      'canary.targetId ou-a1b2-canary01 holds account 555566667777 (in ou-a1b2-cangrand, 2 levels down): p-canary01 is detached from it every day, so it must hold no account at any depth; nothing was detached',
    );
    expect(org.endpoint.callCount('DetachPolicy')).toBe(0);
    expect(org.organization.isAttached(CANARY.policyId, CANARY.targetId)).toBe(true);
    expect(org.metrics).toEqual([]);
  });

  it('refuses an OU with an account directly in it', async () => {
    const file = sampleOrg();
    addAccount(file, '555566667777', CANARY.targetId);
    const org = await serve(file);

    const error = await refusal(org.run());

    expect(error.name).toBe(CanaryErrorName.OU_NOT_EMPTY);
    expect(org.endpoint.callCount('DetachPolicy')).toBe(0);
  });

  it('refuses when the canary policy is not attached to the OU now (the guard may still be restoring it)', async () => {
    const file = sampleOrg();
    policy(file, CANARY.policyId).targets = [];
    const org = await serve(file);

    const error = await refusal(org.run());

    expect(error.name).toBe(CanaryErrorName.POLICY_NOT_ATTACHED);
    expect(error.message).toMatch(/^canary\.policyId p-canary01 is not attached to ou-a1b2-canary01 now/);
    expect(org.endpoint.callCount('DetachPolicy')).toBe(0);
  });

  it('refuses a canary OU that does not exist, naming canary.targetId', async () => {
    const org = await serve(sampleOrg());

    const error = await refusal(org.run({ canary: { ...CANARY, targetId: 'ou-a1b2-missing1' } }));

    expect(error.name).toBe(CanaryErrorName.OU_NOT_FOUND);
    expect(error.message).toBe('canary.targetId ou-a1b2-missing1 is not an OU of this organization (ParentNotFoundException); nothing was detached');
  });

  it('refuses when the canary SCP is the last SCP on the OU, saying what to attach', async () => {
    const file = sampleOrg();
    const full = policy(file, 'p-FullAWSAccess');
    full.targets = full.targets.filter((target) => target !== CANARY.targetId);
    const org = await serve(file);

    const error = await refusal(org.run());

    expect(error.name).toBe(CanaryErrorName.DETACH_REFUSED);
    expect(error.message).toMatch(/attach FullAWSAccess to the canary OU too/);
    expect(org.organization.isAttached(CANARY.policyId, CANARY.targetId)).toBe(true);
  });

  it('counts a DetachPolicy whose answer was lost as started when the policy is gone from the OU, so a retried run never refuses its own work', async () => {
    const org = await serve(sampleOrg(), 300);
    org.endpoint.faults.script('DetachPolicy', ['apply-then-hang']);

    const run = await org.run();

    expect(run).toMatchObject({ ...CANARY, answerLost: true });
    expect(org.organization.isAttached(CANARY.policyId, CANARY.targetId)).toBe(false);
    expect(org.metrics.map((point) => point.name)).toEqual([MetricName.CANARY_STARTED, MetricName.CANARY_DEADLINE]);
  });

  it('fails, named as the transient error, when DetachPolicy went unanswered and did not happen', async () => {
    const org = await serve(sampleOrg(), 300);
    org.endpoint.faults.script('DetachPolicy', ['hang']);

    const error = await refusal(org.run());

    expect(error.name).toBe('Organizations.ServiceException');
    expect(org.organization.isAttached(CANARY.policyId, CANARY.targetId)).toBe(true);
    expect(org.metrics).toEqual([]);
  });

  it('follows NextToken through every page: an account under the third child OU, one child per page', async () => {
    const file = sampleOrg();
    for (const n of [1, 2, 3]) addOu(file, `ou-a1b2-canchld${n}`, CANARY.targetId);
    addAccount(file, '555566667777', 'ou-a1b2-canchld3');
    const org = await serve(file);

    const error = await refusal(org.run({ pageSize: 1 }));

    expect(error.message).toMatch(/holds account 555566667777 \(in ou-a1b2-canchld3, 1 level down\)/);
    expect(org.endpoint.requestLog.filter((e) => e.operation === 'ListChildren' && e.input.NextToken !== undefined).length).toBeGreaterThan(0);
  });

  it('finds the canary policy on a later page of ListPoliciesForTarget', async () => {
    const org = await serve(sampleOrg());

    const run = await org.run({ pageSize: 1 });

    expect(run.policyType).toBe('SERVICE_CONTROL_POLICY');
    expect(org.endpoint.requestLog.filter((e) => e.operation === 'ListPoliciesForTarget').length).toBe(2);
  });
});

describe('the canary run: empty pages', () => {
  it('reads on past an empty page of ListChildren that carries a NextToken', async () => {
    const client = new OrganizationsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockClient(client);
    mock
      .on(ListChildrenCommand, { ChildType: 'ACCOUNT' })
      .resolves({ Children: [] })
      .on(ListChildrenCommand, { ChildType: 'ORGANIZATIONAL_UNIT', NextToken: undefined })
      .resolves({ Children: [], NextToken: 'page-2' })
      .on(ListChildrenCommand, { ChildType: 'ORGANIZATIONAL_UNIT', NextToken: 'page-2' })
      .resolves({ Children: [{ Id: 'ou-a1b2-canchild', Type: 'ORGANIZATIONAL_UNIT' }] })
      .on(ListChildrenCommand, { ParentId: 'ou-a1b2-canchild', ChildType: 'ACCOUNT', NextToken: undefined })
      .resolves({ Children: [], NextToken: 'acct-2' })
      .on(ListChildrenCommand, { ParentId: 'ou-a1b2-canchild', ChildType: 'ACCOUNT', NextToken: 'acct-2' })
      .resolves({ Children: [{ Id: '555566667777', Type: 'ACCOUNT' }] });
    mock.on(DetachPolicyCommand).resolves({});

    const error = await refusal(runCanary({ organizations: client, canary: CANARY, policyTypes: ['SERVICE_CONTROL_POLICY'], metrics: () => {} }));

    expect(error.message).toMatch(/holds account 555566667777 \(in ou-a1b2-canchild, 1 level down\)/);
    expect(mock.commandCalls(DetachPolicyCommand)).toHaveLength(0);
  });

  it('finds the policy after an empty page of ListPoliciesForTarget', async () => {
    const client = new OrganizationsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockClient(client);
    mock.on(ListChildrenCommand).resolves({ Children: [] });
    mock
      .on(ListPoliciesForTargetCommand, { NextToken: undefined })
      .resolves({ Policies: [], NextToken: 'p-2' })
      .on(ListPoliciesForTargetCommand, { NextToken: 'p-2' })
      .resolves({ Policies: [{ Id: CANARY.policyId }] });
    mock.on(DetachPolicyCommand).resolves({});

    const run = await runCanary({ organizations: client, canary: CANARY, policyTypes: ['SERVICE_CONTROL_POLICY'], metrics: () => {} });

    expect(run.policyId).toBe(CANARY.policyId);
    expect(mock.commandCalls(DetachPolicyCommand)).toHaveLength(1);
  });
});

describe('the canary handler', () => {
  it('refuses, named, when the rules have no canary', async () => {
    const client = new OrganizationsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const handler = createCanaryHandler({ rules: parseProtectionRules({ protect: [] }), organizations: client, metrics: () => {}, log: silentLog });

    const error = await refusal(handler({}));

    expect(error.name).toBe(CanaryErrorName.NOT_CONFIGURED);
  });
});

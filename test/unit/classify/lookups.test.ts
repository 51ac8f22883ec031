import { ListTargetsForPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { CLASSIFY_LOOKUP_FAILED } from '../../../functions/classify/enrich';
import { createClassifyHandler, GUARD_ROLE_ARNS_ENV, parseGuardRoleArns } from '../../../functions/classify/handler';
import { ORGANIZATIONS_CLIENT_OPTIONS } from '../../../functions/shared/clients/organizations';
import { silentLog } from '../../../functions/shared/log';
import { parseProtectionRules } from '../../../config/load';
import { Kind, Mode, Verdict } from '../../../functions/shared/vocabulary';
import { LocalOrganizationsEndpoint } from '../../../local/stand-ins/organizations/endpoint';
import { LocalOrganization } from '../../../local/stand-ins/organizations/organization-state';
import { CLASSIFY_INPUT } from './classify-support';
import { asRole, GUARD_ROLE, sampleEvent, SampleEvent, SampleIds, sampleRules, withRequest } from './kinds-support';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const organizationsAt = (endpoint: string) => new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_OPTIONS, endpoint, credentials });

/**
 * root ─ Workloads (p-protectct, protected) ─ Prod ─ Payments ─ 333344445555
 *      │                                    └ Dev
 *      └ Sandbox
 * The account's protection is inherited two levels above its parent.
 */
const Tree = {
  root: 'r-a1b2',
  workloads: 'ou-a1b2-wrkloads1',
  prod: 'ou-a1b2-prodou001',
  payments: 'ou-a1b2-paymnts01',
  dev: 'ou-a1b2-devou0001',
  sandbox: 'ou-a1b2-sandbox01',
  account: '333344445555',
} as const;

const TREE_ORGANIZATION = {
  rootId: Tree.root,
  organizationId: 'o-a1b2c3d4e5',
  managementAccountId: '111122223333',
  organizationalUnits: [
    { id: Tree.workloads, name: 'Workloads', parentId: Tree.root },
    { id: Tree.prod, name: 'Prod', parentId: Tree.workloads },
    { id: Tree.payments, name: 'Payments', parentId: Tree.prod },
    { id: Tree.dev, name: 'Dev', parentId: Tree.workloads },
    { id: Tree.sandbox, name: 'Sandbox', parentId: Tree.root },
  ],
  accounts: [
    { id: '111122223333', name: 'org-management', parentId: Tree.root },
    { id: Tree.account, name: 'prod-payments', parentId: Tree.payments },
  ],
  policies: [
    {
      id: 'p-FullAWSAccess',
      name: 'FullAWSAccess',
      type: 'SERVICE_CONTROL_POLICY',
      awsManaged: true,
      content: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      targets: [Tree.root, Tree.workloads, Tree.prod, Tree.payments, Tree.dev, Tree.sandbox, '111122223333', Tree.account],
    },
    {
      id: SampleIds.protectCloudTrail,
      name: 'ProtectCloudTrail',
      type: 'SERVICE_CONTROL_POLICY',
      content: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'cloudtrail:StopLogging', Resource: '*' }] },
      targets: [Tree.workloads],
    },
  ],
};

const treeRules = () =>
  parseProtectionRules({ protect: [{ policyId: SampleIds.protectCloudTrail, targets: [Tree.workloads], mode: 'approval' }], notify: { unprotected: false } });

const moveEvent = (sourceParentId: string, destinationParentId: string) =>
  withRequest(sampleEvent(SampleEvent.moved), { accountId: Tree.account, sourceParentId, destinationParentId });

describe('classify: a moved account, against a local Organizations endpoint', () => {
  let endpoint: LocalOrganizationsEndpoint;
  let url: string;

  beforeAll(async () => {
    endpoint = new LocalOrganizationsEndpoint(LocalOrganization.fromJson(TREE_ORGANIZATION));
    ({ url } = await endpoint.start());
  });
  afterAll(() => endpoint.stop());

  it('protects a move that took away a protection inherited two levels above the source parent', async () => {
    const classify = createClassifyHandler({ rules: treeRules(), organizations: organizationsAt(url), log: () => silentLog });

    const { incident } = await classify({ event: moveEvent(Tree.payments, Tree.sandbox), ...CLASSIFY_INPUT });

    expect(incident).toMatchObject({
      verdict: Verdict.PROTECTED,
      kind: Kind.ACCOUNT_MOVED,
      mode: Mode.APPROVAL,
      target: { id: Tree.account, type: 'ACCOUNT', name: 'prod-payments' },
      move: { accountId: Tree.account, sourceParentId: Tree.payments, destinationParentId: Tree.sandbox },
      rule: { index: 0 },
    });
    expect(incident.reason).toContain(`${SampleIds.protectCloudTrail} on ${Tree.workloads} (protect[0])`);
  });

  it('calls a move within the protected OU UNPROTECTED: the account still inherits the protection', async () => {
    const classify = createClassifyHandler({ rules: treeRules(), organizations: organizationsAt(url), log: () => silentLog });

    const { incident } = await classify({ event: moveEvent(Tree.payments, Tree.dev), ...CLASSIFY_INPUT });

    expect(incident).toMatchObject({ verdict: Verdict.UNPROTECTED, kind: Kind.ACCOUNT_MOVED, notify: false });
    // Payments and Prod each held FullAWSAccess, and Dev holds it too: nothing lost.
    expect(incident.reason).toContain('it lost no inherited attachment');
  });

  it('calls a move UNPROTECTED when the destination chain still gives the protected policy the account left behind', async () => {
    const classify = createClassifyHandler({ rules: treeRules(), organizations: organizationsAt(url), log: () => silentLog });
    endpoint.organization.attachPolicy(SampleIds.protectCloudTrail, Tree.sandbox);
    try {
      const { incident } = await classify({ event: moveEvent(Tree.payments, Tree.sandbox), ...CLASSIFY_INPUT });

      // p-protectct was on Workloads (left) and is on Sandbox (the destination): still inherited, not lost.
      expect(incident).toMatchObject({ verdict: Verdict.UNPROTECTED, kind: Kind.ACCOUNT_MOVED });
      expect(incident.reason).not.toContain(SampleIds.protectCloudTrail);
    } finally {
      endpoint.organization.detachPolicy(SampleIds.protectCloudTrail, Tree.sandbox);
    }
  });

  it("calls the guard's own move back IGNORED_ACTOR without asking Organizations", async () => {
    const classify = createClassifyHandler({ rules: treeRules(), organizations: organizationsAt('http://127.0.0.1:9'), guardRoleArns: [GUARD_ROLE], log: () => silentLog });

    const { incident } = await classify({ event: asRole(moveEvent(Tree.sandbox, Tree.payments), GUARD_ROLE), ...CLASSIFY_INPUT });

    expect(incident).toMatchObject({ verdict: Verdict.IGNORED_ACTOR, notify: false, reason: `the guard's own restoration (${GUARD_ROLE})` });
  });
});

describe('classify: when Organizations cannot answer what the verdict needs', () => {
  const unreachable = () => organizationsAt('http://127.0.0.1:9');

  it('throws for a move, so that the workflow classifies it from the rules alone', async () => {
    const classify = createClassifyHandler({ rules: sampleRules(), organizations: unreachable(), log: () => silentLog });

    const attempt = classify({ event: sampleEvent(SampleEvent.moved), ...CLASSIFY_INPUT });

    await expect(attempt).rejects.toMatchObject({ name: CLASSIFY_LOOKUP_FAILED });
  });

  it('classifies the move from the rules alone on the second attempt: out of an OU a rule names is protected', async () => {
    const classify = createClassifyHandler({ rules: sampleRules(), organizations: unreachable(), log: () => silentLog });
    const classifyError = { Error: CLASSIFY_LOOKUP_FAILED, Cause: 'no answer' };

    const output = await classify({ event: sampleEvent(SampleEvent.moved), ...CLASSIFY_INPUT, classifyError });

    expect(output.classifyError).toEqual(classifyError);
    expect(output.incident).toMatchObject({ verdict: Verdict.PROTECTED, kind: Kind.ACCOUNT_MOVED, mode: Mode.APPROVAL, retryRoundLimit: 60 });
    expect(output.incident.reason).toContain('decided from the rules alone');
  });

  it('throws for a policy change whose protection depends on where the policy is attached', async () => {
    const client = new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_OPTIONS, credentials });
    mockClient(client).onAnyCommand().rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 400 } }));
    const classify = createClassifyHandler({ rules: sampleRules(), organizations: client, log: () => silentLog });
    const event = withRequest(sampleEvent(SampleEvent.changed), { policyId: SampleIds.denyRegion });

    await expect(classify({ event, ...CLASSIFY_INPUT })).rejects.toMatchObject({ name: CLASSIFY_LOOKUP_FAILED, message: expect.stringContaining('Rate exceeded') });
  });
});

describe('classify: a changed policy protected through where it is attached', () => {
  it('asks ListTargetsForPolicy and protects the policy attached under a "policies": "*" rule', async () => {
    const client = new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_OPTIONS, credentials });
    const mock = mockClient(client);
    mock.on(ListTargetsForPolicyCommand).resolvesOnce({ Targets: [], NextToken: 'page-2' }).resolves({ Targets: [{ TargetId: SampleIds.prodOu, Type: 'ORGANIZATIONAL_UNIT' }] });
    const classify = createClassifyHandler({ rules: sampleRules(), organizations: client, log: () => silentLog });
    const event = withRequest(sampleEvent(SampleEvent.changed), { policyId: SampleIds.denyRegion });

    const { incident } = await classify({ event, ...CLASSIFY_INPUT });

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, kind: Kind.POLICY_CHANGED, mode: Mode.AUTO, rule: { index: 2 } });
    expect(mock.commandCalls(ListTargetsForPolicyCommand)).toHaveLength(2);
  });

  it('does not ask where a policy a rule names is attached', async () => {
    const client = new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_OPTIONS, credentials });
    const mock = mockClient(client);
    const classify = createClassifyHandler({ rules: sampleRules(), organizations: client, log: () => silentLog });

    const { incident } = await classify({ event: sampleEvent(SampleEvent.changed), ...CLASSIFY_INPUT });

    expect(incident.verdict).toBe(Verdict.PROTECTED);
    expect(mock.commandCalls(ListTargetsForPolicyCommand)).toHaveLength(0);
  });
});

describe('classify: the guard roles from the environment', () => {
  it('reads a comma-separated list, dropping blanks', () => {
    expect(GUARD_ROLE_ARNS_ENV).toBe('GUARD_ROLE_ARNS');
    expect(parseGuardRoleArns(` ${GUARD_ROLE}, ,arn:aws:iam::111122223333:role/scp-guardian-restore,`)).toEqual([GUARD_ROLE, 'arn:aws:iam::111122223333:role/scp-guardian-restore']);
    expect(parseGuardRoleArns(undefined)).toEqual([]);
  });
});

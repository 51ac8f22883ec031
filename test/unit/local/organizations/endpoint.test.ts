import {
  AttachPolicyCommand,
  ConstraintViolationException,
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DuplicatePolicyAttachmentException,
  InvalidInputException,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  paginateListTargetsForPolicy,
  type PolicyTargetSummary,
} from '@aws-sdk/client-organizations';
import { readFileSync } from 'node:fs';
import { parseOrganization } from '../../../../local/stand-ins/organizations/organization-file';
import {
  DENY_LEAVE,
  FIXTURE,
  FULL_ACCESS,
  MANAGEMENT_ACCOUNT,
  PROD_ACCOUNT,
  PROD_OU,
  ROOT,
  SANDBOX_ACCOUNT,
  SANDBOX_OU,
  TAG_POLICY,
  UNATTACHED_SCP,
  sdkErrorOf,
  startHarness,
  type Harness,
} from './harness';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const scpIdsOn = async (targetId: string): Promise<string[]> => {
  const page = await h.client.send(new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: 'SERVICE_CONTROL_POLICY' }));
  return (page.Policies ?? []).map((p) => p.Id ?? '');
};

describe('AttachPolicy and DetachPolicy', () => {
  it('detaches a policy and attaches it again, as ListPoliciesForTarget shows', async () => {
    await h.client.send(new DetachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: PROD_OU }));
    const afterDetach = await scpIdsOn(PROD_OU);

    await h.client.send(new AttachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: PROD_OU }));

    expect(afterDetach).not.toContain(DENY_LEAVE);
    expect(await scpIdsOn(PROD_OU)).toContain(DENY_LEAVE);
    expect(h.org.isAttached(DENY_LEAVE, PROD_OU)).toBe(true);
  });

  it('answers a second AttachPolicy of the same pair with DuplicatePolicyAttachmentException', async () => {
    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: ROOT })));

    expect(error).toBeInstanceOf(DuplicatePolicyAttachmentException);
    expect(error.name).toBe('DuplicatePolicyAttachmentException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers AttachPolicy of an unknown policy with PolicyNotFoundException', async () => {
    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: 'p-doesnotexist', TargetId: ROOT })));

    expect(error.name).toBe('PolicyNotFoundException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('answers AttachPolicy to an unknown target with TargetNotFoundException', async () => {
    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: '999999999999' })));

    expect(error.name).toBe('TargetNotFoundException');
  });

  it('answers the reattachment of a policy deleted since the detach with PolicyNotFoundException', async () => {
    await h.client.send(new DetachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: PROD_OU }));
    h.org.deletePolicy(DENY_LEAVE);

    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: PROD_OU })));

    expect(error.name).toBe('PolicyNotFoundException');
  });

  it('answers the reattachment to an account removed since the detach with TargetNotFoundException', async () => {
    await h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: SANDBOX_ACCOUNT }));
    await h.client.send(new DetachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: SANDBOX_ACCOUNT }));
    h.org.removeTarget(SANDBOX_ACCOUNT);

    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: SANDBOX_ACCOUNT })));

    expect(error.name).toBe('TargetNotFoundException');
  });

  it('answers DetachPolicy of a pair that is not attached with PolicyNotAttachedException', async () => {
    const error = await sdkErrorOf(h.client.send(new DetachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU })));

    expect(error.name).toBe('PolicyNotAttachedException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('refuses to detach the last SCP of a target with ConstraintViolationException and its reason', async () => {
    const error = await sdkErrorOf(h.client.send(new DetachPolicyCommand({ PolicyId: FULL_ACCESS, TargetId: SANDBOX_ACCOUNT })));

    expect(error).toBeInstanceOf(ConstraintViolationException);
    expect((error as ConstraintViolationException).Reason).toBe('MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
    expect(h.org.isAttached(FULL_ACCESS, SANDBOX_ACCOUNT)).toBe(true);
  });

  it('lets the last tag policy go: the minimum applies to SCPs only', async () => {
    await h.client.send(new DetachPolicyCommand({ PolicyId: TAG_POLICY, TargetId: ROOT }));

    expect(h.org.isAttached(TAG_POLICY, ROOT)).toBe(false);
  });

  it('answers AttachPolicy of a policy whose type is disabled with PolicyTypeNotEnabledException', async () => {
    h.org.disablePolicyType('TAG_POLICY');

    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: TAG_POLICY, TargetId: ROOT })));

    expect(error.name).toBe('PolicyTypeNotEnabledException');
  });

  it('answers a malformed target id with InvalidInputException naming the reason', async () => {
    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: 'prod' })));

    expect(error).toBeInstanceOf(InvalidInputException);
    expect((error as InvalidInputException).Reason).toBe('INVALID_PATTERN_TARGET_ID');
  });

  it('counts every AttachPolicy attempt, failed ones included, apart from the successful ones', async () => {
    await h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: ROOT }));
    await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: ROOT })));

    expect(h.endpoint.callCount('AttachPolicy')).toBe(2);
    expect(h.endpoint.successCount('AttachPolicy')).toBe(1);
    expect(h.endpoint.requestLog.map((e) => e.error)).toEqual([undefined, 'DuplicatePolicyAttachmentException']);
    expect(h.endpoint.requestLog[1].input).toEqual({ PolicyId: UNATTACHED_SCP, TargetId: ROOT });
  });

  it('prints the organization after changes in the file format, current attachments as targets', async () => {
    await h.client.send(new DetachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: PROD_OU }));

    const printed = parseOrganization(JSON.parse(JSON.stringify(h.org)));

    expect(printed.policies.find((p) => p.id === DENY_LEAVE)?.targets).toEqual([ROOT]);
    const original = parseOrganization(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    expect(printed.accounts).toEqual(original.accounts);
  });
});

describe('describe and list calls', () => {
  it('describes a policy with its summary and its document as a JSON string', async () => {
    const { Policy } = await h.client.send(new DescribePolicyCommand({ PolicyId: FULL_ACCESS }));

    expect(Policy?.PolicySummary).toEqual({
      Id: FULL_ACCESS,
      Arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
      Name: 'FullAWSAccess',
      Description: 'Allows access to every operation',
      Type: 'SERVICE_CONTROL_POLICY',
      AwsManaged: true,
    });
    expect(JSON.parse(Policy?.Content ?? '')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
    });
  });

  it('gives a customer policy an ARN in the organization', async () => {
    const { Policy } = await h.client.send(new DescribePolicyCommand({ PolicyId: DENY_LEAVE }));

    expect(Policy?.PolicySummary?.Arn).toBe(`arn:aws:organizations::${MANAGEMENT_ACCOUNT}:policy/o-ab12000000/service_control_policy/${DENY_LEAVE}`);
    expect(Policy?.PolicySummary?.AwsManaged).toBe(false);
  });

  it('describes an account as ACTIVE with a joining date the SDK reads as a Date', async () => {
    const { Account } = await h.client.send(new DescribeAccountCommand({ AccountId: SANDBOX_ACCOUNT }));

    expect(Account).toMatchObject({
      Id: SANDBOX_ACCOUNT,
      Name: 'sandbox-dev',
      Email: 'sandbox-dev@example.com',
      Status: 'ACTIVE',
      Arn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT}:account/o-ab12000000/${SANDBOX_ACCOUNT}`,
      Paths: [`o-ab12000000/${ROOT}/${SANDBOX_OU}/${SANDBOX_ACCOUNT}/`],
    });
    expect(Account?.JoinedTimestamp).toEqual(new Date('2020-01-01T00:00:00Z'));
  });

  it('answers DescribeAccount of an unknown account with AccountNotFoundException', async () => {
    const error = await sdkErrorOf(h.client.send(new DescribeAccountCommand({ AccountId: '999999999999' })));

    expect(error.name).toBe('AccountNotFoundException');
  });

  it('describes an OU with its name and path', async () => {
    const { OrganizationalUnit } = await h.client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: PROD_OU }));

    expect(OrganizationalUnit).toEqual({
      Id: PROD_OU,
      Name: 'Prod',
      Arn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT}:ou/o-ab12000000/${PROD_OU}`,
      Path: `o-ab12000000/${ROOT}/${PROD_OU}/`,
    });
  });

  it('answers DescribeOrganizationalUnit of an unknown OU with OrganizationalUnitNotFoundException', async () => {
    const error = await sdkErrorOf(h.client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: 'ou-ab12-99999999' })));

    expect(error.name).toBe('OrganizationalUnitNotFoundException');
  });

  it('lists the root with the policy types enabled in it', async () => {
    const { Roots } = await h.client.send(new ListRootsCommand({}));

    expect(Roots).toEqual([
      {
        Id: ROOT,
        Name: 'Root',
        Arn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT}:root/o-ab12000000/${ROOT}`,
        PolicyTypes: [
          { Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' },
          { Type: 'TAG_POLICY', Status: 'ENABLED' },
        ],
      },
    ]);
  });

  it('lists the parent of an account and of an OU', async () => {
    const ofAccount = await h.client.send(new ListParentsCommand({ ChildId: PROD_ACCOUNT }));
    const ofOu = await h.client.send(new ListParentsCommand({ ChildId: PROD_OU }));

    expect(ofAccount.Parents).toEqual([{ Id: PROD_OU, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect(ofOu.Parents).toEqual([{ Id: ROOT, Type: 'ROOT' }]);
  });

  it('answers ListParents of an unknown child with ChildNotFoundException', async () => {
    const error = await sdkErrorOf(h.client.send(new ListParentsCommand({ ChildId: '999999999999' })));

    expect(error.name).toBe('ChildNotFoundException');
  });

  it('describes the organization with all features and its management account', async () => {
    const { Organization } = await h.client.send(new DescribeOrganizationCommand({}));

    expect(Organization).toMatchObject({
      Id: 'o-ab12000000',
      FeatureSet: 'ALL',
      MasterAccountId: MANAGEMENT_ACCOUNT,
      MasterAccountEmail: 'management@example.com',
      MasterAccountArn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT}:account/o-ab12000000/${MANAGEMENT_ACCOUNT}`,
    });
  });

  it('lists the targets of a policy with their type and name', async () => {
    const { Targets } = await h.client.send(new ListTargetsForPolicyCommand({ PolicyId: DENY_LEAVE }));

    expect(Targets?.map((t) => [t.TargetId, t.Type, t.Name])).toEqual([
      [ROOT, 'ROOT', 'Root'],
      [PROD_OU, 'ORGANIZATIONAL_UNIT', 'Prod'],
    ]);
  });

  it('lists only the policies of the type in Filter', async () => {
    const { Policies } = await h.client.send(new ListPoliciesForTargetCommand({ TargetId: ROOT, Filter: 'TAG_POLICY' }));

    expect(Policies?.map((p) => p.Id)).toEqual([TAG_POLICY]);
  });

  it('answers ListPoliciesForTarget without Filter with InvalidInputException INPUT_REQUIRED', async () => {
    const error = await sdkErrorOf(h.client.send(new ListPoliciesForTargetCommand({ TargetId: ROOT, Filter: undefined })));

    expect(error).toBeInstanceOf(InvalidInputException);
    expect((error as InvalidInputException).Reason).toBe('INPUT_REQUIRED');
  });

  it('answers ListPoliciesForTarget of an unknown target with TargetNotFoundException', async () => {
    const error = await sdkErrorOf(
      h.client.send(new ListPoliciesForTargetCommand({ TargetId: 'ou-ab12-99999999', Filter: 'SERVICE_CONTROL_POLICY' })),
    );

    expect(error.name).toBe('TargetNotFoundException');
  });
});

describe('paging', () => {
  it('pages ListPoliciesForTarget by MaxResults until no NextToken is left', async () => {
    const first = await h.client.send(new ListPoliciesForTargetCommand({ TargetId: PROD_OU, Filter: 'SERVICE_CONTROL_POLICY', MaxResults: 3 }));
    const second = await h.client.send(
      new ListPoliciesForTargetCommand({ TargetId: PROD_OU, Filter: 'SERVICE_CONTROL_POLICY', MaxResults: 3, NextToken: first.NextToken }),
    );

    expect(first.Policies?.map((p) => p.Id)).toEqual([FULL_ACCESS, DENY_LEAVE, 'p-denyregion1']);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.Policies?.map((p) => p.Id)).toEqual(['p-protectct1']);
    expect(second.NextToken).toBeUndefined();
  });

  it("walks ListTargetsForPolicy with the SDK's own paginator", async () => {
    const targets: PolicyTargetSummary[] = [];
    let pages = 0;

    for await (const page of paginateListTargetsForPolicy({ client: h.client, pageSize: 4 }, { PolicyId: FULL_ACCESS })) {
      pages += 1;
      targets.push(...(page.Targets ?? []));
    }

    expect(pages).toBe(2);
    expect(targets.map((t) => t.TargetId)).toEqual([ROOT, PROD_OU, SANDBOX_OU, MANAGEMENT_ACCOUNT, PROD_ACCOUNT, SANDBOX_ACCOUNT]);
  });

  it('refuses a NextToken from another listing with InvalidInputException INVALID_NEXT_TOKEN', async () => {
    const { NextToken } = await h.client.send(new ListTargetsForPolicyCommand({ PolicyId: FULL_ACCESS, MaxResults: 2 }));

    const error = await sdkErrorOf(h.client.send(new ListTargetsForPolicyCommand({ PolicyId: DENY_LEAVE, NextToken })));

    expect((error as InvalidInputException).Reason).toBe('INVALID_NEXT_TOKEN');
  });

  it('refuses MaxResults above 20 with InvalidInputException', async () => {
    const error = await sdkErrorOf(h.client.send(new ListTargetsForPolicyCommand({ PolicyId: FULL_ACCESS, MaxResults: 21 })));

    expect((error as InvalidInputException).Reason).toBe('MAX_VALUE_EXCEEDED');
  });
});

import {
  AttachPolicyCommand,
  ConstraintViolationException,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  InvalidInputException,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  PolicyTypeAlreadyEnabledException,
  PolicyTypeNotEnabledException,
  RootNotFoundException,
} from '@aws-sdk/client-organizations';
import { LocalOrganization } from '../../../../local/stand-ins/organizations/organization-state';
import {
  DENY_LEAVE,
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

const SCP = 'SERVICE_CONTROL_POLICY';
const EVERY_TARGET = [ROOT, PROD_OU, SANDBOX_OU, MANAGEMENT_ACCOUNT, PROD_ACCOUNT, SANDBOX_ACCOUNT];

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const scpIdsOn = async (targetId: string): Promise<string[]> => {
  const page = await h.client.send(new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: SCP }));
  return (page.Policies ?? []).map((p) => p.Id ?? '');
};

describe('DisablePolicyType', () => {
  it('detaches every SCP from every target and answers the root without the type', async () => {
    const { Root } = await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    expect(Root).toEqual({
      Id: ROOT,
      Arn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT}:root/o-ab12000000/${ROOT}`,
      Name: 'Root',
      PolicyTypes: [{ Type: 'TAG_POLICY', Status: 'ENABLED' }],
    });
    for (const target of EVERY_TARGET) expect(await scpIdsOn(target)).toEqual([]);
    expect((await h.client.send(new ListTargetsForPolicyCommand({ PolicyId: DENY_LEAVE }))).Targets).toEqual([]);
  });

  it('keeps the policies and the attachments of other types', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    expect(h.org.policy(DENY_LEAVE).name).toBe('DenyLeaveOrg');
    expect(h.org.isAttached(TAG_POLICY, ROOT)).toBe(true);
  });

  it('lists the root without the disabled type in ListRoots', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    const { Roots } = await h.client.send(new ListRootsCommand({}));

    expect(Roots?.[0].PolicyTypes).toEqual([{ Type: 'TAG_POLICY', Status: 'ENABLED' }]);
  });

  it('still shows the type available to the organization in DescribeOrganization, as AWS does', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    const { Organization } = await h.client.send(new DescribeOrganizationCommand({}));

    expect(Organization?.AvailablePolicyTypes).toEqual([
      { Type: SCP, Status: 'ENABLED' },
      { Type: 'TAG_POLICY', Status: 'ENABLED' },
    ]);
  });

  it('answers AttachPolicy of an SCP afterwards with PolicyTypeNotEnabledException', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: ROOT })));

    expect(error).toBeInstanceOf(PolicyTypeNotEnabledException);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('answers DetachPolicy afterwards with PolicyNotAttachedException: nothing is attached', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    const error = await sdkErrorOf(h.client.send(new DetachPolicyCommand({ PolicyId: FULL_ACCESS, TargetId: ROOT })));

    expect(error.name).toBe('PolicyNotAttachedException');
  });

  it('answers a second disable with PolicyTypeNotEnabledException', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    const error = await sdkErrorOf(h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP })));

    expect(error).toBeInstanceOf(PolicyTypeNotEnabledException);
  });

  it('answers an unknown root with RootNotFoundException and changes nothing', async () => {
    const error = await sdkErrorOf(h.client.send(new DisablePolicyTypeCommand({ RootId: 'r-zz99', PolicyType: SCP })));

    expect(error).toBeInstanceOf(RootNotFoundException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(h.org.isAttached(DENY_LEAVE, ROOT)).toBe(true);
  });

  it('answers a malformed root id and an unknown type with InvalidInputException and their reasons', async () => {
    const badRoot = await sdkErrorOf(h.client.send(new DisablePolicyTypeCommand({ RootId: 'root', PolicyType: SCP })));
    const badType = await sdkErrorOf(h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: 'SCP' as never })));

    expect((badRoot as InvalidInputException).Reason).toBe('INVALID_PATTERN');
    expect((badType as InvalidInputException).Reason).toBe('INVALID_ENUM_POLICY_TYPE');
  });
});

describe('EnablePolicyType', () => {
  it('attaches FullAWSAccess, and only it, to the root and every OU and account', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    const { Root } = await h.client.send(new EnablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    expect(Root?.PolicyTypes).toEqual([
      { Type: SCP, Status: 'ENABLED' },
      { Type: 'TAG_POLICY', Status: 'ENABLED' },
    ]);
    for (const target of EVERY_TARGET) expect(await scpIdsOn(target)).toEqual([FULL_ACCESS]);
  });

  it('does not bring back the attachments the disable removed', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));
    await h.client.send(new EnablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    expect(h.org.isAttached(DENY_LEAVE, ROOT)).toBe(false);
    expect(h.org.isAttached(DENY_LEAVE, PROD_OU)).toBe(false);
  });

  it('lets SCPs be attached again once enabled', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));
    await h.client.send(new EnablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    await h.client.send(new AttachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: ROOT }));

    expect(await scpIdsOn(ROOT)).toEqual([FULL_ACCESS, DENY_LEAVE]);
  });

  it('answers an enabled type with PolicyTypeAlreadyEnabledException', async () => {
    const error = await sdkErrorOf(h.client.send(new EnablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP })));

    expect(error).toBeInstanceOf(PolicyTypeAlreadyEnabledException);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('answers an unknown root with RootNotFoundException', async () => {
    await h.client.send(new DisablePolicyTypeCommand({ RootId: ROOT, PolicyType: SCP }));

    const error = await sdkErrorOf(h.client.send(new EnablePolicyTypeCommand({ RootId: 'r-zz99', PolicyType: SCP })));

    expect(error).toBeInstanceOf(RootNotFoundException);
  });

  it('enables another type without attaching anything', async () => {
    await h.client.send(new EnablePolicyTypeCommand({ RootId: ROOT, PolicyType: 'BACKUP_POLICY' }));

    const { Roots } = await h.client.send(new ListRootsCommand({}));

    expect(Roots?.[0].PolicyTypes?.map((t) => t.Type)).toEqual([SCP, 'TAG_POLICY', 'BACKUP_POLICY']);
    expect(await scpIdsOn(ROOT)).toEqual([FULL_ACCESS, DENY_LEAVE]);
  });

  it('creates the AWS-managed FullAWSAccess when the organization file left it out', () => {
    const org = LocalOrganization.fromJson({
      rootId: 'r-ab12',
      policyTypes: [],
      accounts: [{ id: '111111111111', name: 'management', parentId: 'r-ab12' }],
    });

    org.enablePolicyType('SERVICE_CONTROL_POLICY');

    expect(org.policy(FULL_ACCESS)).toMatchObject({ awsManaged: true, arn: 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess' });
    expect(org.targetsForPolicy(FULL_ACCESS).map((t) => t.id)).toEqual(['r-ab12', '111111111111']);
  });
});

describe('the SCP limits per target', () => {
  /** Creates and attaches SCPs to the target until it holds `count` of them. */
  async function fillTo(targetId: string, count: number): Promise<void> {
    for (let n = (await scpIdsOn(targetId)).length; n < count; n += 1) {
      const id = h.org.createPolicy({ name: `Filler${n}`, description: '', type: SCP, content: '{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}' }).id;
      await h.client.send(new AttachPolicyCommand({ PolicyId: id, TargetId: targetId }));
    }
  }

  it('attaches a tenth SCP to a target', async () => {
    await fillTo(SANDBOX_OU, 9);

    await h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: SANDBOX_OU }));

    expect(await scpIdsOn(SANDBOX_OU)).toHaveLength(10);
  });

  it('refuses an eleventh with ConstraintViolationException MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED', async () => {
    await fillTo(SANDBOX_OU, 10);

    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: SANDBOX_OU })));

    expect(error).toBeInstanceOf(ConstraintViolationException);
    expect((error as ConstraintViolationException).Reason).toBe('MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(h.org.isAttached(UNATTACHED_SCP, SANDBOX_OU)).toBe(false);
  });

  it('answers a duplicate on a full target with DuplicatePolicyAttachmentException, not the limit', async () => {
    await fillTo(SANDBOX_OU, 10);

    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: FULL_ACCESS, TargetId: SANDBOX_OU })));

    expect(error.name).toBe('DuplicatePolicyAttachmentException');
  });

  it('refuses to detach the last SCP with ConstraintViolationException MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED', async () => {
    const error = await sdkErrorOf(h.client.send(new DetachPolicyCommand({ PolicyId: FULL_ACCESS, TargetId: SANDBOX_OU })));

    expect((error as ConstraintViolationException).Reason).toBe('MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED');
    expect(h.org.isAttached(FULL_ACCESS, SANDBOX_OU)).toBe(true);
  });

  it('detaches FullAWSAccess from a target that keeps another SCP (an allow-list OU)', async () => {
    await h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: SANDBOX_OU }));

    await h.client.send(new DetachPolicyCommand({ PolicyId: FULL_ACCESS, TargetId: SANDBOX_OU }));

    expect(await scpIdsOn(SANDBOX_OU)).toEqual([UNATTACHED_SCP]);
  });
});

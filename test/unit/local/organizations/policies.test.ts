import {
  ConstraintViolationException,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DescribePolicyCommand,
  DetachPolicyCommand,
  DuplicatePolicyException,
  InvalidInputException,
  ListTargetsForPolicyCommand,
  MalformedPolicyDocumentException,
  PolicyInUseException,
  PolicyNotFoundException,
  UpdatePolicyCommand,
} from '@aws-sdk/client-organizations';
import { DENY_LEAVE, FULL_ACCESS, MANAGEMENT_ACCOUNT, PROD_OU, ROOT, TAG_POLICY, UNATTACHED_SCP, sdkErrorOf, startHarness, type Harness } from './harness';

const SCP = 'SERVICE_CONTROL_POLICY';
const ALLOW_LEAVE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'organizations:LeaveOrganization', Resource: '*' }] });
const DENY_S3 = '{\n  "Version": "2012-10-17",\n  "Statement": [{ "Effect": "Deny", "Action": "s3:*", "Resource": "*" }]\n}';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.stop();
});

const describePolicy = (policyId: string) => h.client.send(new DescribePolicyCommand({ PolicyId: policyId }));

describe('UpdatePolicy', () => {
  it('changes the content while the policy stays attached, and DescribePolicy answers the new document', async () => {
    const { Policy } = await h.client.send(new UpdatePolicyCommand({ PolicyId: DENY_LEAVE, Content: ALLOW_LEAVE }));

    const described = await describePolicy(DENY_LEAVE);

    expect(Policy?.Content).toBe(ALLOW_LEAVE);
    expect(described.Policy?.Content).toBe(ALLOW_LEAVE);
    expect(h.org.isAttached(DENY_LEAVE, ROOT)).toBe(true);
  });

  it('answers the document exactly as it was sent, whitespace included', async () => {
    await h.client.send(new UpdatePolicyCommand({ PolicyId: DENY_LEAVE, Content: DENY_S3 }));

    expect((await describePolicy(DENY_LEAVE)).Policy?.Content).toBe(DENY_S3);
  });

  it('changes the name and description and leaves the content as it was', async () => {
    const before = (await describePolicy(DENY_LEAVE)).Policy?.Content;

    const { Policy } = await h.client.send(new UpdatePolicyCommand({ PolicyId: DENY_LEAVE, Name: 'DenyLeaving', Description: 'renamed' }));

    expect(Policy?.PolicySummary).toMatchObject({ Id: DENY_LEAVE, Name: 'DenyLeaving', Description: 'renamed', Type: SCP, AwsManaged: false });
    expect(Policy?.Content).toBe(before);
  });

  it('refuses content that is not JSON with MalformedPolicyDocumentException and keeps the old one', async () => {
    const before = (await describePolicy(DENY_LEAVE)).Policy?.Content;

    const error = await sdkErrorOf(h.client.send(new UpdatePolicyCommand({ PolicyId: DENY_LEAVE, Content: '{"Version": "2012-10-17", ' })));

    expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect((await describePolicy(DENY_LEAVE)).Policy?.Content).toBe(before);
  });

  it('refuses an SCP without statements with MalformedPolicyDocumentException', async () => {
    const error = await sdkErrorOf(h.client.send(new UpdatePolicyCommand({ PolicyId: DENY_LEAVE, Content: '{"Version":"2012-10-17"}' })));

    expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
  });

  it('refuses an SCP larger than 10,240 characters with ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED', async () => {
    // Whitespace counts toward the size, as AWS counts it.
    const exact = `${DENY_S3}${' '.repeat(10_240 - DENY_S3.length)}`;

    const error = await sdkErrorOf(h.client.send(new UpdatePolicyCommand({ PolicyId: DENY_LEAVE, Content: `${exact} ` })));
    await h.client.send(new UpdatePolicyCommand({ PolicyId: DENY_LEAVE, Content: exact }));

    expect(error).toBeInstanceOf(ConstraintViolationException);
    expect((error as ConstraintViolationException).Reason).toBe('POLICY_CONTENT_LIMIT_EXCEEDED');
    expect((await describePolicy(DENY_LEAVE)).Policy?.Content).toBe(exact);
  });

  it('refuses to change the AWS-managed FullAWSAccess with InvalidInputException IMMUTABLE_POLICY', async () => {
    const error = await sdkErrorOf(h.client.send(new UpdatePolicyCommand({ PolicyId: FULL_ACCESS, Content: ALLOW_LEAVE })));

    expect(error).toBeInstanceOf(InvalidInputException);
    expect((error as InvalidInputException).Reason).toBe('IMMUTABLE_POLICY');
  });

  it('refuses the name of another policy of the type with DuplicatePolicyException', async () => {
    const error = await sdkErrorOf(h.client.send(new UpdatePolicyCommand({ PolicyId: DENY_LEAVE, Name: 'DenyRootUser' })));

    expect(error).toBeInstanceOf(DuplicatePolicyException);
  });

  it('answers an unknown policy with PolicyNotFoundException', async () => {
    const error = await sdkErrorOf(h.client.send(new UpdatePolicyCommand({ PolicyId: 'p-doesnotexist', Content: ALLOW_LEAVE })));

    expect(error).toBeInstanceOf(PolicyNotFoundException);
  });
});

describe('CreatePolicy', () => {
  it('returns a new p- id, attached nowhere, with the document as sent', async () => {
    const { Policy } = await h.client.send(new CreatePolicyCommand({ Name: 'DenyS3', Description: 'No S3', Type: SCP, Content: DENY_S3 }));

    const id = Policy?.PolicySummary?.Id ?? '';
    expect(id).toMatch(/^p-[a-z0-9]{8}$/);
    expect(Policy?.PolicySummary).toEqual({
      Id: id,
      Arn: `arn:aws:organizations::${MANAGEMENT_ACCOUNT}:policy/o-ab12000000/service_control_policy/${id}`,
      Name: 'DenyS3',
      Description: 'No S3',
      Type: SCP,
      AwsManaged: false,
    });
    expect((await describePolicy(id)).Policy?.Content).toBe(DENY_S3);
    expect((await h.client.send(new ListTargetsForPolicyCommand({ PolicyId: id }))).Targets).toEqual([]);
  });

  it('gives two policies two ids', async () => {
    const first = await h.client.send(new CreatePolicyCommand({ Name: 'One', Description: '', Type: SCP, Content: DENY_S3 }));
    const second = await h.client.send(new CreatePolicyCommand({ Name: 'Two', Description: '', Type: SCP, Content: DENY_S3 }));

    expect(first.Policy?.PolicySummary?.Id).not.toBe(second.Policy?.PolicySummary?.Id);
  });

  it('refuses a name already used by a policy of the type with DuplicatePolicyException', async () => {
    const error = await sdkErrorOf(h.client.send(new CreatePolicyCommand({ Name: 'DenyLeaveOrg', Description: '', Type: SCP, Content: DENY_S3 })));

    expect(error).toBeInstanceOf(DuplicatePolicyException);
  });

  it('refuses a document that is not JSON with MalformedPolicyDocumentException', async () => {
    const error = await sdkErrorOf(h.client.send(new CreatePolicyCommand({ Name: 'Broken', Description: '', Type: SCP, Content: 'Deny everything' })));

    expect(error).toBeInstanceOf(MalformedPolicyDocumentException);
  });

  it('answers a missing Description with InvalidInputException INPUT_REQUIRED: the API requires one', async () => {
    const error = await sdkErrorOf(h.client.send(new CreatePolicyCommand({ Name: 'NoDescription', Type: SCP, Content: DENY_S3 } as never)));

    expect((error as InvalidInputException).Reason).toBe('INPUT_REQUIRED');
  });
});

describe('DeletePolicy', () => {
  it('deletes a policy attached nowhere', async () => {
    await h.client.send(new DeletePolicyCommand({ PolicyId: UNATTACHED_SCP }));

    const error = await sdkErrorOf(describePolicy(UNATTACHED_SCP));

    expect(error).toBeInstanceOf(PolicyNotFoundException);
  });

  it('refuses a policy still attached with PolicyInUseException and keeps it', async () => {
    const error = await sdkErrorOf(h.client.send(new DeletePolicyCommand({ PolicyId: DENY_LEAVE })));

    expect(error).toBeInstanceOf(PolicyInUseException);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(h.org.isAttached(DENY_LEAVE, ROOT)).toBe(true);
  });

  it('deletes a policy once it is detached from every target', async () => {
    await h.client.send(new DetachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: ROOT }));
    await h.client.send(new DetachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: PROD_OU }));

    await h.client.send(new DeletePolicyCommand({ PolicyId: DENY_LEAVE }));

    expect((await sdkErrorOf(describePolicy(DENY_LEAVE))).name).toBe('PolicyNotFoundException');
  });

  it('refuses the AWS-managed FullAWSAccess with InvalidInputException IMMUTABLE_POLICY', async () => {
    const error = await sdkErrorOf(h.client.send(new DeletePolicyCommand({ PolicyId: FULL_ACCESS })));

    expect((error as InvalidInputException).Reason).toBe('IMMUTABLE_POLICY');
  });

  it('deletes the policies a disabled type left detached', async () => {
    h.org.disablePolicyType('TAG_POLICY');

    await h.client.send(new DeletePolicyCommand({ PolicyId: TAG_POLICY }));

    expect((await sdkErrorOf(describePolicy(TAG_POLICY))).name).toBe('PolicyNotFoundException');
  });

  it('answers an unknown policy with PolicyNotFoundException and a malformed id with INVALID_SYNTAX_POLICY_ID', async () => {
    const unknown = await sdkErrorOf(h.client.send(new DeletePolicyCommand({ PolicyId: 'p-doesnotexist' })));
    const malformed = await sdkErrorOf(h.client.send(new DeletePolicyCommand({ PolicyId: 'policy' })));

    expect(unknown).toBeInstanceOf(PolicyNotFoundException);
    expect((malformed as InvalidInputException).Reason).toBe('INVALID_SYNTAX_POLICY_ID');
  });
});

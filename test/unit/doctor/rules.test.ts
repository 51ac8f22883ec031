import {
  AccessDeniedException,
  AccountNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  OrganizationalUnitNotFoundException,
  OrganizationsClient,
  PolicyNotFoundException,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { rulesChecks } from '../../../cli/doctor/rules';
import { parseProtectionRules } from '../../../config/load';

const organizations = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });
const ROOTS = [{ Id: 'r-a1b2' }];
const PROD = 'ou-a1b2-7hq4vz2n';
const ACCOUNT = '444455556666';

const rules = parseProtectionRules({
  protect: [
    { policyId: 'p-denyleave1', targets: '*', mode: 'auto' },
    { policyId: 'p-protectct', targets: [PROD, ACCOUNT], mode: 'approval' },
  ],
  forbid: [{ policyId: 'p-FullAWSAccess', targets: [PROD], mode: 'auto' }],
});

const scp = (id: string) => ({ Policy: { PolicySummary: { Id: id, Type: 'SERVICE_CONTROL_POLICY' }, Content: '{}' } });
const metadata = { $metadata: {} };

beforeEach(() => {
  organizations.reset();
  organizations.on(DescribePolicyCommand).callsFake((input: { PolicyId: string }) => scp(input.PolicyId));
  organizations.on(DescribeOrganizationalUnitCommand).resolves({ OrganizationalUnit: { Id: PROD } });
  organizations.on(DescribeAccountCommand).resolves({ Account: { Id: ACCOUNT } });
});

describe('doctor: the rules against the organization', () => {
  it('passes when every named policy exists as an SCP and every named target exists', async () => {
    const { checks } = await rulesChecks(client, rules, ROOTS);

    expect(checks).toEqual([
      expect.objectContaining({ name: 'policies exist, of a protected type', status: 'ok', detail: '3 policies named by the rules, each a SERVICE_CONTROL_POLICY' }),
      expect.objectContaining({ name: 'targets exist', status: 'ok', detail: '2 targets named by the rules (roots, OUs, accounts)' }),
    ]);
  });

  it('fails a protected policy that does not exist, naming the rule', async () => {
    organizations.on(DescribePolicyCommand, { PolicyId: 'p-protectct' }).rejects(new PolicyNotFoundException({ message: 'not found', ...metadata }));

    const { checks, missing } = await rulesChecks(client, rules, ROOTS);

    expect(checks[0]).toMatchObject({ name: 'policy p-protectct', status: 'fail', detail: 'protect[1] names it: no such policy in the organization (PolicyNotFoundException)' });
    expect(missing).toEqual(new Set(['p-protectct']));
  });

  it('fails a forbidden policy of a type the rules do not protect', async () => {
    organizations.on(DescribePolicyCommand, { PolicyId: 'p-FullAWSAccess' }).resolves({ Policy: { PolicySummary: { Id: 'p-FullAWSAccess', Type: 'TAG_POLICY' } } });

    const { checks } = await rulesChecks(client, rules, ROOTS);

    expect(checks[0]).toMatchObject({ name: 'policy p-FullAWSAccess', status: 'fail', detail: expect.stringContaining('forbid[0] names it: a TAG_POLICY') });
  });

  it('fails an OU and an account that do not exist', async () => {
    organizations.on(DescribeOrganizationalUnitCommand).rejects(new OrganizationalUnitNotFoundException({ message: 'no OU', ...metadata }));
    organizations.on(DescribeAccountCommand).rejects(new AccountNotFoundException({ message: 'no account', ...metadata }));

    const { checks } = await rulesChecks(client, rules, ROOTS);

    expect(checks.filter((check) => check.status === 'fail').map((check) => check.name)).toEqual([`target ${PROD}`, `target ${ACCOUNT}`]);
  });

  it('fails a root that is not the organization\'s', async () => {
    const onOtherRoot = parseProtectionRules({ protect: [{ policyId: 'p-denyleave1', targets: ['r-zzzz'], mode: 'auto' }] });

    const { checks } = await rulesChecks(client, onOtherRoot, ROOTS);

    expect(checks[1]).toMatchObject({ name: 'target r-zzzz', status: 'fail', detail: "protect[0] names it: not the organization's root (r-a1b2)" });
  });

  it('names organizations:DescribePolicy when it is denied', async () => {
    organizations.on(DescribePolicyCommand).rejects(new AccessDeniedException({ message: "You don't have permissions to access this resource.", ...metadata }));

    const { checks } = await rulesChecks(client, rules, ROOTS);

    expect(checks[0]).toMatchObject({ status: 'fail', detail: 'access denied: the caller lacks organizations:DescribePolicy' });
  });
  it('keeps the missing policies found before a call is throttled, and adds the failed call', async () => {
    organizations.on(DescribePolicyCommand, { PolicyId: 'p-protectct' }).rejects(new PolicyNotFoundException({ message: 'not found', ...metadata }));
    organizations.on(DescribePolicyCommand, { PolicyId: 'p-FullAWSAccess' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));

    const { checks, missing } = await rulesChecks(client, rules, ROOTS);

    expect(checks.slice(0, 2).map(({ name, status }) => [name, status])).toEqual([
      ['policy p-protectct', 'fail'],
      ['policies exist, of a protected type', 'fail'],
    ]);
    expect(checks[1].detail).toContain('organizations:DescribePolicy failed: TooManyRequestsException: Rate exceeded');
    expect(missing).toEqual(new Set(['p-protectct']));
  });

  it('keeps the missing targets found before a call is denied, and adds the failed call', async () => {
    organizations.on(DescribeOrganizationalUnitCommand).rejects(new OrganizationalUnitNotFoundException({ message: 'no OU', ...metadata }));
    organizations.on(DescribeAccountCommand).rejects(new AccessDeniedException({ message: 'denied', ...metadata }));

    const { checks, missing } = await rulesChecks(client, rules, ROOTS);

    expect(checks.slice(1).map(({ name, status, detail }) => [name, status, detail])).toEqual([
      [`target ${PROD}`, 'fail', 'protect[1] names it: no such OU in the organization'],
      ['targets exist', 'fail', 'access denied: the caller lacks organizations:DescribeAccount'],
    ]);
    expect(missing).toEqual(new Set([PROD]));
  });
});

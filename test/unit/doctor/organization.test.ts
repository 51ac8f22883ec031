import {
  AccessDeniedException,
  AWSOrganizationsNotInUseException,
  DescribeOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
  type Organization,
  type Root,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { organizationChecks } from '../../../cli/doctor/organization';
import { parseProtectionRules } from '../../../config/load';

const organizations = mockClient(OrganizationsClient);
const client = new OrganizationsClient({ region: 'us-east-1' });
const rules = parseProtectionRules({ protect: [{ policyId: 'p-denyleave1', targets: '*', mode: 'auto' }] });

const ORGANIZATION: Organization = { Id: 'o-a1b2c3d4e5', FeatureSet: 'ALL', MasterAccountId: '111111111111' };
const SCP_ENABLED: Root = { Id: 'r-a1b2', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }] };

const lineOf = (checks: { name: string; status: string; detail: string; fix?: string }[], name: string) => checks.find((check) => check.name === name);

beforeEach(() => {
  organizations.reset();
  organizations.on(DescribeOrganizationCommand).resolves({ Organization: ORGANIZATION });
  organizations.on(ListRootsCommand).resolves({ Roots: [SCP_ENABLED] });
});

describe('doctor: the organization (the seed audit)', () => {
  it('passes an organization with all features and SCPs enabled on the root', async () => {
    const found = await organizationChecks(client, rules);

    expect(found.checks.map(({ name, status }) => [name, status])).toEqual([
      ['organization in use', 'ok'],
      ['all features enabled', 'ok'],
      ['SCPs enabled on the root', 'ok'],
    ]);
    expect(found.checks[0].detail).toBe('o-a1b2c3d4e5, management account 111111111111');
  });

  it('warns when doctor runs in a member account: a stack there would not see the management account\'s calls', async () => {
    const found = await organizationChecks(client, rules, '222233334444');

    expect(found.checks[0]).toMatchObject({
      status: 'warn',
      detail: 'o-a1b2c3d4e5, management account 111111111111; doctor runs in member account 222233334444, where a stack would not see the calls made in the management account',
      fix: 'deploy to and run doctor in the management account 111111111111 (docs/deploy.md, "Prerequisites")',
    });
  });

  it('fails when the account is in no organization, naming AWSOrganizationsNotInUseException', async () => {
    organizations.on(DescribeOrganizationCommand).rejects(new AWSOrganizationsNotInUseException({ message: 'Your account is not a member of an organization.', $metadata: {} }));

    const found = await organizationChecks(client, rules);

    expect(lineOf(found.checks, 'organization in use')).toMatchObject({ status: 'fail', detail: expect.stringContaining('AWSOrganizationsNotInUseException') });
    expect(found.readable).toBe(false);
    expect(lineOf(found.checks, 'SCPs enabled on the root')?.status).toBe('skip');
  });

  it('fails an organization of consolidated billing only', async () => {
    organizations.on(DescribeOrganizationCommand).resolves({ Organization: { ...ORGANIZATION, FeatureSet: 'CONSOLIDATED_BILLING' } });

    const found = await organizationChecks(client, rules);

    expect(lineOf(found.checks, 'all features enabled')).toMatchObject({ status: 'fail', detail: expect.stringContaining('CONSOLIDATED_BILLING'), fix: expect.stringContaining('enable-all-features') });
  });

  it('fails when SCPs are disabled on the root, with the command that enables them', async () => {
    organizations.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-a1b2', PolicyTypes: [] }] });

    const found = await organizationChecks(client, rules);

    expect(lineOf(found.checks, 'SCPs enabled on the root')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('r-a1b2: SERVICE_CONTROL_POLICY not enabled'),
      fix: 'aws organizations enable-policy-type --root-id r-a1b2 --policy-type SERVICE_CONTROL_POLICY',
    });
  });

  it('only warns while Organizations is still enabling SCPs', async () => {
    organizations.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-a1b2', PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'PENDING_ENABLE' }] }] });

    const found = await organizationChecks(client, rules);

    expect(lineOf(found.checks, 'SCPs enabled on the root')?.status).toBe('warn');
  });

  it('checks every protected policy type of the rules', async () => {
    const withRcps = parseProtectionRules({ protect: [], policyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] });

    const found = await organizationChecks(client, withRcps);

    expect(lineOf(found.checks, 'SCPs enabled on the root')?.status).toBe('ok');
    expect(lineOf(found.checks, 'RCPs enabled on the root')?.status).toBe('fail');
  });

  it('always checks SCPs, the seed audit needs them, even when the rules protect RCPs only', async () => {
    const rcpsOnly = parseProtectionRules({ protect: [], policyTypes: ['RESOURCE_CONTROL_POLICY'] });
    organizations.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-a1b2', PolicyTypes: [{ Type: 'RESOURCE_CONTROL_POLICY', Status: 'ENABLED' }] }] });

    const found = await organizationChecks(client, rcpsOnly);

    expect(found.checks.map(({ name, status }) => [name, status]).slice(2)).toEqual([
      ['SCPs enabled on the root', 'fail'],
      ['RCPs enabled on the root', 'ok'],
    ]);
    expect(lineOf(found.checks, 'SCPs enabled on the root')?.fix).toBe('aws organizations enable-policy-type --root-id r-a1b2 --policy-type SERVICE_CONTROL_POLICY');
  });

  it('names the missing permission when DescribeOrganization is denied', async () => {
    organizations.on(DescribeOrganizationCommand).rejects(new AccessDeniedException({ message: "You don't have permissions to access this resource.", $metadata: {} }));

    const found = await organizationChecks(client, rules);

    expect(lineOf(found.checks, 'organization in use')).toMatchObject({
      status: 'fail',
      detail: 'access denied: the caller lacks organizations:DescribeOrganization',
      fix: expect.stringContaining('grant organizations:DescribeOrganization'),
    });
  });

  it('names organizations:ListRoots when only ListRoots is denied', async () => {
    organizations.on(ListRootsCommand).rejects(new AccessDeniedException({ message: "You don't have permissions to access this resource.", $metadata: {} }));

    const found = await organizationChecks(client, rules);

    expect(lineOf(found.checks, 'SCPs enabled on the root')?.detail).toBe('access denied: the caller lacks organizations:ListRoots');
  });
});

import { DescribeOrganizationCommand, ListRootsCommand, type OrganizationsClient, type Root } from '@aws-sdk/client-organizations';
import { policyTypePlural } from '../../functions/shared/notifications/kind-words';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { PolicyType } from '../../functions/shared/vocabulary';
import { callFailed, Permission } from './aws-calls';
import { CheckGroup, checksOf, type Check } from './check';

const check = checksOf(CheckGroup.ORGANIZATION);

/** What the organization checks found, for the checks after them. */
export interface OrganizationFound {
  checks: Check[];
  /** The organization could be read, and is in use: the rules can be checked against it. */
  readable: boolean;
  /** The roots, as ListRoots answered (with the policy types' status). */
  roots: Root[];
}

export const NAMES = {
  IN_USE: 'organization in use',
  ALL_FEATURES: 'all features enabled',
  /** "SCPs enabled on the root", one check per protected type. */
  typeEnabled: (type: string) => `${policyTypePlural(type)} enabled on the root`,
} as const;

async function allRoots(organizations: OrganizationsClient): Promise<Root[]> {
  const roots: Root[] = [];
  let token: string | undefined;
  do {
    const page = await organizations.send(new ListRootsCommand({ NextToken: token }));
    roots.push(...(page.Roots ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return roots;
}

/** The seed's audit reads SCPs whatever the rules protect: SERVICE_CONTROL_POLICY first, then the other protected types. */
const typesToCheck = (rules: Pick<ProtectionRules, 'policyTypes'>): string[] => [...new Set<string>([PolicyType.SERVICE_CONTROL_POLICY, ...rules.policyTypes])];

/**
 * The seed's audit (`callerAccount`: the account doctor runs in, from STS): the caller's account is in an organization (AWSOrganizationsNotInUseException
 * otherwise), with all features (consolidated billing alone has no SCPs), and SCPs and every protected
 * policy type are enabled on the root (DescribeOrganization, ListRoots).
 */
export async function organizationChecks(organizations: OrganizationsClient, rules: Pick<ProtectionRules, 'policyTypes'>, callerAccount?: string): Promise<OrganizationFound> {
  const checks: Check[] = [];
  const types = typesToCheck(rules);
  const typeChecksSkipped = (why: string) => types.map((type) => check.skip(NAMES.typeEnabled(type), why));
  let organization;
  try {
    organization = (await organizations.send(new DescribeOrganizationCommand({}))).Organization;
  } catch (error) {
    if ((error as Error).name === 'AWSOrganizationsNotInUseException') {
      checks.push(
        check.fail(
          NAMES.IN_USE,
          'this account is not a member of an organization (AWSOrganizationsNotInUseException)',
          'run doctor with the management account\'s credentials; or create the organization: aws organizations create-organization --feature-set ALL',
        ),
      );
    } else checks.push(callFailed(check, NAMES.IN_USE, error, Permission.DESCRIBE_ORGANIZATION));
    checks.push(check.skip(NAMES.ALL_FEATURES, 'the organization could not be read'), ...typeChecksSkipped('the organization could not be read'));
    return { checks, readable: false, roots: [] };
  }
  const management = organization?.MasterAccountId;
  // EventBridge receives the CloudTrail events of calls made in its own account: a stack in a
  // member account (a delegated administrator) would never see the management account's calls.
  if (callerAccount !== undefined && management !== undefined && callerAccount !== management) {
    checks.push(
      check.warn(
        NAMES.IN_USE,
        `${organization?.Id ?? '(no id)'}, management account ${management}; doctor runs in member account ${callerAccount}, where a stack would not see the calls made in the management account`,
        `deploy to and run doctor in the management account ${management} (docs/deploy.md, "Prerequisites")`,
      ),
    );
  } else checks.push(check.ok(NAMES.IN_USE, `${organization?.Id ?? '(no id)'}, management account ${management ?? '(unknown)'}`));
  if (organization?.FeatureSet === 'ALL') checks.push(check.ok(NAMES.ALL_FEATURES, 'feature set ALL'));
  else {
    checks.push(
      check.fail(
        NAMES.ALL_FEATURES,
        `feature set ${organization?.FeatureSet ?? '(none)'}: policies need all features`,
        'enable all features (aws organizations enable-all-features; every member account must approve)',
      ),
    );
  }

  let roots: Root[];
  try {
    roots = await allRoots(organizations);
  } catch (error) {
    checks.push(...types.map((type) => callFailed(check, NAMES.typeEnabled(type), error, Permission.LIST_ROOTS)));
    return { checks, readable: true, roots: [] };
  }
  for (const type of types) {
    const states = roots.map((root) => ({ root, status: root.PolicyTypes?.find((entry) => entry.Type === type)?.Status }));
    const notEnabled = states.filter((state) => state.status !== 'ENABLED');
    if (roots.length > 0 && notEnabled.length === 0) {
      checks.push(check.ok(NAMES.typeEnabled(type), roots.map((root) => root.Id).join(', ')));
      continue;
    }
    if (roots.length === 0) {
      checks.push(check.fail(NAMES.typeEnabled(type), 'ListRoots answered no root', 'run doctor with the management account\'s credentials'));
      continue;
    }
    const pending = notEnabled.every((state) => state.status === 'PENDING_ENABLE');
    const detail = notEnabled.map((state) => `${state.root.Id}: ${type} ${state.status === undefined ? 'not enabled' : state.status}`).join('; ');
    const rootId = notEnabled[0].root.Id ?? 'ROOT_ID';
    if (pending) checks.push(check.warn(NAMES.typeEnabled(type), detail, 'wait a minute and run doctor again: Organizations is enabling it'));
    else checks.push(check.fail(NAMES.typeEnabled(type), `${detail}: no ${policyTypePlural(type)} apply anywhere`, `aws organizations enable-policy-type --root-id ${rootId} --policy-type ${type}`));
  }
  return { checks, readable: true, roots };
}

import { parseProtectionRules } from '../../../config/load';
import type { OrganizationFile } from '../../../local/stand-ins/organizations/organization-file';
import { parseOrganization } from '../../../local/stand-ins/organizations/organization-file';

/**
 * An organization of 51 accounts (the management account and 50 members) in 10 OUs, with
 * protected and unprotected SCPs mixed, and one allow-list OU that FullAWSAccess was detached
 * from (the allow-list SCP's own setup step): the DisablePolicyType case of issue 12.
 */
export const Big = {
  root: 'r-big1',
  allowListOu: 'ou-big1-00000010',
  fullAccess: 'p-FullAWSAccess',
  denyLeave: 'p-denyleave0',
  guardrail: 'p-guardrail0',
  allowList: 'p-allowlist0',
  accountGuard: 'p-acctguard0',
  unprotected: ['p-unprot0001', 'p-unprot0002'],
} as const;

const ou = (n: number) => `ou-big1-${String(n).padStart(8, '0')}`;
const account = (n: number) => `1000000000${String(n).padStart(2, '0')}`;
const document = (effect: string, action: string) => ({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: action, Resource: '*' }] });

const ous = Array.from({ length: 10 }, (_, i) => ou(i + 1));
const members = Array.from({ length: 50 }, (_, i) => account(i + 1));
const range = (from: number, to: number) => members.slice(from - 1, to);

/** Every protected (policy, target) pair attached before the disable. */
export const protectedPairs: [string, string][] = [
  [Big.denyLeave, Big.root],
  ...ous.slice(0, 5).map((id): [string, string] => [Big.guardrail, id]),
  [Big.allowList, Big.allowListOu],
  ...range(1, 20).map((id): [string, string] => [Big.accountGuard, id]),
];

/** Unprotected attachments: not desired, so a re-enable does not bring them back. */
export const unprotectedPairs: [string, string][] = [
  ...ous.slice(5, 9).map((id): [string, string] => [Big.unprotected[0], id]),
  ...range(21, 35).map((id): [string, string] => [Big.unprotected[0], id]),
  ...range(36, 50).map((id): [string, string] => [Big.unprotected[1], id]),
];

export function bigOrganization(): OrganizationFile {
  const targetsOf = (policyId: string, pairs: [string, string][]) => pairs.filter(([p]) => p === policyId).map(([, t]) => t);
  const all = [...protectedPairs, ...unprotectedPairs];
  return parseOrganization({
    rootId: Big.root,
    organizationId: 'o-big1000000',
    managementAccountId: '100000000000',
    policyTypes: ['SERVICE_CONTROL_POLICY'],
    organizationalUnits: ous.map((id, i) => ({ id, name: i === 9 ? 'Regulated' : `Unit${i + 1}`, parentId: Big.root })),
    accounts: [{ id: '100000000000', name: 'management', parentId: Big.root }, ...members.map((id, i) => ({ id, name: `member-${i + 1}`, parentId: ous[i % 10] }))],
    policies: [
      {
        id: Big.fullAccess,
        name: 'FullAWSAccess',
        type: 'SERVICE_CONTROL_POLICY',
        awsManaged: true,
        content: document('Allow', '*'),
        // Everywhere but the allow-list OU.
        targets: [Big.root, ...ous.filter((id) => id !== Big.allowListOu), '100000000000', ...members],
      },
      { id: Big.denyLeave, name: 'DenyLeave', type: 'SERVICE_CONTROL_POLICY', content: document('Deny', 'organizations:LeaveOrganization'), targets: targetsOf(Big.denyLeave, all) },
      { id: Big.guardrail, name: 'Guardrail', type: 'SERVICE_CONTROL_POLICY', content: document('Deny', 'cloudtrail:StopLogging'), targets: targetsOf(Big.guardrail, all) },
      { id: Big.allowList, name: 'AllowList', type: 'SERVICE_CONTROL_POLICY', content: document('Allow', 's3:*'), targets: targetsOf(Big.allowList, all) },
      { id: Big.accountGuard, name: 'AccountGuard', type: 'SERVICE_CONTROL_POLICY', content: document('Deny', 'iam:CreateUser'), targets: targetsOf(Big.accountGuard, all) },
      { id: Big.unprotected[0], name: 'Unprotected1', type: 'SERVICE_CONTROL_POLICY', content: document('Deny', 'ec2:*'), targets: targetsOf(Big.unprotected[0], all) },
      { id: Big.unprotected[1], name: 'Unprotected2', type: 'SERVICE_CONTROL_POLICY', content: document('Deny', 'rds:*'), targets: targetsOf(Big.unprotected[1], all) },
    ],
  });
}

/** The rules of the big organization: two "*" policies, one with explicit OUs, the allow-list OU's policies, FullAWSAccess forbidden there. */
export const bigRules = (overrides: Record<string, unknown> = {}) =>
  parseProtectionRules({
    protect: [
      { policyId: Big.denyLeave, targets: '*', mode: 'auto' },
      { policyId: Big.accountGuard, targets: '*', mode: 'auto' },
      { policyId: Big.guardrail, targets: ous.slice(0, 5), mode: 'auto' },
      { targetId: Big.allowListOu, policies: [Big.allowList], mode: 'auto' },
    ],
    forbid: [{ policyId: Big.fullAccess, targets: [Big.allowListOu], mode: 'auto', description: 'Regulated runs an allow-list SCP' }],
    policyTypeDisabled: { mode: 'auto' },
    ...overrides,
  });

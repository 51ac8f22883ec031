import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  type OrganizationsClient,
  type Root,
} from '@aws-sdk/client-organizations';
import { targetKindOf } from '../../functions/shared/rules/id-formats';
import { isTargetRule } from '../../functions/shared/rules/rule-kind';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { callFailed, Permission } from './aws-calls';
import { CheckGroup, checksOf, type Check } from './check';

const check = checksOf(CheckGroup.RULES);

export const NAMES = {
  POLICIES: 'policies exist, of a protected type',
  TARGETS: 'targets exist',
  policy: (policyId: string) => `policy ${policyId}`,
  target: (targetId: string) => `target ${targetId}`,
} as const;

/** Every id the rules name, with the first place that names it (`protect[1]`, `forbid[0]`, `canary`). */
export function namedIds(rules: ProtectionRules): { policies: Map<string, string>; targets: Map<string, string> } {
  const policies = new Map<string, string>();
  const targets = new Map<string, string>();
  const add = (map: Map<string, string>, id: string, where: string) => {
    if (!map.has(id)) map.set(id, where);
  };
  rules.protect.forEach((rule, index) => {
    const where = `protect[${index}]`;
    if (isTargetRule(rule)) {
      add(targets, rule.targetId, where);
      if (rule.policies !== '*') rule.policies.forEach((id) => add(policies, id, where));
    } else {
      add(policies, rule.policyId, where);
      if (rule.targets !== '*') rule.targets.forEach((id) => add(targets, id, where));
    }
  });
  rules.forbid.forEach((rule, index) => {
    add(policies, rule.policyId, `forbid[${index}]`);
    rule.targets.forEach((id) => add(targets, id, `forbid[${index}]`));
  });
  if (rules.canary !== undefined) {
    add(policies, rules.canary.policyId, 'canary');
    add(targets, rules.canary.targetId, 'canary');
  }
  return { policies, targets };
}

/** What the rules checks found missing: the desired-state checks do not repeat it. */
export interface RulesFound {
  checks: Check[];
  /** Only ids with a printed line of their own ("policy p-…", "target ou-…"). */
  missing: Set<string>;
}

async function policyChecks(organizations: OrganizationsClient, rules: ProtectionRules, policies: Map<string, string>, missing: Set<string>): Promise<Check[]> {
  const problems: Check[] = [];
  const types = new Set<string>();
  for (const [policyId, where] of policies) {
    let type: string | undefined;
    try {
      type = (await organizations.send(new DescribePolicyCommand({ PolicyId: policyId }))).Policy?.PolicySummary?.Type;
    } catch (error) {
      if ((error as Error).name !== 'PolicyNotFoundException') {
        // What was found so far stays printed (its ids are in `missing`), and the rest is unknown.
        problems.push(callFailed(check, NAMES.POLICIES, error, Permission.DESCRIBE_POLICY));
        return problems;
      }
      missing.add(policyId);
      problems.push(check.fail(NAMES.policy(policyId), `${where} names it: no such policy in the organization (PolicyNotFoundException)`, `create it, or correct the id in ${where}`));
      continue;
    }
    if (type === undefined || !rules.policyTypes.includes(type as never)) {
      problems.push(
        check.fail(
          NAMES.policy(policyId),
          `${where} names it: a ${type ?? 'policy of no type'}, not of the protected types (${rules.policyTypes.join(', ')}): the guard ignores it`,
          `add ${type ?? 'its type'} to "policyTypes", or remove it from ${where}`,
        ),
      );
    } else types.add(type);
  }
  if (problems.length > 0) return problems;
  if (policies.size === 0) return [check.ok(NAMES.POLICIES, 'the rules name no policy ("policies": "*" rules only)')];
  return [check.ok(NAMES.POLICIES, `${policies.size} ${policies.size === 1 ? 'policy' : 'policies'} named by the rules, each a ${[...types].sort().join(' or ')}`)];
}

async function targetExists(organizations: OrganizationsClient, targetId: string, roots: readonly Root[]): Promise<boolean> {
  const kind = targetKindOf(targetId);
  try {
    if (kind === 'ROOT') return roots.some((root) => root.Id === targetId);
    if (kind === 'ORGANIZATIONAL_UNIT') await organizations.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: targetId }));
    else await organizations.send(new DescribeAccountCommand({ AccountId: targetId }));
    return true;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'OrganizationalUnitNotFoundException' || name === 'AccountNotFoundException' || name === 'TargetNotFoundException') return false;
    throw error;
  }
}

async function targetChecks(organizations: OrganizationsClient, targets: Map<string, string>, roots: readonly Root[], missing: Set<string>): Promise<Check[]> {
  const problems: Check[] = [];
  for (const [targetId, where] of targets) {
    let exists: boolean;
    try {
      exists = await targetExists(organizations, targetId, roots);
    } catch (error) {
      problems.push(callFailed(check, NAMES.TARGETS, error, targetKindOf(targetId) === 'ACCOUNT' ? Permission.DESCRIBE_ACCOUNT : Permission.DESCRIBE_OU));
      return problems;
    }
    if (exists) continue;
    missing.add(targetId);
    const kind = targetKindOf(targetId);
    const what = kind === 'ROOT' ? `not the organization's root (${roots.map((root) => root.Id).join(', ') || 'none read'})` : `no such ${kind === 'ACCOUNT' ? 'account' : 'OU'} in the organization`;
    problems.push(check.fail(NAMES.target(targetId), `${where} names it: ${what}`, `correct the id in ${where}, or remove it`));
  }
  if (problems.length > 0) return problems;
  if (targets.size === 0) return [check.ok(NAMES.TARGETS, 'the rules name no target ("targets": "*" rules only)')];
  return [check.ok(NAMES.TARGETS, `${targets.size} ${targets.size === 1 ? 'target' : 'targets'} named by the rules (roots, OUs, accounts)`)];
}

/**
 * The rules against the organization: every policy they name exists and is of a protected type
 * (DescribePolicy), every target they name exists (ListRoots' roots, DescribeOrganizationalUnit,
 * DescribeAccount). One line for all when all is well; one line per problem otherwise.
 */
export async function rulesChecks(organizations: OrganizationsClient, rules: ProtectionRules, roots: readonly Root[]): Promise<RulesFound> {
  const { policies, targets } = namedIds(rules);
  const missing = new Set<string>();
  const checks = [...(await policyChecks(organizations, rules, policies, missing)), ...(await targetChecks(organizations, targets, roots, missing))];
  return { checks, missing };
}

/** When the organization could not be read. */
export const rulesSkipped = (why: string): Check[] => [check.skip(NAMES.POLICIES, why), check.skip(NAMES.TARGETS, why)];

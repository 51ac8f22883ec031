import { parseProtectionRules } from '../../config/load';
import { findProtectionRule } from '../../functions/shared/rules/match';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { PolicyType } from '../../functions/shared/vocabulary';
import { mulberry32 } from '../../local/stand-ins/organizations/fault-injector';
import { parseOrganization, type OrganizationFile } from '../../local/stand-ins/organizations/organization-file';

/**
 * The organization `bench:sweep` sweeps: an OU tree up to three deep under one root, accounts
 * spread unevenly over it (a few OUs hold more than one page of ListChildren), protected SCPs
 * attached at the root, on OUs and on accounts, FullAWSAccess on every target as AWS puts it
 * there, a few unprotected SCPs, and rules of every shape, so that each read of the sweep
 * (ListTargetsForPolicy, ListPoliciesForTarget, DescribePolicy of named and of discovered
 * policies, the ListChildren walk) has work to do. The same size and seed give the same file.
 */

export const ROOT_ID = 'r-sw33';
export const MANAGEMENT_ACCOUNT = '111122223333';
export const FULL_AWS_ACCESS = 'p-FullAWSAccess';
/** AWS's quota of SCPs attached directly to one root, OU or account. */
export const MAX_SCPS_PER_TARGET = 5;
/** The OU tree's depth under the root. */
export const MAX_DEPTH = 3;

/** How a protected policy is covered by the rules. */
export const RuleShape = {
  /** `{"policyId", "targets": "*"}` */
  POLICY_EVERYWHERE: 'policy-everywhere',
  /** `{"policyId", "targets": [...]}` */
  POLICY_LISTED: 'policy-listed',
  /** `{"targetId", "policies": [...]}` */
  TARGET_LISTED: 'target-listed',
  /** `{"targetId", "policies": "*"}`, and no rule naming the policy: the sweep finds it on the target. */
  TARGET_EVERY_POLICY: 'target-every-policy',
} as const;
export type RuleShape = (typeof RuleShape)[keyof typeof RuleShape];

const Placement = { ROOT: 'root', TOP_OUS: 'top-ous', DEEP_OUS: 'deep-ous', ACCOUNTS: 'accounts', WILDCARD_TARGETS: 'wildcard-targets' } as const;
type Placement = (typeof Placement)[keyof typeof Placement];

/** Where the i-th protected policy is attached and how it is covered, in a cycle of ten. */
const CYCLE: readonly { at: Placement; shape: RuleShape }[] = [
  { at: Placement.ROOT, shape: RuleShape.POLICY_EVERYWHERE },
  { at: Placement.ACCOUNTS, shape: RuleShape.POLICY_EVERYWHERE },
  { at: Placement.TOP_OUS, shape: RuleShape.POLICY_EVERYWHERE },
  { at: Placement.DEEP_OUS, shape: RuleShape.POLICY_EVERYWHERE },
  { at: Placement.ACCOUNTS, shape: RuleShape.POLICY_LISTED },
  { at: Placement.TOP_OUS, shape: RuleShape.POLICY_LISTED },
  { at: Placement.ACCOUNTS, shape: RuleShape.POLICY_EVERYWHERE },
  { at: Placement.DEEP_OUS, shape: RuleShape.TARGET_LISTED },
  { at: Placement.WILDCARD_TARGETS, shape: RuleShape.TARGET_EVERY_POLICY },
  { at: Placement.ACCOUNTS, shape: RuleShape.POLICY_EVERYWHERE },
];

/** AWS's recommended top-level OUs, then generic ones. */
const TOP_OU_NAMES = ['Security', 'Infrastructure', 'Workloads', 'Sandbox', 'Deployments', 'Policy Staging', 'Suspended', 'Exceptions', 'Transitional', 'Individual Business Users'];
const SECOND_OU_NAMES = ['Prod', 'NonProd', 'Dev', 'Test', 'Shared'];
const GUARDRAILS: readonly { name: string; actions: string[] }[] = [
  { name: 'DenyLeaveOrganization', actions: ['organizations:LeaveOrganization'] },
  { name: 'ProtectCloudTrail', actions: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail'] },
  { name: 'ProtectGuardDuty', actions: ['guardduty:DeleteDetector', 'guardduty:DisassociateFromMasterAccount'] },
  { name: 'ProtectConfig', actions: ['config:StopConfigurationRecorder', 'config:DeleteConfigurationRecorder'] },
  { name: 'DenyRootUser', actions: ['*'] },
  { name: 'DenyIamUsers', actions: ['iam:CreateUser', 'iam:CreateAccessKey'] },
  { name: 'ProtectSecurityHub', actions: ['securityhub:DisableSecurityHub'] },
  { name: 'DenyS3PublicAccessChanges', actions: ['s3:PutAccountPublicAccessBlock'] },
  { name: 'ProtectKmsKeys', actions: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'] },
  { name: 'ProtectNetworking', actions: ['ec2:DeleteVpc', 'ec2:CreateInternetGateway'] },
];

export interface SweepOrganizationSize {
  /** Accounts in all, the management account included. */
  accounts: number;
  ous: number;
  /** Protected SCPs (FullAWSAccess and the unprotected ones come on top). */
  policies: number;
}

/** An attachment a rule covers, with the shape of the rule that covers its policy. */
export interface CoveredPair {
  policyId: string;
  targetId: string;
  shape: RuleShape;
}

export interface SweepScenario {
  organization: OrganizationFile;
  rules: ProtectionRules;
  /** The protected SCPs, with the shape of rule that covers each. */
  protectedPolicies: { id: string; shape: RuleShape }[];
  unprotectedPolicies: string[];
  /** Every attachment some rule covers: what a first sweep records as desired. */
  coveredPairs: CoveredPair[];
  /** OUs by depth (1 = under the root). */
  ousByDepth: number[];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const ouId = (index: number) => `ou-${ROOT_ID.slice(2)}-${pad(index, 8)}`;
const memberId = (index: number) => String(300_000_000_000 + index);
const policyId = (index: number) => `p-guard${pad(index, 5)}`;
const unprotectedId = (index: number) => `p-other${pad(index, 5)}`;

function shuffled<T>(values: readonly T[], random: () => number): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** A weighted draw: index i with probability weights[i] / sum. */
function weightedPicker(weights: readonly number[], random: () => number): () => number {
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  const edges = weights.map((w) => (sum += w / total));
  return () => {
    const r = random();
    const index = edges.findIndex((edge) => r <= edge);
    return index < 0 ? weights.length - 1 : index;
  };
}

function checkSize(size: SweepOrganizationSize): void {
  const problems = [
    !Number.isInteger(size.accounts) || size.accounts < 2 ? 'accounts must be an integer of at least 2 (the management account and a member)' : '',
    !Number.isInteger(size.ous) || size.ous < 0 ? 'ous must be a whole number' : '',
    !Number.isInteger(size.policies) || size.policies < 1 || size.policies > 99_999 ? 'policies must be an integer from 1 to 99999' : '',
  ].filter((p) => p !== '');
  if (problems.length > 0) throw new Error(`sweep organization: ${problems.join('; ')}`);
}

/** Generates the organization, its rules and what a first sweep should record. */
export function sweepScenario(size: SweepOrganizationSize, seed: number): SweepScenario {
  checkSize(size);
  const random = mulberry32(seed);

  // The OU tree: about 5% of the OUs under the root, 30% one level down, the rest at depth 3.
  const depthCounts = [Math.min(size.ous, Math.max(1, Math.round(size.ous / 20)))];
  depthCounts.push(Math.min(size.ous - depthCounts[0], Math.round(size.ous * 0.3)));
  depthCounts.push(size.ous - depthCounts[0] - depthCounts[1]);
  const ous: { id: string; name: string; parentId: string; depth: number }[] = [];
  const byDepth: string[][] = [[ROOT_ID]];
  depthCounts.forEach((count, level) => {
    const parents = byDepth[level];
    const here: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = ouId(ous.length);
      const parentId = level === 0 ? ROOT_ID : parents[Math.floor(random() * parents.length)];
      const parentName = ous.find((ou) => ou.id === parentId)?.name;
      const name = level === 0 ? (TOP_OU_NAMES[i] ?? `Top${i}`) : level === 1 ? `${parentName}-${SECOND_OU_NAMES[i % SECOND_OU_NAMES.length]}${i}` : `team-${pad(i, 4)}`;
      ous.push({ id, name, parentId, depth: level + 1 });
      here.push(id);
    }
    byDepth.push(here);
  });
  const hasChildOu = new Set(ous.map((ou) => ou.parentId));
  const topOus = byDepth[1];
  const deepOus = [...byDepth[2], ...byDepth[3]];

  // Accounts: the management account and about 1% of the members under the root; the others in
  // OUs, unevenly (a few OUs hold dozens, most a handful), leaves three times as likely.
  const members = size.accounts - 1;
  const wildcardAccounts = Math.min(3, members);
  const atRoot = Math.max(0, Math.round(members * 0.01));
  const ouOrder = shuffled(ous, random);
  const pickOu = weightedPicker(ouOrder.map((ou, rank) => (hasChildOu.has(ou.id) ? 1 : 3) / (rank + 1) ** 0.8), random);
  const accounts = [{ id: MANAGEMENT_ACCOUNT, name: 'org-management', parentId: ROOT_ID }];
  for (let i = 0; i < members; i++) {
    // The security tooling, log archive and audit accounts live in the first top-level OU.
    const parentId = ous.length === 0 ? ROOT_ID : i < wildcardAccounts ? topOus[0] : i < wildcardAccounts + atRoot ? ROOT_ID : ouOrder[pickOu()].id;
    const name = i < wildcardAccounts ? ['security-tooling', 'log-archive', 'audit'][i] : `workload-${pad(i, 5)}`;
    accounts.push({ id: memberId(i), name, parentId });
  }
  const memberIds = accounts.slice(1).map((account) => account.id);

  // Targets of the `"policies": "*"` rules: the root, the first top-level OU, its three accounts.
  const wildcardTargets = [ROOT_ID, ...(topOus.length > 0 ? [topOus[0]] : []), ...memberIds.slice(0, wildcardAccounts)];

  const attached = new Map<string, number>();
  const allTargets = [ROOT_ID, ...ous.map((ou) => ou.id), ...accounts.map((account) => account.id)];
  for (const target of allTargets) attached.set(target, 1); // FullAWSAccess
  const hasRoom = (target: string) => (attached.get(target) ?? 0) < MAX_SCPS_PER_TARGET;
  const attach = (candidates: readonly string[], count: number): string[] => {
    const chosen = shuffled(candidates.filter(hasRoom), random).slice(0, Math.max(0, count));
    for (const target of chosen) attached.set(target, (attached.get(target) ?? 0) + 1);
    return chosen.sort();
  };
  const fraction = (candidates: readonly string[], low: number, high: number) => Math.max(1, Math.round(candidates.length * (low + (high - low) * random())));

  const protectedPolicies: SweepScenario['protectedPolicies'] = [];
  const policyFiles: OrganizationFile['policies'] = [];
  const content = (actions: string[], sid: string) => ({ Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Deny', Action: actions, Resource: '*' }] });
  // Every rule in auto mode: the mode changes nothing the sweep reads, and an approval rule's
  // drift execution would wait on a person before the bench could see it restored.
  const protect: Record<string, unknown>[] = [];
  const targetListed = new Map<string, string[]>();
  for (let i = 0; i < size.policies; i++) {
    const { at, shape } = CYCLE[i % CYCLE.length];
    const id = policyId(i);
    const guardrail = GUARDRAILS[i % GUARDRAILS.length];
    const pool = at === Placement.ROOT ? [ROOT_ID] : at === Placement.TOP_OUS ? topOus : at === Placement.DEEP_OUS ? deepOus : at === Placement.WILDCARD_TARGETS ? wildcardTargets : memberIds;
    const count =
      at === Placement.ROOT || at === Placement.WILDCARD_TARGETS ? pool.length
      : at === Placement.TOP_OUS ? fraction(pool, 0.3, 0.8)
      : at === Placement.DEEP_OUS ? fraction(pool, 0.05, 0.2)
      : shape === RuleShape.POLICY_LISTED ? 3 + Math.floor(random() * 8)
      : fraction(pool, 0.05, 0.4);
    // A full pool (the root, a small organization) falls back to accounts, as a real admin would.
    let targets = attach(pool, count);
    if (targets.length === 0) targets = attach(memberIds, Math.min(count, 10));
    policyFiles.push({ id, name: `${guardrail.name}-${pad(i, 3)}`, type: PolicyType.SERVICE_CONTROL_POLICY, content: content(guardrail.actions, `Guard${i}`), targets });
    protectedPolicies.push({ id, shape });
    if (shape === RuleShape.POLICY_EVERYWHERE) protect.push({ policyId: id, targets: '*', mode: 'auto' });
    if (shape === RuleShape.POLICY_LISTED) protect.push({ policyId: id, targets, mode: 'auto' });
    if (shape === RuleShape.TARGET_LISTED) for (const target of targets.slice(0, 3)) targetListed.set(target, [...(targetListed.get(target) ?? []), id]);
  }
  for (const [targetId, policies] of [...targetListed].sort(([a], [b]) => a.localeCompare(b))) protect.push({ targetId, policies, mode: 'auto' });
  for (const targetId of wildcardTargets) protect.push({ targetId, policies: '*', mode: 'auto' });

  // A few SCPs no rule covers, away from the `"policies": "*"` targets.
  const unprotectedPolicies: string[] = [];
  const elsewhere = [...deepOus, ...memberIds].filter((target) => !wildcardTargets.includes(target));
  for (let i = 0; i < Math.max(1, Math.round(size.policies * 0.15)); i++) {
    const id = unprotectedId(i);
    policyFiles.push({ id, name: `Team-Experiment-${pad(i, 3)}`, type: PolicyType.SERVICE_CONTROL_POLICY, content: content(['ec2:RunInstances'], `Other${i}`), targets: attach(elsewhere, fraction(elsewhere, 0.01, 0.05)) });
    unprotectedPolicies.push(id);
  }

  const organization = parseOrganization(
    {
      rootId: ROOT_ID,
      managementAccountId: MANAGEMENT_ACCOUNT,
      organizationalUnits: ous.map(({ id, name, parentId }) => ({ id, name, parentId })),
      accounts,
      policies: [
        {
          id: FULL_AWS_ACCESS,
          name: 'FullAWSAccess',
          type: PolicyType.SERVICE_CONTROL_POLICY,
          awsManaged: true,
          description: 'Allows access to every operation',
          content: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          targets: allTargets,
        },
        ...policyFiles,
      ],
    },
    'sweep bench organization',
  );
  const rules = parseProtectionRules({ protect }, 'sweep bench rules');

  const shapeOf = new Map(protectedPolicies.map((policy) => [policy.id, policy.shape]));
  const coveredPairs = organization.policies.flatMap((policy) =>
    policy.targets
      .filter((targetId) => findProtectionRule(rules, policy.id, targetId) !== undefined)
      .map((targetId) => ({ policyId: policy.id, targetId, shape: shapeOf.get(policy.id) ?? RuleShape.TARGET_EVERY_POLICY })),
  );
  return { organization, rules, protectedPolicies, unprotectedPolicies, coveredPairs, ousByDepth: depthCounts };
}

/**
 * Covered pairs to detach silently for the drift sweep: one rule shape after another, the root
 * first, never FullAWSAccess (every target keeps it, so each detachment is allowed).
 */
export function silentDetachments(scenario: SweepScenario, count: number, seed: number): CoveredPair[] {
  const random = mulberry32(seed ^ 0x5eed);
  const candidates = scenario.coveredPairs.filter((pair) => pair.policyId !== FULL_AWS_ACCESS);
  const groups = [
    candidates.filter((pair) => pair.targetId === ROOT_ID),
    ...Object.values(RuleShape).map((shape) => shuffled(candidates.filter((pair) => pair.shape === shape && pair.targetId !== ROOT_ID), random)),
  ].filter((group) => group.length > 0);
  const chosen: CoveredPair[] = [];
  for (let round = 0; chosen.length < count && groups.some((group) => group.length > round); round++) {
    for (const group of groups) if (chosen.length < count && group[round] !== undefined) chosen.push(group[round]);
  }
  return chosen;
}

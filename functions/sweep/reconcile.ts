import { isCanaryPair } from '../shared/canary';
import { DesiredReason, isDesired, pairKey, type ContentEntry, type PairEntry, type ParentEntry, type RootTypesEntry } from '../shared/desired/desired-state';
import { findProtectionRule } from '../shared/rules/match';
import { isTargetRule } from '../shared/rules/rule-kind';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import type { DriftDetail } from '../shared/drift';
import type { PolicySeen, RootSeen } from './read-organization';
import type { DeclaredNotAttached, SweepChange } from './result';

/**
 * The sweep's comparison of the organization with the desired state and the rules, without any
 * I/O (contract: docs/contracts.md, "Desired state"): which entries to append, which desired
 * pairs are missing, which declared pairs were never seen attached.
 */

/** The desired state as the sweep read it: the latest entry per subject. */
export interface DesiredView {
  pairs: Map<string, PairEntry>;
  contents: Map<string, ContentEntry>;
  parents: Map<string, ParentEntry>;
  roots: Map<string, RootTypesEntry>;
}

/** What the sweep read of the organization's attachments. */
export interface Attachments {
  /** Policy → every target it is attached to, for the policies listed with ListTargetsForPolicy. */
  targetsOf: Map<string, Set<string>>;
  /** Target → policy → type, for the targets of `"policies": "*"` rules (ListPoliciesForTarget). */
  policiesOn: Map<string, Map<string, string>>;
  /** Every policy described (DescribePolicy). */
  policies: Map<string, PolicySeen>;
  /** Policies that do not exist (PolicyNotFoundException). */
  missingPolicies: Set<string>;
  /** Targets of `"*"` rules that do not exist (TargetNotFoundException). */
  missingTargets: Set<string>;
}

/** A desired pair that is not attached. */
export interface MissingPair {
  policyId: string;
  targetId: string;
  lastDesiredAt: string;
  overrideExpired?: DriftDetail['overrideExpired'];
}

/** What the organization must be read for, before anything is compared. */
export interface ReadPlan {
  /** Policies a rule (or the canary) names: DescribePolicy and ListTargetsForPolicy. */
  namedPolicies: string[];
  /** Targets of `{"targetId", "policies": "*"}` rules: ListPoliciesForTarget for each protected type. */
  wildcardTargets: string[];
  /** Other policies of desired pairs the rules still cover: DescribePolicy, for their type and content. */
  otherPolicies: string[];
}

const ruleCovers = (rules: ProtectionRules, policyId: string, targetId: string) =>
  findProtectionRule(rules, policyId, targetId) !== undefined || isCanaryPair(rules.canary, policyId, targetId);

export function planReads(rules: ProtectionRules, desired: Pick<DesiredView, 'pairs'>): ReadPlan {
  const named = new Set<string>();
  const wildcardTargets = new Set<string>();
  for (const rule of rules.protect) {
    if (!isTargetRule(rule)) named.add(rule.policyId);
    else if (rule.policies === '*') wildcardTargets.add(rule.targetId);
    else rule.policies.forEach((policyId) => named.add(policyId));
  }
  if (rules.canary !== undefined) named.add(rules.canary.policyId);
  const others = new Set<string>();
  for (const entry of desired.pairs.values()) {
    if (!named.has(entry.policyId) && ruleCovers(rules, entry.policyId, entry.targetId)) others.add(entry.policyId);
  }
  return { namedPolicies: [...named].sort(), wildcardTargets: [...wildcardTargets].sort(), otherPolicies: [...others].sort() };
}

export interface PairPlan {
  entries: PairEntry[];
  missing: MissingPair[];
  declaredNotAttached: DeclaredNotAttached[];
  /** The latest entry of every pair once `entries` are appended. */
  after: Map<string, PairEntry>;
  warnings: string[];
  changes: SweepChange[];
}

/** Compares the attachments with the desired pairs and the rules (the bullets of "Desired state"). */
export function reconcilePairs(
  rules: ProtectionRules,
  desired: Pick<DesiredView, 'pairs'>,
  seen: Attachments,
  now: Date,
  startedAt: string,
  options: {
    /** Attached pairs not to record as desired (FullAWSAccess left by a disable and re-enable: kinds.ts, fullAccessLeftovers). */
    holdBack?: (policyId: string, targetId: string) => boolean;
  } = {},
): PairPlan {
  const typeOf = (policyId: string): string | undefined => {
    const described = seen.policies.get(policyId)?.type;
    if (described !== undefined) return described;
    for (const onTarget of seen.policiesOn.values()) if (onTarget.has(policyId)) return onTarget.get(policyId);
    return undefined;
  };
  /** false: no rule covers it (or its type is not protected); undefined: its policy could not be read. */
  const covered = (policyId: string, targetId: string): boolean | undefined => {
    if (!ruleCovers(rules, policyId, targetId)) return false;
    const type = typeOf(policyId);
    return type === undefined ? undefined : rules.policyTypes.includes(type as never);
  };
  /** undefined: neither the policy's targets nor the target's policies were read. */
  const attached = (policyId: string, targetId: string): boolean | undefined =>
    seen.targetsOf.get(policyId)?.has(targetId) ?? seen.policiesOn.get(targetId)?.has(policyId) ?? undefined;

  const plan: PairPlan = { entries: [], missing: [], declaredNotAttached: [], after: new Map(desired.pairs), warnings: [], changes: [] };
  const append = (entry: PairEntry) => {
    plan.entries.push(entry);
    plan.after.set(pairKey(entry.policyId, entry.targetId), entry);
    plan.changes.push({ type: 'pair', policyId: entry.policyId, targetId: entry.targetId, desired: entry.desired, reason: entry.reason });
  };

  // A covered pair seen attached is desired from now on.
  const observed = new Map<string, { policyId: string; targetId: string }>();
  for (const [policyId, targets] of seen.targetsOf) for (const targetId of targets) observed.set(pairKey(policyId, targetId), { policyId, targetId });
  for (const [targetId, policies] of seen.policiesOn) for (const policyId of policies.keys()) observed.set(pairKey(policyId, targetId), { policyId, targetId });
  for (const [key, { policyId, targetId }] of observed) {
    if (covered(policyId, targetId) !== true || isDesired(desired.pairs.get(key), now)) continue;
    if (options.holdBack?.(policyId, targetId) === true) {
      plan.warnings.push(`${policyId} on ${targetId}: attached, but not recorded as desired: it came back with a re-enable of the policy type, and the type's restoration takes it off again`);
      continue;
    }
    append({ policyId, targetId, desired: true, reason: DesiredReason.SEEN_ATTACHED, at: startedAt });
  }

  const gone = new Map<string, number>();
  for (const [key, latest] of desired.pairs) {
    if (plan.after.get(key) !== latest || !isDesired(latest, now)) continue;
    const { policyId, targetId } = latest;
    const cover = covered(policyId, targetId);
    if (cover === false) {
      append({ policyId, targetId, desired: false, reason: DesiredReason.RULES_CHANGE, at: startedAt });
      continue;
    }
    // Organizations said the target does not exist (TargetNotFoundException): nothing can restore it.
    if (seen.missingTargets.has(targetId)) {
      append({ policyId, targetId, desired: false, reason: DesiredReason.TARGET_GONE, at: startedAt });
      plan.warnings.push(`${policyId} on ${targetId}: the target is no longer in the organization; the pair is released (${DesiredReason.TARGET_GONE})`);
      continue;
    }
    if (cover === undefined) {
      gone.set(policyId, (gone.get(policyId) ?? 0) + 1);
      continue;
    }
    // An override that ran out: desired again from its expiry, and told with the drift if missing.
    const expired = !latest.desired && latest.until !== undefined;
    if (expired) append({ policyId, targetId, desired: true, reason: DesiredReason.OVERRIDE_EXPIRED, at: latest.until as string, incidentId: latest.incidentId });
    const isAttached = attached(policyId, targetId);
    if (isAttached === undefined) {
      plan.warnings.push(`${policyId} on ${targetId}: neither the policy's targets nor the target's policies could be read; not compared`);
    } else if (!isAttached) {
      plan.missing.push({
        policyId,
        targetId,
        lastDesiredAt: (plan.after.get(key) as PairEntry).at,
        ...(expired ? { overrideExpired: { by: latest.by, until: latest.until as string, incidentId: latest.incidentId } } : {}),
      });
    }
  }
  for (const [policyId, count] of gone) {
    plan.warnings.push(
      seen.missingPolicies.has(policyId)
        ? `${policyId} no longer exists: ${count} desired attachment(s) of it cannot be restored by the sweep`
        : `${policyId}: its type could not be read; ${count} desired attachment(s) of it not compared`,
    );
  }

  rules.protect.forEach((rule, index) => {
    const pairs = isTargetRule(rule)
      ? rule.policies === '*' ? [] : rule.policies.map((policyId) => ({ policyId, targetId: rule.targetId }))
      : rule.targets === '*' ? [] : rule.targets.map((targetId) => ({ policyId: rule.policyId, targetId }));
    for (const { policyId, targetId } of pairs) {
      const key = pairKey(policyId, targetId);
      if (plan.after.has(key) || attached(policyId, targetId) !== false || covered(policyId, targetId) === false) continue;
      plan.declaredNotAttached.push({ policyId, targetId, rule: index });
    }
    const named = isTargetRule(rule) ? (rule.policies === '*' ? [] : rule.policies) : [rule.policyId];
    for (const policyId of named) if (seen.missingPolicies.has(policyId)) plan.warnings.push(`${policyId} (protect[${index}]) does not exist in the organization`);
    if (isTargetRule(rule) && seen.missingTargets.has(rule.targetId)) plan.warnings.push(`${rule.targetId} (protect[${index}]) does not exist in the organization`);
  });
  plan.warnings = [...new Set(plan.warnings)];
  return plan;
}

/** The pairs desired once the plan's entries are appended. */
export const desiredPairs = (after: Map<string, PairEntry>, now: Date): PairEntry[] => [...after.values()].filter((entry) => isDesired(entry, now));

/** New content entries: each protected policy whose content (hash) is not the last one recorded. */
export function contentEntries(policies: Iterable<PolicySeen>, contents: Map<string, ContentEntry>, at: string): { entries: ContentEntry[]; changes: SweepChange[] } {
  const entries: ContentEntry[] = [];
  const changes: SweepChange[] = [];
  for (const policy of policies) {
    const previous = contents.get(policy.id);
    if (previous?.hash === policy.hash) continue;
    entries.push({ policyId: policy.id, name: policy.name, type: policy.type, content: policy.content, hash: policy.hash, at });
    changes.push({ type: 'content', policyId: policy.id, hash: policy.hash, ...(previous === undefined ? {} : { previousHash: previous.hash }) });
  }
  return { entries, changes };
}

/** New parent entries: each account under a protected attachment whose parent is not the last one recorded. */
export function parentEntries(walked: Map<string, string>, parents: Map<string, ParentEntry>, at: string): { entries: ParentEntry[]; changes: SweepChange[] } {
  const entries: ParentEntry[] = [];
  const changes: SweepChange[] = [];
  for (const [accountId, parentId] of [...walked.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const previous = parents.get(accountId);
    if (previous?.parentId === parentId) continue;
    entries.push({ accountId, parentId, at });
    changes.push({ type: 'parent', accountId, parentId, ...(previous === undefined ? {} : { previousParentId: previous.parentId }) });
  }
  return { entries, changes };
}

/** New root entries: each root whose enabled protected types (or targets without FullAWSAccess) are not the last ones recorded. */
export function rootEntries(
  roots: RootSeen[],
  recorded: Map<string, RootTypesEntry>,
  policyTypes: readonly string[],
  at: string,
  options: {
    /** Types disabled on a root that the desired state keeps enabled (not accepted: see kind-drift.ts). */
    held?: Map<string, Set<string>>;
    /** The targets of desired SCP pairs without FullAWSAccess, per root; undefined keeps the last entry's. */
    withoutFullAwsAccess?: (root: RootSeen, previous: RootTypesEntry | undefined) => string[] | undefined;
  } = {},
): { entries: RootTypesEntry[]; changes: SweepChange[] } {
  const entries: RootTypesEntry[] = [];
  const changes: SweepChange[] = [];
  for (const root of roots) {
    const previous = recorded.get(root.id);
    const held = options.held?.get(root.id) ?? new Set<string>();
    const enabledTypes = [...new Set([...root.enabledTypes.filter((type) => policyTypes.includes(type)), ...held])].sort();
    const without = options.withoutFullAwsAccess?.(root, previous) ?? previous?.withoutFullAwsAccess;
    const sameTypes = previous !== undefined && [...previous.enabledTypes].sort().join() === enabledTypes.join();
    const sameWithout = without === undefined || (previous?.withoutFullAwsAccess ?? []).join() === without.join();
    if (sameTypes && sameWithout) continue;
    entries.push({ rootId: root.id, enabledTypes, ...(without === undefined ? {} : { withoutFullAwsAccess: without }), at });
    changes.push({
      type: 'root-types',
      rootId: root.id,
      enabledTypes,
      ...(previous === undefined ? {} : { previous: previous.enabledTypes }),
      ...(without === undefined ? {} : { withoutFullAwsAccess: without }),
    });
  }
  return { entries, changes };
}

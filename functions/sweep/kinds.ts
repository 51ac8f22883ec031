import type { IncidentRecord } from '../shared/audit/records';
import { isDesired, type ContentEntry, type PairEntry, type ParentEntry, type RootTypesEntry } from '../shared/desired/desired-state';
import type { DriftDetail, DriftOfKind } from '../shared/drift';
import { targetKindOf } from '../shared/rules/id-formats';
import type { ProtectionRules } from '../shared/rules/schema';
import { Kind, PolicyType } from '../shared/vocabulary';
import type { PolicySeen, RootSeen } from './read-organization';

/**
 * The sweep's comparison for every kind of weakening besides a missing pair, without any I/O
 * (contract: docs/contracts.md, "The sweep"): a protected type disabled on a root, an account
 * moved out from under a protected attachment it inherited, a protected policy's content
 * changed or the policy deleted, a forbidden policy attached. Each is a **finding**: one subject,
 * the time the desired state last recorded it as desired, and the kind's own field.
 */

export const FULL_AWS_ACCESS = 'p-FullAWSAccess';

export interface KindFinding {
  driftOf: DriftOfKind;
  /** The subject in words, for warnings: "SERVICE_CONTROL_POLICY on r-ab12". */
  subject: string;
  policyId?: string;
  targetId?: string;
  /** Which incidents are of this subject (filter of the audit trail, then `matches`). */
  lookup: { policyId?: string; targetId?: string };
  matches: (record: IncidentRecord) => boolean;
  /** When the desired state recorded what the organization no longer is ('' when it records nothing: a forbidden pair). */
  recordedAt: string;
  reason: string;
  detail: Pick<DriftDetail, 'disabledType' | 'move' | 'change' | 'forbid' | 'policyName'>;
}

/** The incident's own field of a kind, whether it came from the event (kind) or the sweep (driftOf). */
export const isOfKind = (record: IncidentRecord, kind: DriftOfKind): boolean => record.kind === kind || (record.kind === Kind.DRIFT && record.incident?.driftOf === kind);

/** Each protected type the desired state held enabled on a root and ListRoots says is not. */
export function disabledTypes(roots: readonly RootSeen[], recorded: Map<string, RootTypesEntry>, policyTypes: readonly string[]): KindFinding[] {
  const findings: KindFinding[] = [];
  for (const root of roots) {
    const entry = recorded.get(root.id);
    if (entry === undefined) continue;
    for (const policyType of [...entry.enabledTypes].sort()) {
      if (!policyTypes.includes(policyType) || root.enabledTypes.includes(policyType)) continue;
      findings.push({
        driftOf: Kind.POLICY_TYPE_DISABLED,
        subject: `${policyType} on ${root.id}`,
        targetId: root.id,
        lookup: { targetId: root.id },
        matches: (record) => isOfKind(record, Kind.POLICY_TYPE_DISABLED) && (record.incident?.disabledType?.policyType ?? policyType) === policyType,
        recordedAt: entry.at,
        reason: `${policyType} was enabled on ${root.id} (recorded ${entry.at}) and is not: every policy of the type is detached`,
        detail: { disabledType: { rootId: root.id, policyType } },
      });
    }
  }
  return findings;
}

/** Each protected policy the desired state knows (its content, or a pair of it) that DescribePolicy says does not exist. */
export function deletedPolicies(missing: Iterable<string>, contents: Map<string, ContentEntry>, pairs: Map<string, PairEntry>, now: Date): KindFinding[] {
  const findings: KindFinding[] = [];
  for (const policyId of [...new Set(missing)].sort()) {
    const content = contents.get(policyId);
    const desiredAt = [...pairs.values()].filter((entry) => entry.policyId === policyId && isDesired(entry, now)).map((entry) => entry.at).sort().at(-1);
    const recordedAt = content?.at ?? desiredAt;
    if (recordedAt === undefined) continue;
    findings.push({
      driftOf: Kind.POLICY_DELETED,
      subject: policyId,
      policyId,
      lookup: { policyId },
      matches: (record) => isOfKind(record, Kind.POLICY_DELETED),
      recordedAt,
      reason: `${policyId}${content?.name === undefined ? '' : ` (${content.name})`} is protected (recorded ${recordedAt}) and no longer exists: it cannot return under its id`,
      detail: content?.name === undefined ? {} : { policyName: content.name },
    });
  }
  return findings;
}

/** Each protected policy whose content hash is not the one the desired state holds (only once it holds one). */
export function contentChanges(policies: Iterable<PolicySeen>, contents: Map<string, ContentEntry>): KindFinding[] {
  const findings: KindFinding[] = [];
  for (const policy of [...policies].sort((a, b) => a.id.localeCompare(b.id))) {
    const previous = contents.get(policy.id);
    if (previous === undefined || previous.hash === policy.hash) continue;
    findings.push({
      driftOf: Kind.POLICY_CHANGED,
      subject: policy.id,
      policyId: policy.id,
      lookup: { policyId: policy.id },
      matches: (record) => isOfKind(record, Kind.POLICY_CHANGED),
      recordedAt: previous.at,
      reason: `the content of ${policy.id}${policy.name === undefined ? '' : ` (${policy.name})`} is not the one the guard holds (hash ${previous.hash.slice(0, 12)}…, recorded ${previous.at}) but ${policy.hash.slice(0, 12)}…`,
      detail: { change: { content: policy.content, contentHash: policy.hash, previousHash: previous.hash }, ...(policy.name === undefined ? {} : { policyName: policy.name }) },
    });
  }
  return findings;
}

/** Each forbid rule's policy attached to one of its targets; `attached` is undefined when it could not be read. */
export function forbiddenAttachments(rules: Pick<ProtectionRules, 'forbid'>, attached: (policyId: string, targetId: string) => boolean | undefined): { findings: KindFinding[]; unread: string[] } {
  const findings: KindFinding[] = [];
  const unread: string[] = [];
  rules.forbid.forEach((rule, index) => {
    for (const targetId of rule.targets) {
      const is = attached(rule.policyId, targetId);
      if (is === undefined) unread.push(`${rule.policyId} on ${targetId} (forbid[${index}])`);
      if (is !== true) continue;
      findings.push({
        driftOf: Kind.FORBIDDEN_ATTACHED,
        subject: `${rule.policyId} on ${targetId}`,
        policyId: rule.policyId,
        targetId,
        lookup: { policyId: rule.policyId, targetId },
        matches: (record) => isOfKind(record, Kind.FORBIDDEN_ATTACHED),
        recordedAt: '',
        reason: `${rule.policyId} is attached to ${targetId}, and forbid[${index}] keeps it off${rule.description === undefined ? '' : ` (${rule.description})`}`,
        detail: { forbid: { index, ...(rule.description === undefined ? {} : { description: rule.description }) } },
      });
    }
  });
  return { findings, unread };
}

/** What the walk and ListParents found of the tree, for the moves. */
export interface TreeSeen {
  /** The current parent of each account found. */
  parents: Map<string, string>;
  /** Each walked OU's parent. */
  ouParents: Map<string, string>;
}

/** The parent and its ancestors as far as the walk saw them (past them no desired pair is attached). */
function pathOf(parentId: string, ouParents: Map<string, string>): string[] {
  const path: string[] = [];
  for (let id: string | undefined = parentId; id !== undefined && !path.includes(id); id = ouParents.get(id)) path.push(id);
  return path;
}

/**
 * Each account under another parent than its ParentEntry that no longer inherits a protected
 * policy it inherited there (a desired pair on its old parent or an ancestor, attached to
 * nothing on its new path). An account that moved and lost nothing is only a new parent entry.
 */
export function moves(
  recorded: Map<string, ParentEntry>,
  tree: TreeSeen,
  desired: readonly PairEntry[],
  attachedOn: (targetId: string) => Iterable<string>,
): { findings: KindFinding[]; harmless: string[] } {
  const desiredOn = new Map<string, Set<string>>();
  for (const entry of desired) desiredOn.set(entry.targetId, (desiredOn.get(entry.targetId) ?? new Set()).add(entry.policyId));
  const findings: KindFinding[] = [];
  const harmless: string[] = [];
  for (const [accountId, entry] of [...recorded.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const current = tree.parents.get(accountId);
    if (current === undefined || current === entry.parentId) continue;
    const inherited = new Set(pathOf(entry.parentId, tree.ouParents).flatMap((id) => [...(desiredOn.get(id) ?? [])]));
    const still = new Set(pathOf(current, tree.ouParents).flatMap((id) => [...(desiredOn.get(id) ?? []), ...attachedOn(id)]));
    const lostPolicies = [...inherited].filter((policyId) => !still.has(policyId)).sort();
    if (lostPolicies.length === 0) {
      harmless.push(accountId);
      continue;
    }
    findings.push({
      driftOf: Kind.ACCOUNT_MOVED,
      subject: accountId,
      targetId: accountId,
      lookup: { targetId: accountId },
      matches: (record) => isOfKind(record, Kind.ACCOUNT_MOVED),
      recordedAt: entry.at,
      reason: `${accountId} was under ${entry.parentId} (recorded ${entry.at}) and is under ${current}: it no longer inherits ${lostPolicies.join(', ')}`,
      detail: { move: { accountId, sourceParentId: entry.parentId, destinationParentId: current, lostPolicies } },
    });
  }
  return { findings, harmless };
}

/**
 * The targets of desired SCP pairs that FullAWSAccess is not attached to, for the root's entry.
 * Where the organization is weakened (a desired pair of the target missing, or FullAWSAccess
 * forbidden on it) the last entry decides: a disable-and-enable, which attaches FullAWSAccess
 * everywhere and detaches the rest, must not teach the guard that FullAWSAccess belongs there.
 */
export function withoutFullAwsAccess(options: {
  desired: readonly PairEntry[];
  typeOf: (policyId: string) => string | undefined;
  fullAccessTargets: ReadonlySet<string>;
  missingTargets: ReadonlySet<string>;
  forbiddenFullAccess: ReadonlySet<string>;
  previous?: readonly string[];
}): string[] {
  const listed = new Set<string>();
  for (const entry of options.desired) {
    if (entry.policyId === FULL_AWS_ACCESS || options.typeOf(entry.policyId) !== PolicyType.SERVICE_CONTROL_POLICY) continue;
    // Where a desired pair is missing the organization is weakened: the last entry decides there.
    if (targetKindOf(entry.targetId) === undefined || options.missingTargets.has(entry.targetId)) continue;
    if (!options.fullAccessTargets.has(entry.targetId)) listed.add(entry.targetId);
  }
  for (const targetId of options.previous ?? []) {
    if (options.missingTargets.has(targetId) || options.forbiddenFullAccess.has(targetId)) listed.add(targetId);
  }
  return [...listed].sort();
}

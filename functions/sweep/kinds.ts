import type { IncidentRecord } from '../shared/audit/records';
import { isDesired, type ContentEntry, type PairEntry, type ParentEntry, type RootTypesEntry } from '../shared/desired/desired-state';
import type { DriftDetail, DriftOfKind } from '../shared/drift';
import { targetKindOf } from '../shared/rules/id-formats';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { IncidentStatus, Kind, Outcome, PolicyType } from '../shared/vocabulary';
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
 * The rule is classify's (functions/classify/enrich.ts, lostAttachments): a policy the new parent or
 * an ancestor of it still gives (attached, or desired there) is still inherited, not lost, whatever
 * else it was attached to on the old path.
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
  /** Targets where FullAWSAccess may be a disable-and-enable's leftover (fullAccessLeftovers): kept while so. */
  pending?: ReadonlySet<string>;
}): string[] {
  const listed = new Set<string>();
  for (const entry of options.desired) {
    if (entry.policyId === FULL_AWS_ACCESS || options.typeOf(entry.policyId) !== PolicyType.SERVICE_CONTROL_POLICY) continue;
    // Where a desired pair is missing the organization is weakened: the last entry decides there.
    if (targetKindOf(entry.targetId) === undefined || options.missingTargets.has(entry.targetId)) continue;
    if (!options.fullAccessTargets.has(entry.targetId)) listed.add(entry.targetId);
  }
  for (const targetId of options.previous ?? []) {
    if (options.missingTargets.has(targetId) || options.forbiddenFullAccess.has(targetId) || options.pending?.has(targetId) === true) listed.add(targetId);
  }
  return [...listed].sort();
}

/**
 * The targets of the root's last `withoutFullAwsAccess` where FullAWSAccess is, or may be, the
 * leftover of a disable and re-enable of SCPs (re-enabling attaches FullAWSAccess everywhere), and
 * the POLICY_TYPE_DISABLED finding when it is attached to one of them. The rule (docs/kinds.md):
 *
 * A target X of the root's last entry's `withoutFullAwsAccess` is **pending** when
 * - the root's last POLICY_TYPE_DISABLED incident (of SCPs) is open: its restoration may not have
 *   detached FullAWSAccess from X yet; or
 * - that incident is closed and not RESTORED, and its actions show no DetachPolicy of FullAWSAccess
 *   from X done or already so: the type came back (by the guard, or by people) and FullAWSAccess
 *   with it, but the restoration never took it off X; or
 * - FullAWSAccess is attached to X and every desired SCP pair of X (at least one) is missing: the
 *   signature a disable and re-enable leaves when its events were lost (DisablePolicyType detaches
 *   every SCP, EnablePolicyType attaches FullAWSAccess only).
 *
 * A deliberate FullAWSAccess attachment by people happens without a disable: the type's last
 * incident RESTORED (or one that detached FullAWSAccess from X), and X's desired pairs still in
 * place. Then X is not pending: FullAWSAccess seen there is desired (a `"policies": "*"` rule) and
 * X leaves `withoutFullAwsAccess`, as before. While X is pending, the sweep records no
 * (FullAWSAccess, X) pair as desired, keeps X in `withoutFullAwsAccess`, and, once FullAWSAccess is
 * seen on X, finds a POLICY_TYPE_DISABLED drift of the root (its restoration is idempotent:
 * EnablePolicyType already, the pairs already, FullAWSAccess detached).
 */
export function fullAccessLeftovers(options: {
  root: RootSeen;
  entry: RootTypesEntry | undefined;
  /** The root's POLICY_TYPE_DISABLED incidents of SCPs (subjectIncidents). */
  incidents: { latest?: IncidentRecord; open?: IncidentRecord };
  /** The targets of FullAWSAccess now; undefined when not read. */
  fullAccessTargets: ReadonlySet<string> | undefined;
  /** The desired pairs before this sweep. */
  desired: readonly PairEntry[];
  typeOf: (policyId: string) => string | undefined;
  attached: (policyId: string, targetId: string) => boolean | undefined;
}): { pending: Set<string>; finding?: KindFinding } {
  const pending = new Set<string>();
  const scp = PolicyType.SERVICE_CONTROL_POLICY;
  const without = options.entry?.withoutFullAwsAccess ?? [];
  if (!options.root.enabledTypes.includes(scp) || without.length === 0) return { pending };
  const { latest, open } = options.incidents;
  const detachedBy = (record: IncidentRecord, targetId: string) =>
    (record.actions ?? []).some((action) => action.call === 'DetachPolicy' && action.policyId === FULL_AWS_ACCESS && action.targetId === targetId && action.result !== 'failed');
  for (const targetId of without) {
    const faa = options.fullAccessTargets?.has(targetId);
    if (open !== undefined) {
      pending.add(targetId);
      continue;
    }
    if (latest !== undefined && latest.status === IncidentStatus.CLOSED && latest.outcome !== Outcome.RESTORED && !detachedBy(latest, targetId)) {
      pending.add(targetId);
      continue;
    }
    const pairs = options.desired.filter((entry) => entry.targetId === targetId && entry.policyId !== FULL_AWS_ACCESS && options.typeOf(entry.policyId) === scp);
    if (faa === true && pairs.length > 0 && pairs.every((entry) => options.attached(entry.policyId, entry.targetId) === false)) pending.add(targetId);
  }
  const leftOn = [...pending].filter((targetId) => options.fullAccessTargets?.has(targetId) === true).sort();
  if (leftOn.length === 0) return { pending };
  const rootId = options.root.id;
  const entry = options.entry as RootTypesEntry;
  return {
    pending,
    finding: {
      driftOf: Kind.POLICY_TYPE_DISABLED,
      subject: `${scp} on ${rootId}`,
      targetId: rootId,
      lookup: { targetId: rootId },
      matches: (record) => isOfKind(record, Kind.POLICY_TYPE_DISABLED) && (record.incident?.disabledType?.policyType ?? scp) === scp,
      recordedAt: entry.at,
      reason: `${FULL_AWS_ACCESS} is attached to ${leftOn.join(', ')}, which the guard holds without it (withoutFullAwsAccess, recorded ${entry.at}), after ${scp} was disabled and enabled again on ${rootId}${latest === undefined ? '' : ` (last incident ${latest.incidentId}, ${latest.outcome ?? latest.status})`}: the type's restoration is not finished`,
      detail: { disabledType: { rootId, policyType: scp } },
    },
  };
}

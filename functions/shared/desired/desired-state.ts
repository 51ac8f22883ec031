/**
 * The desired state (contract: docs/contracts.md): what the guard holds should be true of the
 * organization. Events are the fast path; the sweep compares the organization with this and
 * opens an incident for every difference no open incident explains.
 *
 * - a **pair** (policy, target) is desired once a rule covers it and the guard has seen it
 *   attached (a sweep) or confirmed its own reattachment; it is released by an override (until
 *   the override's expiry), by a detachment from an ignored principal, when the rules stop
 *   covering it, or when its target is gone from the organization;
 * - beside the pairs: each protected policy's last known content, each account's parent, and the
 *   policy types enabled on each root.
 *
 * Every change is a new entry (append-only, like the trail): the state at a time is the latest
 * entry per subject at or before it.
 */

/** Why a pair's entry was written. */
export const DesiredReason = {
  /** A sweep saw a covered pair attached. */
  SEEN_ATTACHED: 'seen-attached',
  /** The workflow confirmed its own reattachment. */
  REATTACHED: 'reattached',
  /** An approver kept the pair detached, until `until`. */
  OVERRIDE: 'override',
  /** A sweep found the override's expiry passed: desired again. */
  OVERRIDE_EXPIRED: 'override-expired',
  /** An ignored principal detached it: a deliberate change by the organization's own pipeline. */
  IGNORED_PRINCIPAL: 'ignored-principal',
  /** The rules no longer cover it. */
  RULES_CHANGE: 'rules-change',
  /**
   * Its target left the organization (an account removed or closed, an OU deleted): no
   * AttachPolicy can restore it. Written by the sweep, from the organization's answer or from
   * the pair's last incident, FAILED with TargetNotFoundException.
   */
  TARGET_GONE: 'target-gone',
} as const;
export type DesiredReason = (typeof DesiredReason)[keyof typeof DesiredReason];

/** One entry of a pair's history. */
export interface PairEntry {
  policyId: string;
  targetId: string;
  desired: boolean;
  reason: DesiredReason;
  /** When the entry was written (ISO 8601). */
  at: string;
  /** For an override: when it ends, and the pair is desired again. */
  until?: string;
  /** The incident that made the change, if one did. */
  incidentId?: string;
  /** Who made the change (an approver, the ignored principal), if a person or principal did. */
  by?: string;
}

/** A protected policy's content as last seen, with its hash. */
export interface ContentEntry {
  policyId: string;
  name?: string;
  type?: string;
  /** The policy document as Organizations returns it (a JSON string). */
  content: string;
  /** SHA-256 of the content, hex. */
  hash: string;
  at: string;
}

/** An account's parent (root or OU) as last seen. */
export interface ParentEntry {
  accountId: string;
  parentId: string;
  at: string;
}

/** The policy types enabled on a root as last seen. */
export interface RootTypesEntry {
  rootId: string;
  enabledTypes: string[];
  /**
   * The targets of desired SCP pairs that p-FullAWSAccess was not attached to (sorted): after a
   * disabled type is enabled again, which attaches FullAWSAccess everywhere, its restoration
   * detaches FullAWSAccess again there only. Absent in entries written before it was kept.
   */
  withoutFullAwsAccess?: string[];
  at: string;
}

export const pairKey = (policyId: string, targetId: string): string => `${policyId} ${targetId}`;

/**
 * Whether a pair is desired at `at`, given its latest entry at or before then: an override whose
 * expiry has passed holds no more, even before a sweep writes the `override-expired` entry.
 */
export function isDesired(latest: PairEntry | undefined, at: Date): boolean {
  if (latest === undefined) return false;
  if (latest.desired) return true;
  return latest.reason === DesiredReason.OVERRIDE && latest.until !== undefined && Date.parse(latest.until) <= at.getTime();
}

/** The latest entry per key among those at or before `at` (all of them without `at`). */
export function latestBy<T extends { at: string }>(entries: readonly T[], keyOf: (entry: T) => string, at?: Date): Map<string, T> {
  const bound = at?.toISOString();
  const latest = new Map<string, T>();
  for (const entry of entries) {
    if (bound !== undefined && entry.at > bound) continue;
    const key = keyOf(entry);
    const current = latest.get(key);
    if (current === undefined || current.at <= entry.at) latest.set(key, entry);
  }
  return latest;
}

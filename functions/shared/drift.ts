import { createHash } from 'node:crypto';
import { isObject } from './cloudtrail';
import { Kind } from './vocabulary';

/**
 * The synthetic event the sweep starts the remediation workflow with, one per difference
 * between the organization and the desired state that no open incident explains (contract:
 * docs/contracts.md). Classify reads it like a CloudTrail record: source `sweep`, kind from it.
 */
export const DRIFT_SOURCE = 'scp-guardian.sweep';
export const DRIFT_DETAIL_TYPE = 'scp-guardian drift';

/** What the sweep found, as the workflow receives it in `detail`. */
export interface DriftDetail {
  kind: Kind;
  /** The CloudTrail eventID of the change when the event history has it, else `drift-…` (driftIncidentId). */
  incidentId: string;
  policyId?: string;
  targetId?: string;
  /** Why this is a difference, in one sentence. */
  reason: string;
  /** When the pair was last recorded as desired (the drift's identity). */
  lastDesiredAt?: string;
  /** The incident this one follows: the pair's last incident ended FAILED. */
  follows?: string;
  /** The override whose expiry made the pair desired again. */
  overrideExpired?: { by?: string; until: string; incidentId?: string };
  /** The CloudTrail record of the change, when LookupEvents found it (best effort). */
  found?: { eventId: string; eventTime: string; userIdentity?: Record<string, unknown>; sourceIPAddress?: string; userAgent?: string };
  /**
   * A drift of another kind than a missing pair (absent for one): what the sweep found, with the
   * kind's own field below. The policy and target are then those of the kind: the root for a
   * disabled type (no policy), the account for a move (no policy), the policy alone for changed
   * or deleted content, the pair for a forbidden attachment.
   */
  driftOf?: DriftOfKind;
  /** The policy's name, as the desired state or DescribePolicy knew it. */
  policyName?: string;
  /** POLICY_TYPE_DISABLED: the protected type the desired state held enabled on the root, and ListRoots does not. */
  disabledType?: { rootId: string; policyType: string };
  /** ACCOUNT_MOVED: the recorded parent, the current one, and the protected policies the account no longer inherits. */
  move?: { accountId: string; sourceParentId: string; destinationParentId: string; lostPolicies?: string[] };
  /** POLICY_CHANGED: the content DescribePolicy answers now, its SHA-256, and the hash the desired state holds. */
  change?: { content: string; contentHash: string; previousHash?: string };
  /** FORBIDDEN_ATTACHED: the forbid rule (its position in `forbid`) that keeps the policy off the target. */
  forbid?: { index: number; description?: string };
}

/** The kinds the sweep finds besides a missing pair. */
export const DRIFT_OF_KINDS = [Kind.POLICY_TYPE_DISABLED, Kind.ACCOUNT_MOVED, Kind.POLICY_CHANGED, Kind.POLICY_DELETED, Kind.FORBIDDEN_ATTACHED] as const;
export type DriftOfKind = (typeof DRIFT_OF_KINDS)[number];

/**
 * A stable id for a drift the event history does not explain: two sweeps of the same drift get
 * the same id (the claim stops the second), a new drift of the same pair (after the pair was
 * desired again) or a retry after a FAILED incident (`follows`) gets a new one. A drift of
 * another kind hashes its kind too (`driftOf`), so a disabled type and a missing pair on the
 * root never share an id; a missing pair's id is what it always was.
 */
export function driftIncidentId(kind: Kind, policyId: string | undefined, targetId: string | undefined, lastDesiredAt: string | undefined, follows?: string, driftOf?: Kind): string {
  const parts = [kind, policyId ?? '', targetId ?? '', lastDesiredAt ?? '', follows ?? ''];
  const hash = createHash('sha256')
    .update((driftOf === undefined ? parts : [...parts, driftOf]).join('\n'))
    .digest('hex');
  return `drift-${hash.slice(0, 32)}`;
}

/** The EventBridge-shaped envelope of a drift, as the sweep starts an execution with it. */
export function driftEnvelope(detail: DriftDetail, now: Date, region = 'us-east-1'): Record<string, unknown> {
  return {
    version: '0',
    id: detail.incidentId,
    'detail-type': DRIFT_DETAIL_TYPE,
    source: DRIFT_SOURCE,
    time: now.toISOString(),
    region,
    resources: [],
    detail,
  };
}

export const isDriftEvent = (event: unknown): boolean => isObject(event) && event.source === DRIFT_SOURCE && event['detail-type'] === DRIFT_DETAIL_TYPE;

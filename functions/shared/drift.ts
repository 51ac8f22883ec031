import { createHash } from 'node:crypto';
import { isObject } from './cloudtrail';
import type { Kind } from './vocabulary';

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
}

/**
 * A stable id for a drift the event history does not explain: two sweeps of the same drift get
 * the same id (the claim stops the second), a new drift of the same pair (after the pair was
 * desired again) or a retry after a FAILED incident (`follows`) gets a new one.
 */
export function driftIncidentId(kind: Kind, policyId: string | undefined, targetId: string | undefined, lastDesiredAt: string | undefined, follows?: string): string {
  const hash = createHash('sha256')
    .update([kind, policyId ?? '', targetId ?? '', lastDesiredAt ?? '', follows ?? ''].join('\n'))
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

import type { DesiredReason } from '../shared/desired/desired-state';
import type { DriftDetail } from '../shared/drift';
import type { Kind } from '../shared/vocabulary';

/**
 * What one sweep found and did (contract: docs/contracts.md, "The sweep"): the answer of the sweep
 * function, of `POST /reconcile` on `local --serve` and of `scp-guardian reconcile --json`.
 */

/** What became of a drift's workflow execution. */
export const DriftStatus = {
  /** StartExecution started it now. */
  STARTED: 'started',
  /** An execution of that name exists already (a sweep before this one started it). */
  ALREADY_STARTED: 'already-started',
  /** A dry run starts nothing. */
  DRY_RUN: 'dry-run',
  /** StartExecution failed: the next sweep tries again, and this one fails so the alarm fires. */
  NOT_STARTED: 'not-started',
} as const;
export type DriftStatus = (typeof DriftStatus)[keyof typeof DriftStatus];

/**
 * One difference no open incident explains: a desired pair missing from the organization, or
 * (with `driftOf`) another kind of weakening, whose policy or target is '' where the kind has none
 * (a disabled type names the root alone, a move the account, changed or deleted content the policy).
 */
export interface SweepDrift {
  kind: Kind;
  /** The kind of weakening besides a missing pair; absent for a missing pair. */
  driftOf?: DriftDetail['driftOf'];
  policyId: string;
  targetId: string;
  disabledType?: DriftDetail['disabledType'];
  move?: DriftDetail['move'];
  /** The changed content's hash and the one the desired state holds (the content itself goes to the workflow). */
  change?: { contentHash: string; previousHash?: string };
  forbid?: DriftDetail['forbid'];
  reason: string;
  incidentId: string;
  /** When the pair was last recorded as desired: the drift's identity. */
  lastDesiredAt: string;
  follows?: string;
  overrideExpired?: DriftDetail['overrideExpired'];
  /** The DetachPolicy that CloudTrail's event history holds for it, when LookupEvents found one. */
  found?: { eventId: string; actor?: string };
  status: DriftStatus;
  error?: string;
}

/** A desired pair missing from the organization (or, with `driftOf`, another weakening) that an open incident explains. */
export interface ExplainedPair {
  policyId: string;
  targetId: string;
  incidentId: string;
  driftOf?: DriftDetail['driftOf'];
}

/** A pair a rule names explicitly that was never seen attached: a warning, never an attachment. */
export interface DeclaredNotAttached {
  policyId: string;
  targetId: string;
  /** Position of the rule in `protect`. */
  rule: number;
}

/** One entry the sweep appended to the desired state (or would have, in a dry run). */
export type SweepChange =
  | { type: 'pair'; policyId: string; targetId: string; desired: boolean; reason: DesiredReason }
  | { type: 'content'; policyId: string; hash: string; previousHash?: string }
  | { type: 'parent'; accountId: string; parentId: string; previousParentId?: string }
  | { type: 'root-types'; rootId: string; enabledTypes: string[]; previous?: string[]; withoutFullAwsAccess?: string[] };

/** API calls made, by operation (Organizations, CloudTrail, Step Functions); `attempts` counts the SDK's retries too. */
export interface CallCount {
  total: number;
  byOperation: Record<string, number>;
  attempts: number;
}

export interface SweepResult {
  dryRun: boolean;
  startedAt: string;
  drift: SweepDrift[];
  /** The incidents this sweep started workflow executions for. */
  incidents: string[];
  explained: ExplainedPair[];
  declaredNotAttached: DeclaredNotAttached[];
  changes: SweepChange[];
  /** Desired pairs after the sweep. */
  desiredPairs: number;
  /** Things people should look at: a rule naming a policy or target that does not exist, ... */
  warnings: string[];
  /** What the sweep could not find out, best effort (the event history), and did without. */
  notes: string[];
  /** Failures that leave the sweep incomplete (the function fails after returning them to the log). */
  errors: string[];
  calls: CallCount;
  seconds: number;
}

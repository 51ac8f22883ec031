import type { LocalOrganizationsEndpoint } from '../../local/stand-ins/organizations/endpoint';
import type { ProtectedPair } from './scenario';

/** The limits the local Organizations endpoint puts on a storm. */
export interface StormLimits {
  /** Requests per second, for each operation's token bucket. */
  readonly rate: number;
  /** Probability (0..1) of a 503 ServiceException on any request. */
  readonly serviceErrorProbability: number;
  /** Seed of the fault PRNG. */
  readonly seed: number;
}

/** What one system achieved against one storm. */
export interface StormFigures {
  readonly system: string;
  /** Protected pairs still detached once the system stopped. */
  readonly lost: number;
  readonly restored: number;
  /** From the storm's start to the last successful AttachPolicy that restored a pair; null if none did. */
  readonly lastRestoredSeconds: number | null;
  /** lastRestoredSeconds / (N/R): 1.0 is the API's own limit. */
  readonly ratioToFloor: number | null;
  /** AttachPolicy requests the endpoint received, per detached pair. */
  readonly attemptsPerRemediation: number;
  /** Seconds from the storm's start until half (p50) and 95 % (p95) of the pairs were restored; null if fewer were. */
  readonly p50RestoreSeconds: number | null;
  readonly p95RestoreSeconds: number | null;
  /** Wall time until the system stopped (every execution ended). */
  readonly wallSeconds: number;
}

/** N/R: the fewest seconds in which R requests per second can restore N attachments. */
export const floorSeconds = (n: number, rate: number) => n / rate;

/**
 * Reads the figures off the endpoint's request log and the organization's final state: a pair is
 * restored when it is attached at the end, and its restore time is the successful AttachPolicy
 * that put it back.
 */
export function figuresOf(
  system: string,
  endpoint: LocalOrganizationsEndpoint,
  pairs: readonly ProtectedPair[],
  startedAtMs: number,
  stoppedAtMs: number,
  rate: number,
): StormFigures {
  const key = (policyId: unknown, targetId: unknown) => `${String(policyId)}|${String(targetId)}`;
  const wanted = new Set(pairs.map((pair) => key(pair.policyId, pair.targetId)));
  const firstRestore = new Map<string, number>();
  for (const entry of endpoint.requestLog) {
    if (entry.operation !== 'AttachPolicy' || entry.status !== 200) continue;
    const pair = key(entry.input.PolicyId, entry.input.TargetId);
    if (wanted.has(pair) && !firstRestore.has(pair)) firstRestore.set(pair, entry.at);
  }
  const restoreTimes = [...firstRestore.values()];
  const sorted = restoreTimes.map((at) => (at - startedAtMs) / 1000).sort((a, b) => a - b);
  // The time by which a share of all N pairs was back (nearest rank); never, if fewer came back.
  const percentile = (share: number) => {
    const rank = Math.ceil(share * pairs.length);
    return rank <= sorted.length && rank > 0 ? sorted[rank - 1] : null;
  };
  const lost = pairs.filter((pair) => !endpoint.organization.isAttached(pair.policyId, pair.targetId)).length;
  const last = restoreTimes.length === 0 ? null : (Math.max(...restoreTimes) - startedAtMs) / 1000;
  return {
    system,
    lost,
    restored: pairs.length - lost,
    lastRestoredSeconds: last,
    ratioToFloor: last === null ? null : last / floorSeconds(pairs.length, rate),
    attemptsPerRemediation: endpoint.callCount('AttachPolicy') / pairs.length,
    p50RestoreSeconds: percentile(0.5),
    p95RestoreSeconds: percentile(0.95),
    wallSeconds: (stoppedAtMs - startedAtMs) / 1000,
  };
}

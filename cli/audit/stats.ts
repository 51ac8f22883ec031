import { Decision, IncidentStatus, Outcome } from '../../functions/shared/vocabulary';
import type { IncidentRecord } from '../../functions/shared/audit/records';

/** Time to remediate over the remediated incidents, in seconds (nearest-rank percentiles). */
export interface RemediationTimes {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

/** What `audit stats` reports over a set of incidents. */
export interface AuditStats {
  incidents: number;
  /** Incidents not closed yet (still waiting for a decision, or in flight). */
  open: number;
  byVerdict: Record<string, number>;
  byOutcome: Record<string, number>;
  timeToRemediate: RemediationTimes | null;
  /** Incidents kept detached, by who decided so; a timeout that kept the policy off counts as "(timeout)". */
  overridesByDecider: Record<string, number>;
}

/** The nearest-rank percentile of values sorted ascending: an observed value, never interpolated. */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) throw new RangeError('percentile of no values');
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1];
}

const increment = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

type StatsInput = Pick<IncidentRecord, 'status' | 'verdict' | 'outcome' | 'decision' | 'decidedBy' | 'timeToRemediateSeconds'>;

/** Counts by verdict and outcome, remediation times, and overrides by decider. */
export function summarize(records: Iterable<StatsInput>): AuditStats {
  const stats: AuditStats = { incidents: 0, open: 0, byVerdict: {}, byOutcome: {}, timeToRemediate: null, overridesByDecider: {} };
  const times: number[] = [];
  for (const record of records) {
    stats.incidents++;
    increment(stats.byVerdict, record.verdict);
    if (record.status !== IncidentStatus.CLOSED || record.outcome === undefined) stats.open++;
    if (record.outcome !== undefined) increment(stats.byOutcome, record.outcome);
    if (typeof record.timeToRemediateSeconds === 'number') times.push(record.timeToRemediateSeconds);
    if (record.outcome === Outcome.OVERRIDDEN || record.decision === Decision.OVERRIDE) {
      const decider = record.decision === Decision.TIMEOUT ? '(timeout)' : (record.decidedBy ?? '(unknown)');
      increment(stats.overridesByDecider, decider);
    }
  }
  if (times.length > 0) {
    times.sort((a, b) => a - b);
    stats.timeToRemediate = { count: times.length, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1] };
  }
  return stats;
}

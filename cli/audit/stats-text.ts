import type { IncidentRecord } from '../../functions/shared/audit/records';
import type { AuditStats } from './stats';
import { FROM_REPLAY, humanDuration } from '../../functions/shared/duration';
import { KIND_NAME } from '../../functions/shared/notifications/kind-words';
import type { Kind } from '../../functions/shared/vocabulary';
import { printable, wrap } from '../terminal/text';

const byCount = (byKey: Record<string, number>) => Object.entries(byKey).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));

const counts = (byKey: Record<string, number>) =>
  byCount(byKey)
    .map(([key, count]) => `${printable(key)} ${count}`)
    .join(', ') || 'none';

/** The key of an incident of no known kind (an unreadable event). */
export const NO_KIND = '(no kind)';

/** Incidents by kind (what weakened protection); an incident of no known kind counts as "(no kind)". */
export function countByKind(records: Iterable<Pick<IncidentRecord, 'kind'> & { incident?: Pick<IncidentRecord['incident'], 'kind'> }>): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const record of records) {
    const kind = record.kind ?? record.incident?.kind ?? NO_KIND;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
  }
  return byKind;
}

/**
 * `audit stats` with the count by kind beside the rest, and how many of the remediated incidents
 * were local replays (their time to remediate counts from when the replay applied the change).
 */
export type StatsWithKinds = AuditStats & { byKind?: Record<string, number>; replayedRemediations?: number };

/** The stats of `records`, counted by kind too. */
export function withKinds(stats: AuditStats, records: Iterable<Pick<IncidentRecord, 'kind' | 'incident' | 'timeToRemediateSeconds'>>): StatsWithKinds {
  const list = [...records];
  const replayed = list.filter((record) => typeof record.timeToRemediateSeconds === 'number' && record.incident?.replayAppliedAt !== undefined).length;
  return { ...stats, byKind: countByKind(list), ...(replayed > 0 ? { replayedRemediations: replayed } : {}) };
}

/** What the times count from, when local replays are among them. */
function remediationBasis(stats: StatsWithKinds): string[] {
  const replayed = stats.replayedRemediations ?? 0;
  if (replayed === 0) return [];
  const which = replayed === stats.timeToRemediate?.count ? 'each a replay' : `${replayed} of them replays`;
  return [`${''.padEnd(LABEL)}${which}, counted ${FROM_REPLAY}`];
}

const LABEL = 22;

/** One kind a line, in the words a responder reads and the value `--kind` takes: "ACCOUNT_MOVED 1 (account moved)". */
function kindLines(byKind: Record<string, number>): string[] {
  const entries = byCount(byKind);
  if (entries.length === 0) return [`${'By kind:'.padEnd(LABEL)}none`];
  return entries.map(([kind, count], i) => {
    const words = KIND_NAME[kind as Kind];
    return `${(i === 0 ? 'By kind:' : '').padEnd(LABEL)}${printable(kind)} ${count}${words === undefined ? '' : ` (${words})`}`;
  });
}

/**
 * `audit stats` for people: what the window held, of which kinds, how it ended, how fast, who
 * kept policies off; each line within `width`, continued under its value.
 */
export function formatStats(stats: StatsWithKinds, window: { since?: string; until?: string }, width = 80): string {
  const lines = [
    `Incidents detected ${window.since ?? 'from the start'} to ${window.until ?? 'now'}: ${stats.incidents} (${stats.open} not closed)`,
    ...(stats.byKind === undefined ? [] : kindLines(stats.byKind)),
    `By verdict:           ${counts(stats.byVerdict)}`,
    `By outcome:           ${counts(stats.byOutcome)}`,
    stats.timeToRemediate === null
      ? 'Time to remediate:    no remediated incidents'
      : `Time to remediate:    p50 ${humanDuration(stats.timeToRemediate.p50)}, p95 ${humanDuration(stats.timeToRemediate.p95)}, max ${humanDuration(stats.timeToRemediate.max)} (${stats.timeToRemediate.count} remediated)`,
    ...remediationBasis(stats),
    `Overrides by decider: ${counts(stats.overridesByDecider)}`,
  ];
  return lines.flatMap((line) => wrap(line, width, '', ' '.repeat(LABEL))).join('\n');
}

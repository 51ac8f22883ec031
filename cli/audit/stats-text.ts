import type { AuditStats } from '../../functions/shared/audit/stats';
import { humanDuration } from '../../functions/shared/duration';
import { printable } from './terminal-text';

const counts = (byKey: Record<string, number>) =>
  Object.entries(byKey)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([key, count]) => `${printable(key)} ${count}`)
    .join(', ') || 'none';


/** `audit stats` for people: what the window held, how it ended, how fast, who kept policies off. */
export function formatStats(stats: AuditStats, window: { since?: string; until?: string }): string {
  const lines = [
    `Incidents detected ${window.since ?? 'from the start'} to ${window.until ?? 'now'}: ${stats.incidents} (${stats.open} not closed)`,
    `By verdict:           ${counts(stats.byVerdict)}`,
    `By outcome:           ${counts(stats.byOutcome)}`,
    stats.timeToRemediate === null
      ? 'Time to remediate:    no remediated incidents'
      : `Time to remediate:    p50 ${humanDuration(stats.timeToRemediate.p50)}, p95 ${humanDuration(stats.timeToRemediate.p95)}, max ${humanDuration(stats.timeToRemediate.max)} (${stats.timeToRemediate.count} remediated)`,
    `Overrides by decider: ${counts(stats.overridesByDecider)}`,
  ];
  return lines.join('\n');
}

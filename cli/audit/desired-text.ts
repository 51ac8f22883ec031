import { isDesired, type PairEntry } from '../../functions/shared/desired/desired-state';
import { wrap } from '../terminal/text';

/** One pair as `audit desired` prints it: the state at the asked time, and why. */
export interface DesiredRow {
  policyId: string;
  targetId: string;
  state: 'desired' | 'released';
  reason: string;
  since: string;
  until?: string;
  incidentId?: string;
  by?: string;
}

/** The pairs' state at `at`: an override whose expiry passed by then counts as desired again. */
export function desiredRows(latest: Iterable<PairEntry>, at: Date): DesiredRow[] {
  return [...latest]
    .map((entry): DesiredRow => {
      const desired = isDesired(entry, at);
      const expired = desired && !entry.desired;
      return {
        policyId: entry.policyId,
        targetId: entry.targetId,
        state: desired ? 'desired' : 'released',
        reason: expired ? `override-expired (by ${entry.until})` : entry.reason,
        since: expired ? (entry.until as string) : entry.at,
        ...(entry.until !== undefined && !expired ? { until: entry.until } : {}),
        ...(entry.incidentId !== undefined ? { incidentId: entry.incidentId } : {}),
        ...(entry.by !== undefined ? { by: entry.by } : {}),
      };
    })
    .sort((a, b) => a.policyId.localeCompare(b.policyId) || a.targetId.localeCompare(b.targetId));
}

/** The rows for a terminal of `columns` characters: the pair, its state and since when, then why. */
export function formatDesired(rows: readonly DesiredRow[], at: Date, columns: number): string {
  if (rows.length === 0) return `Nothing was desired or released at ${at.toISOString()}.`;
  const desired = rows.filter((row) => row.state === 'desired').length;
  const lines = [`At ${at.toISOString()}: ${desired} pairs desired, ${rows.length - desired} released.`];
  for (const row of rows) {
    const head = `${row.state === 'desired' ? '+' : '-'} ${row.policyId} on ${row.targetId}`;
    const why = `${row.reason} since ${row.since.slice(0, 19)}Z${row.until ? `, until ${row.until.slice(0, 19)}Z` : ''}${row.incidentId ? ` (${row.incidentId})` : ''}`;
    lines.push(head.length + why.length + 2 <= columns ? `${head}  ${why}` : [head, ...wrap(why, columns, '    ', '      ')].join('\n'));
  }
  return lines.join('\n');
}

import { kindShort } from '../../functions/shared/notifications/kind-words';
import type { AuditRow } from './rows';
import { printable, truncateMiddle, truncateStart } from './terminal-text';

interface Column {
  header: string;
  value: (row: AuditRow) => string;
  /** How a cut keeps the text: both ends (ids), or the end (an ARN's role or user name). */
  cut?: (text: string, width: number) => string;
}

const GAP = '  ';

/** `arn:aws:iam::111122223333:role/Admin` reads as `111122223333:role/Admin` in a table. */
export function shortArn(arn: string): string {
  return arn.replace(/^arn:[^:]+:(?:iam|sts)::/, '');
}

const COLUMNS: Record<string, Column> = {
  detected: { header: 'DETECTED (UTC)', value: (row) => row.detectedAt.replace('T', ' ').replace(/(\.\d+)?Z$/, '') },
  incident: { header: 'INCIDENT', value: (row) => row.incidentId },
  kind: { header: 'KIND', value: (row) => kindShort(row.kind ?? undefined, row.driftOf ?? undefined) },
  policy: { header: 'POLICY', value: (row) => row.policyId ?? '-' },
  target: { header: 'TARGET', value: (row) => row.targetId ?? '-' },
  actor: { header: 'ACTOR', value: (row) => (row.actorArn === null ? (row.actorType ?? '-') : shortArn(row.actorArn)), cut: truncateStart },
  verdict: { header: 'VERDICT', value: (row) => row.verdict },
  decision: { header: 'DECISION', value: (row) => row.decision ?? '-' },
  outcome: { header: 'OUTCOME', value: (row) => row.outcome ?? row.status },
};

const ORDER = ['detected', 'incident', 'kind', 'policy', 'target', 'actor', 'verdict', 'decision', 'outcome'];

/**
 * How the table narrows, one step at a time until it fits: cut a column to a width (middle
 * ellipsis) or hide it. The actor ARN is cut first, keeping its end (the role or user name); the kind
 * goes last; the incident id is never cut or hidden, because it is what `audit show` takes. `--format csv|json` has it all.
 */
const NARROWING: readonly ({ cut: string; to: number } | { hide: string })[] = [
  { cut: 'actor', to: 24 },
  { hide: 'decision' },
  { hide: 'verdict' },
  { cut: 'actor', to: 12 },
  { cut: 'target', to: 12 },
  { cut: 'policy', to: 12 },
  { hide: 'actor' },
  { hide: 'target' },
  { hide: 'policy' },
  // The kind goes last: a word says more to a responder than an id does.
  { cut: 'kind', to: 8 },
  { hide: 'kind' },
];

export interface RenderedTable {
  text: string;
  /** Headers of the columns left out to fit the width. */
  hidden: string[];
}

/** Incidents as an aligned table no wider than `width` (while any column can still go). */
export function renderTable(rows: readonly AuditRow[], width: number): RenderedTable {
  const cells = new Map(ORDER.map((key) => [key, rows.map((row) => printable(COLUMNS[key].value(row)))]));
  const widths = new Map(ORDER.map((key) => [key, Math.max(COLUMNS[key].header.length, ...(cells.get(key) ?? []).map((c) => c.length))]));
  // Incidents recorded before the kind was kept have none: no column for nobody's kind.
  const shown = ORDER.filter((key) => key !== 'kind' || (cells.get(key) ?? []).some((cell) => cell !== '-'));
  const total = () => shown.reduce((sum, key) => sum + (widths.get(key) ?? 0), 0) + GAP.length * (shown.length - 1);

  const hidden: string[] = [];
  for (const step of NARROWING) {
    const excess = total() - width;
    if (excess <= 0) break;
    if ('hide' in step) {
      shown.splice(shown.indexOf(step.hide), 1);
      hidden.push(COLUMNS[step.hide].header);
    } else {
      const current = widths.get(step.cut) ?? 0;
      widths.set(step.cut, Math.min(current, Math.max(step.to, COLUMNS[step.cut].header.length, current - excess)));
    }
  }

  const line = (values: string[]) =>
    values
      .map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths.get(shown[i]) ?? 0)))
      .join(GAP)
      .trimEnd();
  const header = line(shown.map((key) => COLUMNS[key].header));
  const body = rows.map((_, r) => line(shown.map((key) => (COLUMNS[key].cut ?? truncateMiddle)((cells.get(key) ?? [])[r], widths.get(key) ?? 0))));
  return { text: [header, ...body].join('\n'), hidden };
}

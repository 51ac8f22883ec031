import { kindShort } from '../../functions/shared/notifications/kind-words';
import { paintOutcome, PLAIN, type Paint } from '../terminal/style';
import type { AuditRow } from './rows';
import { printable, truncateMiddle, truncateStart } from '../terminal/text';

interface Column {
  header: string;
  value: (row: AuditRow) => string;
  /** How a cut keeps the text: both ends (ids), or the end (an ARN's role or user name). */
  cut?: (text: string, width: number) => string;
}

const GAP = '  ';
/** The second line of a two-line row starts under the first one's second character. */
const SECOND_LINE = '  ';

/** `arn:aws:iam::111122223333:role/Admin` reads as `111122223333:role/Admin` in a table. */
export function shortArn(arn: string): string {
  return arn.replace(/^arn:[^:]+:(?:iam|sts)::/, '');
}

const COLUMNS: Record<string, Column> = {
  detected: { header: 'DETECTED (UTC)', value: (row) => row.detectedAt.replace('T', ' ').replace(/(\.\d+)?Z$/, '') },
  incident: { header: 'INCIDENT', value: (row) => row.incidentId },
  kind: { header: 'KIND', value: (row) => kindShort(row.kind ?? undefined, row.driftOf ?? undefined) },
  source: { header: 'SOURCE', value: (row) => row.source },
  policy: { header: 'POLICY', value: (row) => row.policyId ?? '-' },
  target: { header: 'TARGET', value: (row) => row.targetId ?? '-' },
  actor: { header: 'ACTOR', value: (row) => (row.actorArn === null ? (row.actorType ?? '-') : shortArn(row.actorArn)), cut: truncateStart },
  verdict: { header: 'VERDICT', value: (row) => row.verdict },
  mode: { header: 'MODE', value: (row) => row.mode ?? '-' },
  decision: { header: 'DECISION', value: (row) => row.decision ?? '-' },
  outcome: { header: 'OUTCOME', value: (row) => row.outcome ?? row.status },
};

const ORDER = ['detected', 'incident', 'kind', 'policy', 'target', 'actor', 'verdict', 'decision', 'outcome'];
/** `--wide`: every column whole, and the source and mode beside them. */
const WIDE_ORDER = ['detected', 'incident', 'kind', 'source', 'policy', 'target', 'actor', 'verdict', 'mode', 'decision', 'outcome'];

/** A step that narrows a table: cut a column to a width (its `cut`, else a middle ellipsis), or hide it. */
type Narrowing = { cut: string; to: number } | { hide: string };

/**
 * One line per incident, narrowed one step at a time until it fits: the actor ARN is cut,
 * keeping its end (the role or user name), the decision and the verdict hidden. The kind, the
 * policy and the target are never cut here, and the incident id never is, because it is what
 * `audit show` takes.
 */
const ONE_LINE: readonly Narrowing[] = [
  { cut: 'actor', to: 24 },
  { hide: 'decision' },
  { hide: 'verdict' },
  { cut: 'actor', to: 12 },
];

/**
 * Two lines per incident, when one does not fit what a responder needs (an incident id is 36
 * characters): when, what and how it ended on the first; the incident id and the actor under it.
 * The first line narrows as the one-line table does, the kind last.
 */
const FIRST_LINE = ['detected', 'kind', 'policy', 'target', 'verdict', 'decision', 'outcome'];
const TWO_LINES: readonly Narrowing[] = [
  { hide: 'verdict' },
  { hide: 'decision' },
  { cut: 'target', to: 12 },
  { cut: 'policy', to: 12 },
  { cut: 'kind', to: 8 },
  { hide: 'target' },
  { hide: 'policy' },
  { hide: 'kind' },
];

export interface RenderedTable {
  text: string;
  /** Headers of the columns left out to fit the width. */
  hidden: string[];
}

export interface TableOptions {
  /** Every column whole, on one line, whatever the width. */
  wide?: boolean;
  paint?: Paint;
}

/** The cells of each column, and each column's width. */
class Grid {
  readonly cells = new Map<string, string[]>();
  readonly widths = new Map<string, number>();
  readonly hidden: string[] = [];

  constructor(
    readonly rows: readonly AuditRow[],
    readonly shown: string[],
  ) {
    for (const key of Object.keys(COLUMNS)) {
      const cells = rows.map((row) => printable(COLUMNS[key].value(row)));
      this.cells.set(key, cells);
      this.widths.set(key, Math.max(COLUMNS[key].header.length, ...cells.map((c) => c.length)));
    }
    // Incidents recorded before the kind was kept have none: no column for nobody's kind.
    if (!(this.cells.get('kind') ?? []).some((cell) => cell !== '-')) this.drop('kind', false);
  }

  width(): number {
    return this.shown.reduce((sum, key) => sum + (this.widths.get(key) ?? 0), 0) + GAP.length * (this.shown.length - 1);
  }

  drop(key: string, say = true): void {
    const at = this.shown.indexOf(key);
    if (at < 0) return;
    this.shown.splice(at, 1);
    if (say) this.hidden.push(COLUMNS[key].header);
  }

  /** Applies the steps, in order, until the shown columns fit `width`. */
  narrow(steps: readonly Narrowing[], width: number): void {
    for (const step of steps) {
      const excess = this.width() - width;
      if (excess <= 0) return;
      if ('hide' in step) this.drop(step.hide);
      else if (this.shown.includes(step.cut)) {
        const current = this.widths.get(step.cut) ?? 0;
        this.widths.set(step.cut, Math.min(current, Math.max(step.to, COLUMNS[step.cut].header.length, current - excess)));
      }
    }
  }

  cell(key: string, row: number): string {
    return (COLUMNS[key].cut ?? truncateMiddle)((this.cells.get(key) ?? [])[row], this.widths.get(key) ?? 0);
  }

  /** One line of `keys`' values, padded to their widths; the outcome painted last, past the padding. */
  line(values: string[], keys: readonly string[], paint: Paint): string {
    return values
      .map((value, i) => {
        const padded = i === values.length - 1 ? value : value.padEnd(this.widths.get(keys[i]) ?? 0);
        return keys[i] === 'outcome' ? padded.replace(value, paintOutcome(paint, value)) : padded;
      })
      .join(GAP)
      .trimEnd();
  }
}

/**
 * Incidents as an aligned table no wider than `width`: one line per incident while that keeps
 * the kind, the policy and the target, else two (the incident id and the actor under the rest).
 */
export function renderTable(rows: readonly AuditRow[], width: number, options: TableOptions = {}): RenderedTable {
  const paint = options.paint ?? PLAIN;
  if (options.wide === true) {
    const grid = new Grid(rows, [...WIDE_ORDER]);
    return { text: oneLine(grid, paint), hidden: [] };
  }
  const single = new Grid(rows, [...ORDER]);
  single.narrow(ONE_LINE, width);
  if (single.width() <= width) return { text: oneLine(single, paint), hidden: single.hidden };

  const first = new Grid(rows, [...FIRST_LINE]);
  first.narrow(TWO_LINES, width);
  const idWidth = first.widths.get('incident') ?? 0;
  // The actor takes what is left of the second line, cut from its start (the role or user name stays).
  const actorRoom = width - SECOND_LINE.length - idWidth - GAP.length;
  const actorShown = actorRoom >= COLUMNS.actor.header.length + 4;
  if (actorShown) first.widths.set('actor', Math.min(first.widths.get('actor') ?? 0, actorRoom));
  else first.hidden.push(COLUMNS.actor.header);
  const second = (values: string[]) => `${SECOND_LINE}${values.join(GAP)}`.trimEnd();
  const secondHeader = actorShown ? [COLUMNS.incident.header.padEnd(idWidth), COLUMNS.actor.header] : [COLUMNS.incident.header];
  const lines = [first.line(first.shown.map((key) => COLUMNS[key].header), first.shown, PLAIN), second(secondHeader)];
  rows.forEach((_, r) => {
    lines.push(first.line(first.shown.map((key) => first.cell(key, r)), first.shown, paint));
    const id = (first.cells.get('incident') ?? [])[r];
    lines.push(second(actorShown ? [id.padEnd(idWidth), first.cell('actor', r)] : [id]));
  });
  return { text: lines.join('\n'), hidden: first.hidden };
}

function oneLine(grid: Grid, paint: Paint): string {
  const header = grid.line(grid.shown.map((key) => COLUMNS[key].header), grid.shown, PLAIN);
  const body = grid.rows.map((_, r) => grid.line(grid.shown.map((key) => grid.cell(key, r)), grid.shown, paint));
  return [header, ...body].join('\n');
}

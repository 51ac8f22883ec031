import { humanDuration, remediationTime } from '../../functions/shared/duration';
import { actionText, kindShort, plainWhatHappened } from '../../functions/shared/notifications/kind-words';
import { sweepLine } from '../../local/report';
import type { IncidentReport, LocalRunReport } from '../../local/runner';
import { shortArn } from '../audit/table';
import { stepDetail, timelineLines } from '../audit/timeline-text';
import { paintOutcome, PLAIN, type TextStyle } from '../terminal/style';
import { printable, wrap } from '../terminal/text';

/** How `scp-guardian local` prints a run: within the style's width, or (`wide`) every fact whole. */
export interface RunTextOptions {
  style: TextStyle;
  wide?: boolean;
}

const LABEL = 10;

const plural = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;

/**
 * A fact of an incident: `  label     value`, the value wrapped under itself. A replayed event's
 * fields reach these lines, so the value is made printable here (`painted`: it is already, with
 * colour codes of our own).
 */
function fact(label: string, value: string, width: number, painted = false): string[] {
  const head = `  ${label.padEnd(LABEL)}`;
  return wrap(painted ? value : printable(value), width, head, ' '.repeat(head.length));
}

/** "+0.4 s" after `start`, "-11 d" before it (a replayed event's own time). */
function offset(at: string, start: string): string {
  const ms = Date.parse(at) - Date.parse(start);
  if (!Number.isFinite(ms)) return '?';
  return `${ms < 0 ? '-' : '+'}${humanDuration(Math.abs(ms) / 1000)}`;
}

function who(incident: IncidentReport, wide: boolean): string {
  const { actor } = incident.record.incident;
  const arn = actor.principalArn ?? actor.arn;
  const name = arn === undefined ? 'an unknown caller' : wide ? arn : shortArn(arn);
  const how = [actor.type, actor.console ? 'console' : 'API/CLI', actor.mfa === undefined ? undefined : actor.mfa ? 'MFA' : 'no MFA', actor.sourceIp && `from ${actor.sourceIp}`];
  return `${name} (${how.filter(Boolean).join(', ')})`;
}

function outcomeText(incident: IncidentReport, options: RunTextOptions): string {
  const { paint } = options.style;
  const outcome = incident.outcome === null ? paint.bad(`not closed (${incident.status})`) : paintOutcome(paint, incident.outcome);
  const seconds = incident.record.timeToRemediateSeconds;
  const remediated = seconds === undefined ? '' : `, remediated in ${remediationTime(seconds, incident.record.incident)}`;
  const cause = incident.cause === null ? '' : `: ${printable(incident.cause)}`;
  const until = incident.overriddenUntil === null ? '' : ` until ${printable(incident.overriddenUntil)}`;
  return `${outcome}${remediated}${until}${cause}`;
}

/** The timeline, timed from when the replay applied the change (or from the detection, for a drift the sweep found). */
function timeline(incident: IncidentReport, options: RunTextOptions): string[] {
  const { width } = options.style;
  const { incident: carried, detectedAt } = incident.record;
  const start = carried.replayAppliedAt ?? detectedAt;
  const from = carried.replayAppliedAt === undefined ? `from the detection, ${start}` : `from when the replay applied the change, ${start}`;
  const steps = incident.timeline.map((entry) => ({
    when: offset(entry.at, start),
    step: entry.step,
    detail: stepDetail(entry.step, entry.detail, { wide: options.wide }),
  }));
  return [...fact('timeline', from, width), ...timelineLines(steps, width, '    ')];
}

/** One incident as people read it: who did what where, the verdict, how it ended and how fast, then its timeline. */
function formatRunIncident(incident: IncidentReport, options: RunTextOptions): string {
  const { width, paint } = options.style;
  const wide = options.wide === true;
  const { record } = incident;
  const mode = incident.mode === null ? '' : ` (${incident.mode})`;
  const lines = wrap(`${paint.strong(`Incident ${printable(incident.incidentId)}`)}: ${incident.verdict}${mode} -> ${incident.outcome === null ? 'not closed' : paintOutcome(paint, incident.outcome)}`, width, '', '  ');
  if (record.incident.invalid !== undefined) {
    lines.push(...fact('problem', record.incident.invalid.problem, width));
    lines.push(...fact('received', record.incident.invalid.excerpt.slice(0, 200), width));
  } else {
    lines.push(...fact('who', who(incident, wide), width));
    // In the words the email and Slack use, for every kind (functions/shared/notifications/kind-words.ts).
    lines.push(...fact('what', `${plainWhatHappened(record.incident)}, at ${record.incident.eventTime ?? record.detectedAt}`, width));
  }
  lines.push(...fact('verdict', `${incident.verdict}: ${incident.reason}`, width));
  if (incident.decision !== null) {
    const by = incident.decidedBy === null ? '' : ` by ${incident.decidedBy}`;
    lines.push(...fact('decision', `${incident.decision}${by}${record.decisionReason ? `: "${record.decisionReason}"` : ''}`, width));
  }
  lines.push(...fact('outcome', outcomeText(incident, options), width, true));
  for (const action of incident.actions ?? []) lines.push(...fact('action', actionText(action), width));
  for (const line of incident.report?.diff ?? []) lines.push(...fact('diff', line, width));
  const execution = incident.execution;
  if (execution !== null) {
    const calls = (lambda: number, states: number) => `${states} states, ${lambda} Lambda invocation${lambda === 1 ? '' : 's'}`;
    const before = execution.beforeFirstAttach;
    // Up to the first AttachPolicy, the invocation that makes it included.
    const toAttach = before === null ? '' : `; to the AttachPolicy: ${calls(before.lambdaInvocations, before.stateTransitions)}`;
    lines.push(
      ...fact('workflow', `${execution.status} in ${humanDuration(execution.durationSeconds)}: ${calls(execution.lambdaInvocations, execution.stateTransitions)}, ${execution.retries} retries${toAttach}`, width),
    );
    if (wide) lines.push(...fact('execution', execution.executionArn, width));
  }
  if (incident.deliveries > 1) lines.push(...fact('delivered', `${incident.deliveries} times (duplicates stopped at ClaimIncident)`, width));
  lines.push(...timeline(incident, options));
  return lines.join('\n');
}

/** Incidents by outcome, and the kinds under each: the table a replay ends with. */
export function summaryTable(report: LocalRunReport, options: RunTextOptions): string {
  const { width, paint } = options.style;
  const byOutcome = new Map<string, IncidentReport[]>();
  for (const incident of report.incidents) {
    const key = incident.outcome ?? 'NOT CLOSED';
    byOutcome.set(key, [...(byOutcome.get(key) ?? []), incident]);
  }
  const { events, unreadable } = report.inputs;
  const replayed = events === 0 ? '' : `${plural(events, 'event')} replayed, ${unreadable === 0 ? 'none unreadable' : `${unreadable} unreadable (not JSON: replayed as INVALID)`}; `;
  const heading = `${replayed}${plural(report.incidents.length, 'incident')}, ${plural(report.attachCalls, 'AttachPolicy call')}`;
  const rows = [...byOutcome.entries()].map(([outcome, incidents]) => {
    const kinds = new Map<string, number>();
    for (const incident of incidents) {
      const kind = incident.kind === null ? '(no kind)' : kindShort(incident.kind, incident.record.incident.driftOf);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    return { outcome, count: String(incidents.length), kinds: [...kinds.entries()].map(([kind, count]) => `${kind} ${count}`).join(', ') };
  });
  const outcomeWidth = Math.max('OUTCOME'.length, ...rows.map((row) => row.outcome.length));
  const countWidth = 'INCIDENTS'.length;
  const head = (outcome: string, count: string) => `  ${outcome.padEnd(outcomeWidth)}  ${count.padStart(countWidth)}  `;
  const lines = [...wrap(heading, width, '', '  ')];
  if (rows.length > 0) lines.push(`${head('OUTCOME', 'INCIDENTS')}KINDS`);
  for (const row of rows) {
    const start = head(row.outcome, row.count);
    // The outcome is painted once the line is laid out, so colour codes take no room.
    const wrapped = wrap(row.kinds, width, start, ' '.repeat(start.length));
    lines.push(wrapped[0].replace(row.outcome, row.outcome === 'NOT CLOSED' ? paint.bad(row.outcome) : paintOutcome(paint, row.outcome)), ...wrapped.slice(1));
  }
  return lines.join('\n');
}

/** The whole run, for a terminal: each incident, the summary table, each sweep and the notes. */
export function formatRun(report: LocalRunReport, options: RunTextOptions = { style: { width: Number.POSITIVE_INFINITY, paint: PLAIN } }): string {
  const { width } = options.style;
  const parts = report.incidents.map((incident) => formatRunIncident(incident, options));
  parts.push(summaryTable(report, options));
  report.sweeps.forEach((sweep, index) => parts.push(wrap(`sweep ${index + 1}: ${sweepLine(sweep)}`, width, '', '  ').join('\n')));
  for (const note of report.notes) parts.push(wrap(`note: ${printable(note)}`, width, '', '  ').join('\n'));
  return parts.join('\n\n');
}

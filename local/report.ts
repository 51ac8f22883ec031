import { actionText, plainWhatHappened } from '../functions/shared/notifications/kind-words';
import type { SweepResult } from '../functions/sweep/result';
import type { IncidentReport, LocalRunReport } from './runner';

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

function offset(at: string, start: string): string {
  const ms = Date.parse(at) - Date.parse(start);
  if (!Number.isFinite(ms)) return '        ';
  const sign = ms < 0 ? '-' : '+';
  return pad(`${sign}${(Math.abs(ms) / 1000).toFixed(3)}s`, 10);
}

function describeStep(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
}

function headline(incident: IncidentReport): string {
  const mode = incident.mode ? ` (${incident.mode})` : '';
  const outcome = incident.outcome ?? `not closed (${incident.status})`;
  const took = incident.execution ? ` in ${incident.execution.durationSeconds.toFixed(2)} s` : '';
  return `${incident.verdict}${mode} -> ${outcome}${took}`;
}

/** One incident as people read it: who detached what from where, and what happened then. */
export function formatIncident(incident: IncidentReport): string {
  const { record } = incident;
  const { actor } = record.incident;
  const lines = [`Incident ${incident.incidentId}: ${headline(incident)}`];
  const who = [actor.principalArn ?? actor.arn ?? 'an unknown caller', `(${actor.type}`, actor.console ? 'console' : 'API/CLI', actor.mfa === undefined ? '' : actor.mfa ? 'MFA' : 'no MFA', actor.sourceIp ? `from ${actor.sourceIp})` : ')']
    .filter(Boolean)
    .join(' ')
    .replace(' )', ')');
  if (record.incident.invalid !== undefined) {
    lines.push(`  problem:   ${record.incident.invalid.problem}`);
    lines.push(`  received:  ${record.incident.invalid.excerpt.slice(0, 200)}`);
  } else {
    lines.push(`  who:       ${who}`);
    // In the words the email and Slack use, for every kind (functions/shared/notifications/kind-words.ts).
    lines.push(`  what:      ${plainWhatHappened(record.incident)} (${record.incident.eventTime ?? record.detectedAt})`);
  }
  lines.push(`  verdict:   ${incident.verdict}: ${incident.reason}`);
  if (incident.decision) lines.push(`  decision:  ${incident.decision}${incident.decidedBy ? ` by ${incident.decidedBy}` : ''}${record.decisionReason ? `: "${record.decisionReason}"` : ''}`);
  lines.push(`  outcome:   ${incident.outcome ?? incident.status}${incident.cause ? `: ${incident.cause}` : ''}${incident.overriddenUntil ? ` until ${incident.overriddenUntil}` : ''}`);
  if (incident.execution) {
    const e = incident.execution;
    lines.push(`  workflow:  ${e.status}, ${e.durationSeconds.toFixed(2)} s, ${e.stateTransitions} states, ${e.lambdaInvocations} Lambda invocations, ${e.retries} retries`);
    // Up to the first AttachPolicy, the invocation that makes it included.
    if (e.beforeFirstAttach) lines.push(`  to attach: ${e.beforeFirstAttach.lambdaInvocations} Lambda invocations, ${e.beforeFirstAttach.stateTransitions} states`);
  }
  for (const action of incident.actions ?? []) lines.push(`  action:    ${actionText(action)}`);
  if (incident.report?.diff !== undefined) for (const line of incident.report.diff) lines.push(`  diff:      ${line}`);
  if (incident.deliveries > 1) lines.push(`  delivered: ${incident.deliveries} times (duplicates stopped at ClaimIncident)`);
  // The detach may be long past (a replayed record): steps are timed from the classification.
  const start = incident.timeline.find((entry) => entry.step === 'classified')?.at ?? incident.timeline[0]?.at ?? '';
  lines.push(`  timeline:  (seconds after the event was classified at ${start})`);
  for (const entry of incident.timeline) {
    const when = entry.step === 'detected' ? pad('(event)', 10) : offset(entry.at, start);
    lines.push(`    ${when} ${pad(entry.step, 20)} ${describeStep(entry.detail)}`.trimEnd());
  }
  return lines.join('\n');
}

/** One sweep in a line: the desired pairs, what changed, what drifted, what it cost. */
export function sweepLine(result: SweepResult): string {
  const drift = result.drift.length === 0 ? 'no drift' : `${result.drift.length} drift (${result.incidents.length} incident${result.incidents.length === 1 ? '' : 's'} started)`;
  const warned = result.declaredNotAttached.length + result.warnings.length;
  return `${result.desiredPairs} desired pairs, ${result.changes.length} entries recorded, ${drift}${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}; ${result.calls.total} calls in ${result.seconds.toFixed(2)} s`;
}

/** The whole run, for a terminal. */
export function formatRun(report: LocalRunReport): string {
  const parts = report.incidents.map(formatIncident);
  const outcomes = new Map<string, number>();
  for (const incident of report.incidents) outcomes.set(incident.outcome ?? 'OPEN', (outcomes.get(incident.outcome ?? 'OPEN') ?? 0) + 1);
  const summary = [...outcomes.entries()].map(([outcome, count]) => `${count} ${outcome}`).join(', ');
  parts.push(`${report.incidents.length} incidents (${summary}); ${report.attachCalls} AttachPolicy calls`);
  report.sweeps.forEach((sweep, index) => parts.push(`sweep ${index + 1}: ${sweepLine(sweep)}`));
  for (const note of report.notes) parts.push(`note: ${note}`);
  return parts.join('\n\n');
}

/** The documented JSON document (DESIGN.md), with each incident's extra detail beside it. */
export function toJsonDocument(report: LocalRunReport): Record<string, unknown> {
  return {
    incidents: report.incidents.map(({ record: _record, ...incident }) => incident),
    attachCalls: report.attachCalls,
    organization: report.organization,
    notes: report.notes,
    // Each sweep of the run; its drift incidents are in `incidents` like any other.
    sweeps: report.sweeps.map(({ drift, incidents, declaredNotAttached, warnings, desiredPairs, changes, calls, seconds }) => ({
      drift,
      incidents,
      declaredNotAttached,
      warnings,
      desiredPairs,
      changes: changes.length,
      calls,
      seconds,
    })),
  };
}

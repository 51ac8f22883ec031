import type { IncidentRecord, TimelineEntry } from '../../functions/shared/audit/records';
import { toAuditRow } from './rows';
import { printable } from './terminal-text';

const LABEL_WIDTH = 19;

const joined = (...parts: (string | null | undefined)[]) => parts.filter((part) => part !== null && part !== undefined && part !== '').join('  ');

function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

/** `audit show`: the incident, one labelled line per fact, then its timeline, oldest first. */
export function formatIncident(record: IncidentRecord, timeline: readonly TimelineEntry[]): string {
  const row = toAuditRow(record);
  const facts: [string, string | null][] = [
    ['Incident', row.incidentId],
    ['Status', row.status],
    ['Detected', row.detectedAt],
    ['Verdict', `${row.verdict}: ${row.reason}`],
    ['Rule', row.rule],
    ['Mode', row.mode],
    ['Policy', joined(row.policyId, row.policyName, row.policyType && `(${row.policyType})`)],
    ['Target', joined(row.targetId, row.targetName, row.targetType && `(${row.targetType})`)],
    ['Actor', joined(row.actorType, row.actorArn)],
    ['Caller ARN', row.actorIdentityArn],
    ['Session issuer', row.actorSessionIssuerArn],
    ['Account', row.actorAccountId],
    ['Source IP', row.sourceIp],
    ['User agent', row.userAgent],
    ['Console', row.console === null ? null : row.console ? 'yes' : 'no'],
    ['Decision', row.decision === null ? null : joined(row.decision, row.decidedBy && `by ${row.decidedBy}`, row.decidedAt && `at ${row.decidedAt}`)],
    ['Decision reason', row.decisionReason],
    ['Outcome', row.outcome],
    ['Cause', row.cause],
    ['Reattached at', row.reattachedAt],
    ['Time to remediate', row.timeToRemediateSeconds === null ? null : `${row.timeToRemediateSeconds} s`],
    ['Closed at', row.closedAt],
    ['Execution', row.executionArn],
  ];
  const lines = facts.filter(([, value]) => value !== null && value !== '').map(([label, value]) => `${label.padEnd(LABEL_WIDTH)}${printable(value as string)}`);
  const stepWidth = Math.max(0, ...timeline.map((entry) => entry.step.length));
  const atWidth = Math.max(0, ...timeline.map((entry) => entry.at.length));
  lines.push('', `Timeline (${timeline.length} ${timeline.length === 1 ? 'step' : 'steps'})`);
  for (const entry of timeline) {
    lines.push(printable(`  ${entry.at.padEnd(atWidth)}  ${entry.step.padEnd(stepWidth)}  ${detailText(entry.detail)}`).trimEnd());
  }
  return lines.join('\n');
}

import type { IncidentRecord, TimelineEntry } from '../../functions/shared/audit/records';
import { humanDuration } from '../../functions/shared/duration';
import type { RestoreAction, RestoreReport } from '../../functions/shared/incident';
import { actionText, actionsSummary, kindFacts, readableContent } from '../../functions/shared/notifications/kind-words';
import { TimelineStep } from '../../functions/shared/vocabulary';
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

/** The restoration's actions and report: from the record, else from the timeline's closing step. */
function restorationOf(record: IncidentRecord, timeline: readonly TimelineEntry[]): { actions?: RestoreAction[]; report?: RestoreReport } {
  const closed = [...timeline].reverse().find((entry) => entry.step === TimelineStep.CLOSED)?.detail;
  const actions = record.actions ?? (Array.isArray(closed?.actions) ? (closed.actions as RestoreAction[]) : undefined);
  const report = record.report ?? (typeof closed?.report === 'object' && closed.report !== null ? (closed.report as RestoreReport) : undefined);
  return { actions, report };
}

/** The kind's facts that the common lines do not already give (the policy and the target are). */
const COMMON_LABELS = new Set(['What', 'From', 'Policy']);

/** A titled block of lines, indented, after a blank line. */
function block(title: string, lines: readonly string[] | undefined): string[] {
  return lines === undefined || lines.length === 0 ? [] : ['', title, ...lines.map((text) => printable(`  ${text}`).trimEnd())];
}

/**
 * `audit show`: the incident, one labelled line per fact (the kind's own among them), the
 * restoration's actions, a rewrite's diff and a deleted or rewritten policy's last known content,
 * then its timeline, oldest first.
 */
export function formatIncident(record: IncidentRecord, timeline: readonly TimelineEntry[]): string {
  const row = toAuditRow(record);
  const { actions, report } = restorationOf(record, timeline);
  const kindLines = kindFacts(record.incident, report)
    .filter(([label, value]) => value !== undefined && !COMMON_LABELS.has(label))
    .map(([label, value]): [string, string | null] => [label, value ?? null]);
  const facts: [string, string | null][] = [
    ['Incident', row.incidentId],
    ['Status', row.status],
    ['Detected', row.detectedAt],
    ['Source', row.source],
    ['Verdict', `${row.verdict}: ${row.reason}`],
    ['Rule', row.rule],
    ['Mode', row.mode],
    ['Policy', joined(row.policyId, row.policyName, row.policyType && `(${row.policyType})`)],
    ['Target', joined(row.targetId, row.targetName, row.targetType && `(${row.targetType})`)],
    ...kindLines,
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
    ['Time to remediate', row.timeToRemediateSeconds === null ? null : humanDuration(row.timeToRemediateSeconds)],
    ['Actions', actions === undefined || actions.length === 0 ? null : actionsSummary(actions)],
    ['Closed at', row.closedAt],
    ['Execution', row.executionArn],
  ];
  const lines = facts.filter(([, value]) => value !== null && value !== '').map(([label, value]) => `${label.padEnd(LABEL_WIDTH)}${printable(value as string)}`);
  lines.push(
    ...block('Actions, in order:', actions?.map(actionText)),
    ...block('What changed:', report?.diff),
    ...block('Last known content:', report?.lastKnownContent === undefined ? undefined : readableContent(report.lastKnownContent).split('\n')),
  );
  const stepWidth = Math.max(0, ...timeline.map((entry) => entry.step.length));
  const atWidth = Math.max(0, ...timeline.map((entry) => entry.at.length));
  lines.push('', `Timeline (${timeline.length} ${timeline.length === 1 ? 'step' : 'steps'})`);
  for (const entry of timeline) {
    lines.push(printable(`  ${entry.at.padEnd(atWidth)}  ${entry.step.padEnd(stepWidth)}  ${detailText(entry.detail)}`).trimEnd());
  }
  return lines.join('\n');
}

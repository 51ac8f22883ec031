import type { IncidentRecord, TimelineEntry } from '../../functions/shared/audit/records';
import { remediationTime } from '../../functions/shared/duration';
import type { RestoreAction, RestoreReport } from '../../functions/shared/incident';
import { actionText, actionsSummary, kindFacts, readableContent } from '../../functions/shared/notifications/kind-words';
import { TimelineStep } from '../../functions/shared/vocabulary';
import { toAuditRow } from './rows';
import { paintOutcome, PLAIN, type TextStyle } from '../terminal/style';
import { printable, wrap } from '../terminal/text';
import { stepDetail, timelineLines } from './timeline-text';

const LABEL_WIDTH = 19;

const joined = (...parts: (string | null | undefined)[]) => parts.filter((part) => part !== null && part !== undefined && part !== '').join('  ');

/**
 * An execution as the default output names it: `state-machine:execution-name`, which finds it in
 * the Step Functions console; `--wide` prints the whole ARN.
 */
export function executionName(arn: string): string {
  const match = /^arn:[^:]+:states:[^:]*:\d*:execution:(.+)$/.exec(arn);
  return match === null ? arn : match[1];
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
function block(title: string, lines: readonly string[] | undefined, width: number): string[] {
  if (lines === undefined || lines.length === 0) return [];
  // A policy's JSON keeps its indentation; a line too long goes on under itself.
  const wrapped = (text: string) => {
    const lead = `  ${/^ */.exec(text)?.[0] ?? ''}`;
    return wrap(printable(text.trimStart()), width, lead, `${lead}  `);
  };
  return ['', title, ...lines.flatMap(wrapped)];
}

/**
 * `audit show`: the incident, one labelled line per fact (the kind's own among them), the
 * restoration's actions, a rewrite's diff and a deleted or rewritten policy's last known content,
 * then its timeline, oldest first. Long values wrap within `style.width`; `wide` leaves every
 * line whole and adds what the default leaves out (the execution's ARN, on every step too).
 */
export function formatIncident(
  record: IncidentRecord,
  timeline: readonly TimelineEntry[],
  style: TextStyle = { width: Number.POSITIVE_INFINITY, paint: PLAIN },
  options: { wide?: boolean } = {},
): string {
  const { width, paint } = style;
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
    ['Outcome', row.outcome === null ? null : paintOutcome(paint, row.outcome)],
    ['Cause', row.cause],
    ['Reattached at', row.reattachedAt],
    ['Time to remediate', row.timeToRemediateSeconds === null ? null : remediationTime(row.timeToRemediateSeconds, record.incident)],
    ['Actions', actions === undefined || actions.length === 0 ? null : actionsSummary(actions)],
    ['Closed at', row.closedAt],
    ['Execution', row.executionArn === null || options.wide === true ? row.executionArn : executionName(row.executionArn)],
  ];
  const hang = ' '.repeat(LABEL_WIDTH);
  const lines = facts
    .filter(([, value]) => value !== null && value !== '')
    // Colour codes are not printable text: the outcome is painted after printable().
    .flatMap(([label, value]) => wrap(label === 'Outcome' ? (value as string) : printable(value as string), width, label.padEnd(LABEL_WIDTH), hang));
  lines.push(
    ...block('Actions, in order:', actions?.map(actionText), width),
    ...block('What changed:', report?.diff, width),
    ...block('Last known content:', report?.lastKnownContent === undefined ? undefined : readableContent(report.lastKnownContent).split('\n'), width),
  );
  lines.push('', `Timeline (${timeline.length} ${timeline.length === 1 ? 'step' : 'steps'})`);
  lines.push(...timelineLines(timeline.map((entry) => ({ when: printable(entry.at), step: entry.step, detail: stepDetail(entry.step, entry.detail, options) })), width));
  return lines.join('\n');
}

import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { CANARY_ATTRIBUTE, isRoutineCanaryNotice } from '../canary';
import { SELF_TEST_ATTRIBUTE } from '../self-test';
import { remediationTime } from '../duration';
import type { Closure, Incident } from '../incident';
import { Decision, Kind, OnTimeout } from '../vocabulary';
import { actionText, kindFacts, plainWords, readableContent, remedyWords, wordsKind } from './kind-words';
import type { Notice } from './notice';
import { headline, noticePriority, shortHeadline } from './notice';

/** SNS rejects subjects of 100 characters or more, and anything but printable ASCII. */
export const MAX_SUBJECT = 99;

/** The email subject: what happened and what will happen, under SNS's 100 characters. */
export function emailSubject(notice: Notice): string {
  return shortHeadline(notice, MAX_SUBJECT).replace(/[^\x20-\x7e]/g, '?');
}

const LABEL_WIDTH = 14;
const line = (label: string, value: unknown) => (value === undefined || value === '' ? undefined : `${label.padEnd(LABEL_WIDTH)}${String(value)}`);

function ifUndecided(incident: Incident): string {
  const onTimeout = incident.approval?.onTimeout ?? OnTimeout.REATTACH;
  const words = remedyWords(incident);
  return `${plainWords(onTimeout === OnTimeout.KEEP_DETACHED ? words.stays : words.restores)} (onTimeout: ${onTimeout})`;
}

function decisionText(incident: Incident, closure: Closure | undefined): string | undefined {
  if (closure?.decision === undefined) return undefined;
  switch (closure.decision) {
    case Decision.TIMEOUT:
      return `TIMEOUT: nobody decided within the window, so onTimeout (${incident.approval?.onTimeout ?? OnTimeout.REATTACH}) applied`;
    case Decision.AUTO:
      return `AUTO: the rule ${remedyWords(incident).autoVerb} without asking (mode auto)`;
    default:
      return `${closure.decision}${closure.decidedBy ? ` by ${closure.decidedBy}` : ''}`;
  }
}

/** How to decide without Slack, for the awaiting-decision email. */
function howToDecide(incident: Incident): string[] {
  const { incidentId } = incident;
  return [
    'To decide, use the buttons in Slack, or run one of:',
    `  scp-guardian decide ${incidentId} --approve`,
    `  scp-guardian decide ${incidentId} --override --reason "${remedyWords(incident).keepReason}"`,
    'An override lasts the rules\' overrides.defaultHours; add --for 30m, 8h or 2d to choose (up to overrides.maxHours).',
  ];
}

/** When an override ends, and what happens then. */
function overrideEnds(incident: Incident, until: string): string {
  const what = wordsKind(incident) === Kind.DETACHED || wordsKind(incident) === Kind.DRIFT || incident.kind === undefined ? 'the policy' : 'the protection';
  return `${until}; then ${what} is restored in its rule's mode (an approval rule asks again)`;
}

/** A titled block of lines, indented, after a blank line; nothing when there are no lines. */
function block(title: string, lines: readonly string[] | undefined): string[] {
  return lines === undefined || lines.length === 0 ? [] : ['', title, ...lines.map((text) => `  ${text}`)];
}

/**
 * The kind's own blocks: every write of the restoration (the closing notice), what a rewrite
 * changed, and a deleted or rewritten policy's last known content.
 */
function kindBlocks(closure: Closure | undefined): string[] {
  const report = closure?.report;
  return [
    ...block('Actions, in order:', closure?.actions?.map(actionText)),
    ...block('What changed (the statements removed, added and changed):', report?.diff),
    ...block('Last known content:', report?.lastKnownContent === undefined ? undefined : readableContent(report.lastKnownContent).split('\n')),
  ];
}

/** A plain-text body that reads well in any mail client: who, what, where, when, and what now. */
export function emailBody(notice: Notice): string {
  const { incident, closure } = notice;
  const actor = incident.actor;
  const lines = [
    headline(notice),
    '',
    ...kindFacts(incident, closure?.report).map(([label, value]) => line(label, value)),
    line('Who', `${actor.principalArn ?? actor.arn ?? 'unknown'} (${actor.type})`),
    line('Session', actor.sessionIssuerArn ? actor.arn : undefined),
    line('From where', [actor.sourceIp, actor.console ? 'console' : 'API/CLI', actor.mfa === undefined ? undefined : actor.mfa ? 'MFA' : 'no MFA'].filter(Boolean).join(', ')),
    line('User agent', actor.userAgent),
    line('When', incident.eventTime ?? incident.detectedAt),
    line('Verdict', `${incident.verdict}: ${incident.reason}`),
    line('Rule', incident.rule ? `${incident.rule.explanation}${incident.rule.description ? ` (${incident.rule.description})` : ''}` : undefined),
    line('Mode', incident.mode),
    line('Deadline', notice.phase === 'awaiting-decision' ? notice.deadline : undefined),
    line('If undecided', notice.phase === 'awaiting-decision' ? ifUndecided(incident) : undefined),
    line('Decision', decisionText(incident, closure)),
    line('Reason', closure?.decisionReason),
    line('Outcome', closure?.outcome),
    line('Override ends', closure?.overriddenUntil === undefined ? undefined : overrideEnds(incident, closure.overriddenUntil)),
    line('Cause', closure?.cause),
    line('Audit trail', closure?.recorded === false ? `NOT RECORDED: the audit store could not take the closing (${(closure.auditErrors ?? []).join('; ')}); the workflow fails so the alarm fires` : undefined),
    line('Remediated in', closure?.timeToRemediateSeconds === undefined ? undefined : remediationTime(closure.timeToRemediateSeconds, incident)),
    line('Incident', incident.incidentId),
    line('Problem', incident.invalid?.problem),
    ...kindBlocks(closure),
    ...(notice.phase === 'awaiting-decision' ? ['', ...howToDecide(incident)] : []),
    '',
    `Full timeline: scp-guardian audit show ${incident.incidentId}`,
  ];
  return lines.filter((l): l is string => l !== undefined).join('\n');
}

/**
 * Attributes for SNS subscription filter policies: verdict, outcome, policyId and targetId, plus
 * the phase, mode, decision, incident id, kind and a severity (critical, info, or low for an
 * ignored principal's change), and the marks of the self-test and of the canary's routine notices.
 * SNS allows ten attributes per message: a marked notice (always of kind DETACHED) leaves the kind
 * out, so it carries nine attributes at most besides its one mark (the two never come together).
 */
export function messageAttributes(notice: Notice): Record<string, MessageAttributeValue> {
  const selfTest = notice.incident.selfTest === true;
  const routineCanary = isRoutineCanaryNotice(notice.incident, notice.closure);
  const attributes: Record<string, string | undefined> = {
    phase: notice.phase,
    kind: selfTest || routineCanary ? undefined : notice.incident.kind,
    verdict: notice.incident.verdict,
    mode: notice.incident.mode,
    decision: notice.closure?.decision,
    outcome: notice.closure?.outcome,
    policyId: notice.incident.policy.id,
    targetId: notice.incident.target.id,
    incidentId: notice.incident.incidentId,
    severity: { critical: 'critical', normal: 'info', low: 'low' }[noticePriority(notice)],
    // Only on the self-test: email subscriptions filter on its absence.
    [SELF_TEST_ATTRIBUTE]: selfTest ? 'true' : undefined,
    // Only on the daily canary's routine notices: a canary that did not come back reaches everyone.
    [CANARY_ATTRIBUTE]: routineCanary ? 'true' : undefined,
  };
  return Object.fromEntries(
    Object.entries(attributes)
      .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
      .map(([key, value]) => [key, { DataType: 'String', StringValue: value }]),
  );
}

import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { CANARY_ATTRIBUTE, isRoutineCanaryNotice } from '../canary';
import { SELF_TEST_ATTRIBUTE } from '../self-test';
import type { Closure, Incident } from '../incident';
import { Decision, OnTimeout } from '../vocabulary';
import type { Notice } from './notice';
import { headline, noticePriority, policyLabel, shortHeadline, targetLabel } from './notice';

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
  return onTimeout === OnTimeout.KEEP_DETACHED ? `the policy stays detached (onTimeout: ${onTimeout})` : `the policy is reattached (onTimeout: ${onTimeout})`;
}

function decisionText(incident: Incident, closure: Closure | undefined): string | undefined {
  if (closure?.decision === undefined) return undefined;
  switch (closure.decision) {
    case Decision.TIMEOUT:
      return `TIMEOUT: nobody decided within the window, so onTimeout (${incident.approval?.onTimeout ?? OnTimeout.REATTACH}) applied`;
    case Decision.AUTO:
      return 'AUTO: the rule reattaches without asking (mode auto)';
    default:
      return `${closure.decision}${closure.decidedBy ? ` by ${closure.decidedBy}` : ''}`;
  }
}

/** How to decide without Slack, for the awaiting-decision email. */
function howToDecide(incidentId: string): string[] {
  return [
    'To decide, use the buttons in Slack, or run one of:',
    `  scp-guardian decide ${incidentId} --approve`,
    `  scp-guardian decide ${incidentId} --override --reason "why it stays detached"`,
    'An override lasts the rules\' overrides.defaultHours; add --for 30m, 8h or 2d to choose (up to overrides.maxHours).',
  ];
}

/** A plain-text body that reads well in any mail client: who, what, where, when, and what now. */
export function emailBody(notice: Notice): string {
  const { incident, closure } = notice;
  const actor = incident.actor;
  const lines = [
    headline(notice),
    '',
    line('What', policyLabel(incident)),
    line('From', `${targetLabel(incident.target)}${incident.target.id ? ` [${incident.target.id}]` : ''}`),
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
    line('Override ends', closure?.overriddenUntil === undefined ? undefined : `${closure.overriddenUntil}; then the policy is restored in its rule's mode (an approval rule asks again)`),
    line('Cause', closure?.cause),
    line('Audit trail', closure?.recorded === false ? `NOT RECORDED: the audit store could not take the closing (${(closure.auditErrors ?? []).join('; ')}); the workflow fails so the alarm fires` : undefined),
    line('Remediated in', closure?.timeToRemediateSeconds === undefined ? undefined : `${closure.timeToRemediateSeconds.toFixed(1)} s`),
    line('Incident', incident.incidentId),
    line('Problem', incident.invalid?.problem),
    ...(notice.phase === 'awaiting-decision' ? ['', ...howToDecide(incident.incidentId)] : []),
    '',
    `Full timeline: scp-guardian audit show ${incident.incidentId}`,
  ];
  return lines.filter((l): l is string => l !== undefined).join('\n');
}

/**
 * Attributes for SNS subscription filter policies: verdict, outcome, policyId and targetId, plus
 * the phase, mode, decision, incident id and a severity (critical, info, or low for an ignored
 * principal's change), and the marks of the self-test and of the canary's routine notices. SNS
 * allows ten attributes per message: the two marks never come together (a notice carries nine
 * attributes at most besides one mark).
 */
export function messageAttributes(notice: Notice): Record<string, MessageAttributeValue> {
  const attributes: Record<string, string | undefined> = {
    phase: notice.phase,
    verdict: notice.incident.verdict,
    mode: notice.incident.mode,
    decision: notice.closure?.decision,
    outcome: notice.closure?.outcome,
    policyId: notice.incident.policy.id,
    targetId: notice.incident.target.id,
    incidentId: notice.incident.incidentId,
    severity: { critical: 'critical', normal: 'info', low: 'low' }[noticePriority(notice)],
    // Only on the self-test: email subscriptions filter on its absence.
    [SELF_TEST_ATTRIBUTE]: notice.incident.selfTest === true ? 'true' : undefined,
    // Only on the daily canary's routine notices: a canary that did not come back reaches everyone.
    [CANARY_ATTRIBUTE]: isRoutineCanaryNotice(notice.incident, notice.closure) ? 'true' : undefined,
  };
  return Object.fromEntries(
    Object.entries(attributes)
      .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
      .map(([key, value]) => [key, { DataType: 'String', StringValue: value }]),
  );
}

import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import type { Notice } from './notice';
import { headline, policyLabel, targetLabel } from './notice';

/** SNS rejects subjects of 100 characters or more, and anything but printable ASCII. */
const MAX_SUBJECT = 99;

export function emailSubject(notice: Notice): string {
  const ascii = headline(notice).replace(/[^\x20-\x7e]/g, '?');
  return ascii.length <= MAX_SUBJECT ? ascii : `${ascii.slice(0, MAX_SUBJECT - 1)}~`;
}

const line = (label: string, value: unknown) => (value === undefined || value === '' ? undefined : `${label.padEnd(14)}${String(value)}`);

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
    line('Deadline', notice.deadline ? `${notice.deadline}; if nobody decides: ${incident.approval?.onTimeout ?? 'reattach'}` : undefined),
    line('Decision', closure?.decision ? `${closure.decision}${closure.decidedBy ? ` by ${closure.decidedBy}` : ''}` : undefined),
    line('Reason', closure?.decisionReason),
    line('Outcome', closure?.outcome),
    line('Cause', closure?.cause),
    line('Remediated in', closure?.timeToRemediateSeconds === undefined ? undefined : `${closure.timeToRemediateSeconds.toFixed(1)} s`),
    line('Incident', incident.incidentId),
    line('Problem', incident.invalid?.problem),
    '',
    `Full timeline: scp-guardian audit show ${incident.incidentId}`,
  ];
  return lines.filter((l): l is string => l !== undefined).join('\n');
}

/** Attributes for SNS subscription filter policies. */
export function messageAttributes(notice: Notice): Record<string, MessageAttributeValue> {
  const attributes: Record<string, string | undefined> = {
    phase: notice.phase,
    verdict: notice.incident.verdict,
    outcome: notice.closure?.outcome,
    policyId: notice.incident.policy.id,
    targetId: notice.incident.target.id,
    severity: notice.closure?.outcome === 'FAILED' ? 'critical' : 'info',
  };
  return Object.fromEntries(
    Object.entries(attributes)
      .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
      .map(([key, value]) => [key, { DataType: 'String', StringValue: value }]),
  );
}

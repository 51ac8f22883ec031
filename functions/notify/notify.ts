import type { SNSClient } from '@aws-sdk/client-sns';
import type { MetricSink } from '../shared/incident-metrics';
import { MetricName } from '../shared/metrics';
import { selfTestPassed } from '../shared/self-test';
import type { AuditStore } from '../shared/audit/audit-store';
import type { IncidentRecord } from '../shared/audit/records';
import { describeError, NotificationFailedError } from '../shared/errors';
import type { Closure, Incident } from '../shared/incident';
import type { Log } from '../shared/log';
import type { Notice } from '../shared/notifications/notice';
import type { SlackTarget } from '../shared/notifications/slack-poster';
import { publishNotice } from '../shared/notifications/sns-publisher';
import { incidentMessage, type IncidentMessageState } from '../shared/slack/messages';
import { TimelineStep } from '../shared/vocabulary';

export interface NotifyInput {
  phase: 'opened' | 'closed';
  incident: Incident;
  closure?: Closure;
}

export interface NotifyDependencies {
  sns: SNSClient;
  topicArn: string;
  audit: AuditStore;
  /** Undefined when Slack is not configured. */
  slack?: SlackTarget;
  log: Log;
  /** Where the self-test reports that it went all the way through (CloudWatch in Lambda). */
  metrics?: MetricSink;
}

export interface NotifyResult {
  snsMessageId?: string;
  slack: { ts: string } | { error: string } | 'not configured';
}

function slackState(input: NotifyInput, record: IncidentRecord | undefined): IncidentMessageState {
  if (input.phase === 'opened' || input.closure === undefined) return { kind: 'detected' };
  const { closure } = input;
  return {
    kind: 'closed',
    outcome: closure.outcome,
    cause: closure.cause,
    timeToRemediateSeconds: closure.timeToRemediateSeconds,
    decision:
      closure.decision === undefined
        ? undefined
        : { decision: closure.decision, by: closure.decidedBy, reason: closure.decisionReason, at: record?.decidedAt ?? closure.closedAt },
  };
}

/** Posts the incident's message, or updates the one already posted for it. */
async function deliverToSlack(input: NotifyInput, slack: SlackTarget, audit: AuditStore): Promise<{ ts: string }> {
  const record = await audit.getIncident(input.incident.incidentId);
  const message = incidentMessage(input.incident, slackState(input, record));
  const existing = record?.slackMessage;
  if (existing !== undefined) {
    // A retried "opened" notice must not post twice; a "closed" one updates the message in place.
    if (input.phase === 'closed') await slack.poster.update(existing.channel, existing.ts, message);
    return { ts: existing.ts };
  }
  const posted = await slack.poster.post(slack.channel, message);
  await audit.recordSlackMessage(input.incident.incidentId, posted);
  return { ts: posted.ts };
}

/** The notice of this phase already recorded as sent (a retried task), if any. */
async function alreadyNotified(input: NotifyInput, audit: AuditStore): Promise<NotifyResult | undefined> {
  const timeline = await audit.getTimeline(input.incident.incidentId);
  const sent = timeline.find((entry) => entry.step === TimelineStep.NOTIFIED && entry.detail.phase === input.phase);
  if (sent === undefined) return undefined;
  return { snsMessageId: sent.detail.snsMessageId as string | undefined, slack: (sent.detail.slack as NotifyResult['slack'] | undefined) ?? 'not configured' };
}

/**
 * Tells people: email through SNS, and Slack when configured. A Slack failure is recorded and
 * never fails the step; an SNS failure throws NotificationFailed (after Slack was tried) so the
 * workflow retries it. A phase already recorded as sent is not sent again.
 */
export async function notify(input: NotifyInput, deps: NotifyDependencies): Promise<NotifyResult> {
  // One notice per phase and incident, even when Step Functions runs the task again.
  const sent = await alreadyNotified(input, deps.audit);
  if (sent !== undefined) {
    deps.log.info('notice already sent', { phase: input.phase });
    return sent;
  }
  const notice: Notice = { phase: input.phase, incident: input.incident, closure: input.closure };
  let snsMessageId: string | undefined;
  let snsError: NotificationFailedError | undefined;
  try {
    snsMessageId = await publishNotice(deps.sns, deps.topicArn, notice);
  } catch (error) {
    snsError = error as NotificationFailedError;
  }

  let slack: NotifyResult['slack'] = 'not configured';
  // The daily self-test proves email delivery; a daily Slack post would only teach people to ignore the channel.
  if (deps.slack !== undefined && input.incident.selfTest !== true) {
    try {
      slack = await deliverToSlack(input, deps.slack, deps.audit);
    } catch (error) {
      slack = { error: describeError(error) };
      deps.log.warn('Slack delivery failed', { phase: input.phase, error: slack.error });
    }
  }

  const at = new Date().toISOString();
  for (const [channel, error] of [['email', snsError?.message], ['slack', typeof slack === 'object' && 'error' in slack ? slack.error : undefined]] as const) {
    if (error === undefined) continue;
    await deps.audit.appendTimeline(input.incident.incidentId, {
      step: TimelineStep.NOTIFICATION_FAILED,
      occurrence: `${input.phase}#${channel}#${at}`,
      at,
      detail: { phase: input.phase, channel, error },
    });
  }
  if (snsError !== undefined) throw snsError;
  // The self-test's last step: its closing notice reached the topic, so the whole pipeline works.
  if (input.phase === 'closed' && input.incident.selfTest === true && selfTestPassed(input.incident)) {
    deps.metrics?.([{ name: MetricName.SELF_TEST_PASSED, unit: 'Count', value: 1, dimensions: {} }]);
  }
  await deps.audit.appendTimeline(input.incident.incidentId, {
    step: TimelineStep.NOTIFIED,
    occurrence: input.phase,
    at,
    detail: { phase: input.phase, snsMessageId, slack },
  });
  return { snsMessageId, slack };
}

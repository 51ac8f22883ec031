import type { SNSClient } from '@aws-sdk/client-sns';
import type { MetricSink } from '../shared/incident-metrics';
import { MetricName } from '../shared/metrics';
import { isRoutineCanaryNotice } from '../shared/canary';
import { selfTestPassed } from '../shared/self-test';
import type { AuditStore } from '../shared/audit/audit-store';
import type { IncidentRecord } from '../shared/audit/records';
import { closureOf, type WorkflowResult } from '../shared/closure';
import { describeError, NotificationFailedError } from '../shared/errors';
import type { Closure, Incident } from '../shared/incident';
import type { Log } from '../shared/log';
import type { Notice } from '../shared/notifications/notice';
import type { SlackTarget } from '../shared/slack/slack-poster';
import { publishNotice } from '../shared/notifications/sns-publisher';
import { incidentMessage, type IncidentMessageState } from '../shared/slack/messages';
import { TimelineStep } from '../shared/vocabulary';

export interface NotifyInput {
  phase: 'opened' | 'closed';
  incident: Incident;
  /**
   * For "closed": what CloseIncident recorded, or, when the audit store could not take it
   * (CloseNotRecorded), `{recorded: false, error, cause}`; the closure is then worked
   * out from `result`.
   */
  closure?: Closure | UnrecordedClosure;
  /** The workflow's `$.result`, for a closure that could not be recorded. */
  result?: WorkflowResult;
}

/** CloseNotRecorded's stand-in for a closure: the audit store refused it. */
export interface UnrecordedClosure {
  recorded: false;
  error?: string;
  cause?: string;
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
  /** Audit reads and writes that failed; the notice went out all the same. */
  auditErrors?: string[];
}

/** The closure to tell, even when the audit store could not record it: then from the workflow's result. */
function closureToTell(input: NotifyInput): Closure | undefined {
  const { closure } = input;
  if (closure === undefined || 'outcome' in closure) return closure;
  if (input.result === undefined) return undefined;
  const why = `${closure.error ?? 'the audit store refused it'}${closure.cause ? `: ${closure.cause}` : ''}`;
  return { ...closureOf(input.incident, input.result, undefined, new Date().toISOString()), recorded: false, auditErrors: [`closing: ${why}`] };
}

function slackState(input: NotifyInput, closure: Closure | undefined, record: IncidentRecord | undefined): IncidentMessageState {
  if (input.phase === 'opened' || closure === undefined) return { kind: 'detected' };
  return {
    kind: 'closed',
    outcome: closure.outcome,
    cause: closure.cause,
    timeToRemediateSeconds: closure.timeToRemediateSeconds,
    ...(closure.overriddenUntil !== undefined ? { overriddenUntil: closure.overriddenUntil } : {}),
    ...(closure.actions !== undefined ? { actions: closure.actions } : {}),
    ...(closure.report !== undefined ? { report: closure.report } : {}),
    decision:
      closure.decision === undefined
        ? undefined
        : { decision: closure.decision, by: closure.decidedBy, reason: closure.decisionReason, at: record?.decidedAt ?? closure.closedAt },
  };
}

/**
 * Reads or writes the audit store on the way to telling people: a failure is noted in
 * `auditErrors` and the notice goes on, since telling people must not wait for the trail.
 */
async function tryAudit<T>(what: string, auditErrors: string[], call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    auditErrors.push(`${what}: ${describeError(error)}`);
    return undefined;
  }
}

/**
 * Posts the incident's message, or updates the one already posted for it. When the audit store
 * cannot say where that message is, a new one is posted: better twice than not at all.
 */
async function deliverToSlack(input: NotifyInput, closure: Closure | undefined, slack: SlackTarget, audit: AuditStore, auditErrors: string[]): Promise<{ ts: string }> {
  const record = await tryAudit('read the Slack message', auditErrors, () => audit.getIncident(input.incident.incidentId));
  const message = incidentMessage(input.incident, slackState(input, closure, record));
  const existing = record?.slackMessage;
  if (existing !== undefined) {
    // A retried "opened" notice must not post twice; a "closed" one updates the message in place.
    if (input.phase === 'closed') await slack.poster.update(existing.channel, existing.ts, message);
    return { ts: existing.ts };
  }
  const posted = await slack.poster.post(slack.channel, message);
  await tryAudit('remember the Slack message', auditErrors, () => audit.recordSlackMessage(input.incident.incidentId, posted));
  return { ts: posted.ts };
}

/** The notice of this phase already recorded as sent (a retried task), if any. */
async function alreadyNotified(input: NotifyInput, audit: AuditStore, auditErrors: string[]): Promise<NotifyResult | undefined> {
  const timeline = await tryAudit('read the timeline', auditErrors, () => audit.getTimeline(input.incident.incidentId));
  const sent = timeline?.find((entry) => entry.step === TimelineStep.NOTIFIED && entry.detail.phase === input.phase);
  if (sent === undefined) return undefined;
  return { snsMessageId: sent.detail.snsMessageId as string | undefined, slack: (sent.detail.slack as NotifyResult['slack'] | undefined) ?? 'not configured' };
}

/**
 * Tells people: email through SNS, and Slack when configured. A Slack failure is recorded and
 * never fails the step; an SNS failure throws NotificationFailed (after Slack was tried) so the
 * workflow retries it. A phase already recorded as sent is not sent again.
 */
export async function notify(input: NotifyInput, deps: NotifyDependencies): Promise<NotifyResult> {
  const auditErrors: string[] = [];
  const finish = (result: NotifyResult): NotifyResult => {
    if (auditErrors.length === 0) return result;
    deps.log.error('the audit trail missed a step of the notice', { phase: input.phase, auditErrors });
    return { ...result, auditErrors };
  };
  // One notice per phase and incident, even when Step Functions runs the task again.
  const sent = await alreadyNotified(input, deps.audit, auditErrors);
  if (sent !== undefined) {
    deps.log.info('notice already sent', { phase: input.phase });
    return finish(sent);
  }
  const closure = closureToTell(input);
  const notice: Notice = { phase: input.phase, incident: input.incident, closure };
  let snsMessageId: string | undefined;
  let snsError: NotificationFailedError | undefined;
  try {
    snsMessageId = await publishNotice(deps.sns, deps.topicArn, notice);
  } catch (error) {
    snsError = error as NotificationFailedError;
  }

  let slack: NotifyResult['slack'] = 'not configured';
  // The daily self-test proves email delivery; a daily Slack post would only teach people to ignore
  // the channel. So would the canary's, except for a canary that did not come back.
  if (deps.slack !== undefined && input.incident.selfTest !== true && !isRoutineCanaryNotice(input.incident, closure)) {
    try {
      slack = await deliverToSlack(input, closure, deps.slack, deps.audit, auditErrors);
    } catch (error) {
      slack = { error: describeError(error) };
      deps.log.warn('Slack delivery failed', { phase: input.phase, error: slack.error });
    }
  }

  const at = new Date().toISOString();
  for (const [channel, error] of [['email', snsError?.message], ['slack', typeof slack === 'object' && 'error' in slack ? slack.error : undefined]] as const) {
    if (error === undefined) continue;
    await tryAudit('record the failed notice', auditErrors, () =>
      deps.audit.appendTimeline(input.incident.incidentId, {
        step: TimelineStep.NOTIFICATION_FAILED,
        occurrence: `${input.phase}#${channel}#${at}`,
        at,
        detail: { phase: input.phase, channel, error },
      }),
    );
  }
  if (snsError !== undefined) {
    if (auditErrors.length > 0) deps.log.error('the audit trail missed a step of the notice', { phase: input.phase, auditErrors });
    throw snsError;
  }
  // The self-test's last step: its closing notice reached the topic, so the whole pipeline works.
  if (input.phase === 'closed' && input.incident.selfTest === true && selfTestPassed(input.incident)) {
    deps.metrics?.([{ name: MetricName.SELF_TEST_PASSED, unit: 'Count', value: 1, dimensions: {} }]);
  }
  await tryAudit('record the notice', auditErrors, () =>
    deps.audit.appendTimeline(input.incident.incidentId, {
      step: TimelineStep.NOTIFIED,
      occurrence: input.phase,
      at,
      detail: { phase: input.phase, snsMessageId, slack },
    }),
  );
  return finish({ snsMessageId, slack });
}

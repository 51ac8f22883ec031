import type { SNSClient } from '@aws-sdk/client-sns';
import type { AuditStore } from '../shared/audit/audit-store';
import { newDecisionId, type DecisionStore } from '../shared/decisions/decision-store';
import { describeError, StatusRegressionError } from '../shared/errors';
import type { Incident } from '../shared/incident';
import type { Log } from '../shared/log';
import type { SlackTarget } from '../shared/notifications/slack-poster';
import { publishNotice } from '../shared/notifications/sns-publisher';
import { incidentMessage } from '../shared/slack/messages';
import { IncidentStatus, OnTimeout, TimelineStep } from '../shared/vocabulary';

export interface RequestDecisionInput {
  incident: Incident;
  taskToken: string;
  executionArn: string;
}

export interface RequestDecisionDependencies {
  decisions: DecisionStore;
  audit: AuditStore;
  sns: SNSClient;
  topicArn: string;
  slack?: SlackTarget;
  log: Log;
  clock?: () => Date;
}

/**
 * RequestDecision: keeps the task token in DynamoDB under a short decision id, moves the
 * incident to AWAITING_DECISION, and asks the approvers (Slack buttons carrying the id only)
 * and the email subscribers. The workflow then waits for `decide` to send the token back.
 */
export async function requestDecision(input: RequestDecisionInput, deps: RequestDecisionDependencies): Promise<{ decisionId: string; deadline: string }> {
  const { incident } = input;
  const now = (deps.clock ?? (() => new Date()))();
  const timeoutSeconds = incident.approval?.timeoutSeconds;
  if (timeoutSeconds === undefined) throw new Error(`incident ${incident.incidentId} has no approval terms`);
  const decisionId = newDecisionId();
  const deadline = new Date(now.getTime() + timeoutSeconds * 1000).toISOString();
  const onTimeout = incident.approval?.onTimeout ?? OnTimeout.REATTACH;

  await deps.decisions.create({ decisionId, incidentId: incident.incidentId, taskToken: input.taskToken, deadline });
  try {
    await deps.audit.advance(
      incident.incidentId,
      IncidentStatus.AWAITING_DECISION,
      { decisionId, decisionDeadline: deadline },
      { step: TimelineStep.DECISION_REQUESTED, at: now.toISOString(), detail: { decisionId, deadline, onTimeout } },
    );
  } catch (error) {
    if (!(error instanceof StatusRegressionError)) throw error;
    // A retried invocation: the first one asked already, and its decision id is the one people
    // see; this retry's token is the only one that can still resume the workflow, so it goes there.
    deps.log.warn('decision already requested', { error: error.message });
    const recorded = await deps.audit.getIncident(incident.incidentId);
    if (recorded?.decisionId !== undefined) await deps.decisions.replaceTaskToken(recorded.decisionId, input.taskToken);
    return { decisionId: recorded?.decisionId ?? decisionId, deadline: recorded?.decisionDeadline ?? deadline };
  }

  const failures: { channel: string; error: string }[] = [];
  try {
    await publishNotice(deps.sns, deps.topicArn, { phase: 'awaiting-decision', incident, deadline });
  } catch (error) {
    failures.push({ channel: 'email', error: describeError(error) });
  }
  if (deps.slack !== undefined) {
    try {
      const posted = await deps.slack.poster.post(deps.slack.channel, incidentMessage(incident, { kind: 'awaiting-decision', decisionId, deadline }));
      await deps.decisions.attachSlackMessage(decisionId, posted);
      await deps.audit.recordSlackMessage(incident.incidentId, posted);
    } catch (error) {
      failures.push({ channel: 'slack', error: describeError(error) });
    }
  }
  // Nobody may have been told, but the decision can still be taken with `scp-guardian decide`,
  // and the window's end applies onTimeout either way: record the failure, do not fail the wait.
  for (const failure of failures) {
    deps.log.error('could not ask for a decision', failure);
    await deps.audit.appendTimeline(incident.incidentId, {
      step: TimelineStep.NOTIFICATION_FAILED,
      occurrence: `awaiting-decision#${failure.channel}`,
      detail: { phase: 'awaiting-decision', ...failure },
    });
  }
  if (failures.length === 0) {
    await deps.audit.appendTimeline(incident.incidentId, {
      step: TimelineStep.NOTIFIED,
      occurrence: 'awaiting-decision',
      detail: { phase: 'awaiting-decision', decisionId },
    });
  }
  return { decisionId, deadline };
}

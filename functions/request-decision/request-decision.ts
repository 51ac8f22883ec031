import type { SNSClient } from '@aws-sdk/client-sns';
import type { AuditStore } from '../shared/audit/audit-store';
import { newDecisionId, type DecisionStore } from '../shared/decisions/decision-store';
import type { OverrideBounds } from '../shared/decisions/override-duration';
import { DecisionNotRequestedError, describeError, DuplicateIncidentError, StatusRegressionError } from '../shared/errors';
import type { Incident } from '../shared/incident';
import type { Log } from '../shared/log';
import type { SlackTarget } from '../shared/slack/slack-poster';
import { publishNotice } from '../shared/notifications/sns-publisher';
import { incidentMessage } from '../shared/slack/messages';
import { Decision, IncidentStatus, OnTimeout, TimelineStep } from '../shared/vocabulary';

export interface RequestDecisionInput {
  incident: Incident;
  taskToken: string;
  executionArn: string;
}

/** CheckForLateDecision: the window ran out; was a decision recorded that never reached the workflow? */
export interface LateDecisionInput {
  phase: 'timed-out';
  incident: Incident;
  executionArn: string;
}

/** The decision the workflow goes on with (`$.decision`). */
export type WorkflowDecisionOutput = { decision: Decision; by: string; reason?: string; at?: string; until?: string; via?: string };

export interface RequestDecisionDependencies {
  decisions: DecisionStore;
  /** The rules' override bounds, stored with each request. */
  overrides?: OverrideBounds;
  audit: AuditStore;
  sns: SNSClient;
  topicArn: string;
  slack?: SlackTarget;
  log: Log;
  clock?: () => Date;
}

/** Whether an earlier invocation told people about the request (its notice is on record). */
async function alreadyAsked(audit: AuditStore, incidentId: string): Promise<boolean> {
  const timeline = await audit.getTimeline(incidentId);
  return timeline.some((entry) => entry.step === TimelineStep.NOTIFIED && entry.detail.phase === 'awaiting-decision');
}

/**
 * CheckForLateDecision, after the window ran out: a decision that was recorded in time but never
 * reached the workflow (its SendTaskSuccess failed) is the one that counts, not onTimeout. Only a
 * decision on this execution's own request is taken; anything else is a genuine timeout.
 */
export async function lateDecision(input: LateDecisionInput, deps: Pick<RequestDecisionDependencies, 'audit' | 'decisions'>): Promise<WorkflowDecisionOutput> {
  const timedOut: WorkflowDecisionOutput = { decision: Decision.TIMEOUT, by: 'scp-guardian' };
  const recorded = await deps.audit.getIncident(input.incident.incidentId);
  if (recorded?.decisionId === undefined || recorded.executionArn !== input.executionArn) return timedOut;
  const request = await deps.decisions.get(recorded.decisionId);
  if (request?.decision === undefined || request.decidedBy === undefined || request.tooLate === true) return timedOut;
  return {
    decision: request.decision,
    by: request.decidedBy,
    ...(request.reason ? { reason: request.reason } : {}),
    ...(request.decidedAt ? { at: request.decidedAt } : {}),
    ...(request.until ? { until: request.until } : {}),
    via: 'late',
  };
}

/** Runs an audit write that comes after people were asked: its failure is logged, never fatal. */
async function bestEffort(log: Log, what: string, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    log.error(`could not ${what}`, { error: describeError(error) });
  }
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
  let decisionId = newDecisionId();
  let deadline = new Date(now.getTime() + timeoutSeconds * 1000).toISOString();
  const onTimeout = incident.approval?.onTimeout ?? OnTimeout.REATTACH;

  // Without the stored token nobody could resume the workflow: this failing throws, the
  // workflow retries, and then restores the protection (fail safe), never applies onTimeout.
  // The rules' override bounds travel with the request, for a `decide` that has no rules of its own (the CLI against AWS).
  await deps.decisions.create({ decisionId, incidentId: incident.incidentId, taskToken: input.taskToken, deadline, ...(deps.overrides !== undefined ? { overrides: deps.overrides } : {}) });
  try {
    await deps.audit.advance(
      incident.incidentId,
      IncidentStatus.AWAITING_DECISION,
      { decisionId, decisionDeadline: deadline },
      { step: TimelineStep.DECISION_REQUESTED, at: now.toISOString(), detail: { decisionId, deadline, onTimeout } },
    );
  } catch (error) {
    if (!(error instanceof StatusRegressionError)) throw error;
    const recorded = await deps.audit.getIncident(incident.incidentId);
    // Another execution owns this incident (a redelivery whose claim could not be written): its
    // decision is not ours to take over.
    if (recorded !== undefined && recorded.executionArn !== input.executionArn) throw new DuplicateIncidentError(incident.incidentId, { cause: error });
    if (recorded?.decisionId === undefined) {
      if (recorded !== undefined) throw error;
      // No incident record: the claim could not be written (the execution fails at its end for
      // that). A missing record must never silence the request, so people are asked all the same.
      deps.log.error('asking for a decision on an incident the audit trail does not hold', { error: error.message });
    } else {
      // A retried invocation: the first one recorded the request, and its decision id is the one
      // people see (or will see); this retry's token is the only one that can still resume the
      // workflow, so it goes there.
      decisionId = recorded.decisionId;
      deadline = recorded.decisionDeadline ?? deadline;
      await deps.decisions.replaceTaskToken(decisionId, input.taskToken);
      // Only a request people were told about is done: the first invocation may have failed
      // between recording it and asking anyone.
      if (await alreadyAsked(deps.audit, incident.incidentId)) {
        deps.log.warn('decision already requested', { decisionId });
        return { decisionId, deadline };
      }
      deps.log.warn('decision recorded but nobody was asked yet: asking now', { decisionId });
    }
  }

  const failures: { channel: string; error: string }[] = [];
  let asked = 0;
  try {
    await publishNotice(deps.sns, deps.topicArn, { phase: 'awaiting-decision', incident, deadline });
    asked++;
  } catch (error) {
    failures.push({ channel: 'email', error: describeError(error) });
  }
  if (deps.slack !== undefined) {
    let posted: { channel: string; ts: string } | undefined;
    try {
      posted = await deps.slack.poster.post(deps.slack.channel, incidentMessage(incident, { kind: 'awaiting-decision', decisionId, deadline }));
      asked++;
    } catch (error) {
      failures.push({ channel: 'slack', error: describeError(error) });
    }
    // Where the message is, so the decision can redraw it; best effort once it is posted.
    if (posted !== undefined) {
      await bestEffort(deps.log, 'remember the Slack message', () => deps.decisions.attachSlackMessage(decisionId, posted));
      await bestEffort(deps.log, 'remember the Slack message', () => deps.audit.recordSlackMessage(incident.incidentId, posted));
    }
  }
  for (const failure of failures) {
    deps.log.error('could not ask for a decision', failure);
    await bestEffort(deps.log, 'record the failed request', () =>
      deps.audit.appendTimeline(incident.incidentId, {
        step: TimelineStep.NOTIFICATION_FAILED,
        occurrence: `awaiting-decision#${failure.channel}`,
        detail: { phase: 'awaiting-decision', ...failure },
      }),
    );
  }
  // Nobody was told, so nobody can decide in time: the window must not run out silently. The
  // workflow restores the protection instead (fail safe), and says why.
  if (asked === 0) throw new DecisionNotRequestedError(incident.incidentId, failures.map((f) => `${f.channel}: ${f.error}`).join('; ') || 'no channel is configured');
  await bestEffort(deps.log, 'record the request', () =>
    deps.audit.appendTimeline(incident.incidentId, {
      step: TimelineStep.NOTIFIED,
      occurrence: 'awaiting-decision',
      detail: { phase: 'awaiting-decision', decisionId, ...(failures.length > 0 ? { partial: true } : {}) },
    }),
  );
  return { decisionId, deadline };
}

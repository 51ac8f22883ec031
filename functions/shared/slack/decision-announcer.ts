import type { AuditStore } from '../audit/audit-store';
import type { DecisionAnnouncer } from '../decisions/decide';
import { describeError } from '../errors';
import type { Log } from '../log';
import type { SlackPoster } from './slack-poster';
import type { IncidentRecord } from '../audit/records';
import { IncidentStatus, TimelineStep } from '../vocabulary';
import { incidentMessage, type IncidentMessageState } from './messages';

/** The closed message's state, from the incident record. */
function closedState(record: IncidentRecord): IncidentMessageState {
  return {
    ...(record.actions !== undefined ? { actions: record.actions } : {}),
    ...(record.report !== undefined ? { report: record.report } : {}),
    kind: 'closed',
    outcome: record.outcome as NonNullable<IncidentRecord['outcome']>,
    cause: record.cause,
    timeToRemediateSeconds: record.timeToRemediateSeconds,
    ...(record.overriddenUntil !== undefined ? { overriddenUntil: record.overriddenUntil } : {}),
    decision: record.decision === undefined ? undefined : { decision: record.decision, by: record.decidedBy, at: record.decidedAt, reason: record.decisionReason },
  };
}

/** What the announcer needs: Slack's chat.update, the audit trail, a log. */
export interface DecisionAnnouncerDependencies {
  slack: Pick<SlackPoster, 'update'>;
  audit: Pick<AuditStore, 'getIncident' | 'appendTimeline'>;
  log: Pick<Log, 'warn' | 'error'>;
  clock?: () => Date;
}

/**
 * Redraws an incident's Slack message once a person decided (buttons gone; who, when, why,
 * from where). The same for a Slack click and for `scp-guardian decide`. A Slack failure is
 * logged and recorded in the timeline, never thrown: the decision stands either way.
 */
export function createDecisionAnnouncer(deps: DecisionAnnouncerDependencies): DecisionAnnouncer {
  return async ({ request, output }) => {
    const clock = deps.clock ?? (() => new Date());
    try {
      const record = await deps.audit.getIncident(request.incidentId);
      const where = request.slack ?? record?.slackMessage;
      if (record === undefined || where === undefined) {
        // Slack is not configured, or the request was never posted: nothing to redraw.
        deps.log.warn('decision taken, but there is no Slack message to update', { incidentId: request.incidentId });
        return;
      }
      await deps.slack.update(where.channel, where.ts, incidentMessage(record.incident, { kind: 'decided', ...output }));
      // A slow Slack can answer after the workflow already closed the incident and drew its
      // outcome; then this redraw covered it, so the outcome goes back on top.
      const now = await deps.audit.getIncident(request.incidentId);
      if (now?.status === IncidentStatus.CLOSED && now.outcome !== undefined) {
        await deps.slack.update(where.channel, where.ts, incidentMessage(now.incident, closedState(now)));
      }
      await deps.audit.appendTimeline(request.incidentId, {
        step: TimelineStep.NOTIFIED,
        occurrence: 'decided',
        detail: { phase: 'decided', slack: { ts: where.ts } },
      });
    } catch (error) {
      const at = clock().toISOString();
      deps.log.error('decision taken, but the Slack message was not updated', { incidentId: request.incidentId, error: describeError(error) });
      await deps.audit
        .appendTimeline(request.incidentId, {
          step: TimelineStep.NOTIFICATION_FAILED,
          occurrence: `decided#slack#${at}`,
          at,
          detail: { phase: 'decided', channel: 'slack', error: describeError(error) },
        })
        .catch((recordError: unknown) => deps.log.error('could not record the Slack failure', { error: describeError(recordError) }));
    }
  };
}

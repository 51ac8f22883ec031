import type { IncidentRecord } from '../../../functions/shared/audit/records';
import { createDecisionAnnouncer } from '../../../functions/shared/slack/decision-announcer';
import type { SlackMessage } from '../../../functions/shared/slack/messages';
import { protectedIncident } from '../slack/incident-fixture';

/** The Slack message must end on the latest state, whichever redraw Slack answers last. */
describe('decision announcer', () => {
  const incident = protectedIncident();
  const where = { channel: 'C0SECURITY', ts: '1700000000.000100' };
  const record = (status: IncidentRecord['status'], extra: Partial<IncidentRecord> = {}): IncidentRecord => ({
    incidentId: incident.incidentId,
    status,
    verdict: incident.verdict,
    reason: incident.reason,
    detectedAt: incident.detectedAt,
    incident,
    slackMessage: where,
    ...extra,
  });
  const output = { decision: 'OVERRIDE' as const, by: 'U0APPROVER', reason: 'vendor migration CHG-77', at: '2026-11-23T10:00:00.000Z', via: 'slack' as const };
  const request = { decisionId: 'abcdefghijklmnop', incidentId: incident.incidentId, taskToken: 'token', deadline: '2026-11-23T10:15:00.000Z' };

  function announcerWith(statuses: IncidentRecord[]) {
    const shown: SlackMessage[] = [];
    let reads = 0;
    const announce = createDecisionAnnouncer({
      slack: { update: async (_channel, _ts, message) => void shown.push(message) },
      audit: { getIncident: async () => statuses[Math.min(reads++, statuses.length - 1)], appendTimeline: async () => ({ recorded: true }) },
      log: { warn: () => {}, error: () => {} },
    });
    return { shown, announce };
  }

  it('leaves the decision on the message while the incident is still open', async () => {
    const { shown, announce } = announcerWith([record('DECIDED')]);

    await announce({ request, output });

    expect(shown[shown.length - 1].text + JSON.stringify(shown[shown.length - 1].blocks)).toContain('vendor migration CHG-77');
    expect(JSON.stringify(shown[shown.length - 1].blocks)).not.toContain('*Outcome:*');
  });

  it('puts the outcome back on top when the workflow closed the incident while Slack was slow to redraw the decision', async () => {
    const { shown, announce } = announcerWith([
      record('DECIDED'),
      record('CLOSED', { outcome: 'OVERRIDDEN', decision: 'OVERRIDE', decidedBy: 'U0APPROVER', decisionReason: 'vendor migration CHG-77' }),
    ]);

    await announce({ request, output });

    expect(JSON.stringify(shown[shown.length - 1].blocks)).toContain('*Outcome:* OVERRIDDEN');
  });
});

import { emailBody, emailSubject, MAX_SUBJECT } from '../../../functions/shared/notifications/email';
import type { Notice } from '../../../functions/shared/notifications/notice';
import type { Closure } from '../../../functions/shared/incident';
import { protectedIncident } from '../slack/incident-fixture';

const CLOSED_AT = '2024-05-01T10:16:00.000Z';

function closedNotice(closure: Partial<Closure>): Notice {
  return { phase: 'closed', incident: protectedIncident(), closure: { outcome: 'OVERRIDDEN', closedAt: CLOSED_AT, ...closure } };
}

describe('the closing notice of an override', () => {
  it('says in the subject until when the policy stays detached, by the time alone on the day of the close', () => {
    const notice = closedNotice({ decision: 'OVERRIDE', decidedBy: 'U0APPROVER', overriddenUntil: '2024-05-01T14:16:00.000Z' });

    expect(emailSubject(notice)).toBe('SCP p-12345678 detached from OU Prod: kept detached (override by U0APPROVER) until 14:16 UTC');
    expect(emailSubject(notice).length).toBeLessThanOrEqual(MAX_SUBJECT);
  });

  it('gives the date of an end on another day, for a timeout under keep-detached too, saying it briefly to keep the target', () => {
    const notice = closedNotice({ decision: 'TIMEOUT', overriddenUntil: '2024-05-02T14:16:00.000Z' });

    expect(emailSubject(notice)).toBe('SCP p-12345678 detached from OU Prod: kept detached (timed out) until 2024-05-02 14:16 UTC');
  });

  it('says in the body when the override ends, and what happens then', () => {
    const body = emailBody(closedNotice({ decision: 'OVERRIDE', decidedBy: 'U0APPROVER', decisionReason: 'CHG-1', overriddenUntil: '2024-05-01T14:16:00.000Z' }));

    expect(body).toContain("Override ends 2024-05-01T14:16:00.000Z; then the policy is restored in its rule's mode (an approval rule asks again)");
  });

  it('tells how to choose how long an override lasts in the email that asks for a decision', () => {
    const body = emailBody({ phase: 'awaiting-decision', incident: protectedIncident(), deadline: '2024-05-01T10:15:05.000Z' });

    expect(body).toContain('add --for 30m, 8h or 2d to choose');
  });
});

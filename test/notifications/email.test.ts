import { emailBody, emailSubject, messageAttributes } from '../../functions/shared/notifications/email';
import type { Notice } from '../../functions/shared/notifications/notice';
import type { Closure, Incident } from '../../functions/shared/incident';
import { protectedIncident } from '../slack/incident-fixture';

const autoIncident = protectedIncident({ mode: 'auto', approval: undefined });
const approvalIncident = protectedIncident();
const DEADLINE = '2024-05-01T10:15:05.000Z';

function closure(overrides: Partial<Closure>): Closure {
  return { outcome: 'REATTACHED', closedAt: '2024-05-01T10:16:00.000Z', ...overrides };
}

const opened = (incident: Incident = autoIncident): Notice => ({ phase: 'opened', incident });
const awaiting = (incident: Incident = approvalIncident, deadline = DEADLINE): Notice => ({ phase: 'awaiting-decision', incident, deadline });
const closed = (c: Partial<Closure>, incident: Incident = approvalIncident): Notice => ({ phase: 'closed', incident, closure: closure(c) });

const longName = 'N'.repeat(128);
const longIncident = (incident: Incident) => ({ ...incident, policy: { ...incident.policy, name: longName }, target: { ...incident.target, name: longName } });

describe('emailSubject', () => {
  it.each([
    ['opened in auto mode', opened(), 'SCP DenyLeaveOrg (p-12345678) detached from OU Prod: reattaching'],
    ['awaiting a decision', awaiting(), 'SCP DenyLeaveOrg (p-12345678) detached from OU Prod: approval needed by 10:15 UTC, else reattach'],
    [
      'awaiting a decision that keeps the policy detached on timeout',
      awaiting(protectedIncident({ approval: { timeoutSeconds: 900, onTimeout: 'keep-detached' } })),
      'SCP p-12345678 detached from OU Prod: approval needed by 10:15 UTC, else keep detached',
    ],
    ['closed, reattached after approval', closed({ decision: 'APPROVE', decidedBy: 'U0APPROVER', timeToRemediateSeconds: 95 }), 'SCP p-12345678 detached from OU Prod: reattached after 95.0 s (approved by U0APPROVER)'],
    ['closed, reattached on timeout', closed({ decision: 'TIMEOUT', decidedBy: 'scp-guardian', timeToRemediateSeconds: 905 }), 'SCP DenyLeaveOrg (p-12345678) detached from OU Prod: reattached after 15 min (no decision in time)'],
    ['closed, kept detached on timeout', closed({ outcome: 'OVERRIDDEN', decision: 'TIMEOUT' }), 'SCP DenyLeaveOrg (p-12345678) detached from OU Prod: kept detached (no decision in time)'],
    [
      'closed, overridden from the command line',
      closed({ outcome: 'OVERRIDDEN', decision: 'OVERRIDE', decidedBy: 'arn:aws:sts::111122223333:assumed-role/SecOps/alice', decisionReason: 'CHG-1' }),
      'SCP DenyLeaveOrg (p-12345678) detached from OU Prod: kept detached (override by alice)',
    ],
    ['closed, failed', closed({ outcome: 'FAILED', cause: 'Organizations.AccessDeniedException: no' }), 'CRITICAL: SCP DenyLeaveOrg (p-12345678) detached from OU Prod: REATTACH FAILED'],
    [
      'closed, unprotected',
      closed({ outcome: 'OBSERVED' }, protectedIncident({ verdict: 'UNPROTECTED', mode: undefined, rule: undefined, approval: undefined })),
      'Unprotected SCP DenyLeaveOrg (p-12345678) detached from OU Prod: recorded, no change',
    ],
  ])('says what happened and what will happen when %s (the name gives way past 99 characters)', (_when, notice, subject) => {
    expect(emailSubject(notice)).toBe(subject);
  });

  it('keeps every subject under 100 characters with the longest names, and the consequence whole', () => {
    const notices = [opened(longIncident(autoIncident)), awaiting(longIncident(approvalIncident)), closed({ decision: 'TIMEOUT', timeToRemediateSeconds: 905 }, longIncident(approvalIncident))];

    const subjects = notices.map(emailSubject);

    expect(subjects.map((s) => s.length <= 99)).toEqual([true, true, true]);
    expect(subjects[0]).toBe('SCP p-12345678 detached from OU ou-ab12-11111111: reattaching');
    expect(subjects[1]).toMatch(/: approval needed by 10:15 UTC, else reattach$/);
    expect(subjects[2]).toMatch(/: reattached after 15 min \(no decision in time\)$/);
  });

  it('cuts the what-and-where part, not the consequence, when even the ids are too long', () => {
    const unreadable = protectedIncident({ mode: 'auto', approval: undefined, policy: { id: `p-${'x'.repeat(120)}` }, target: { id: 'ou-ab12-11111111', type: 'ORGANIZATIONAL_UNIT' } });

    const subject = emailSubject(opened(unreadable));

    expect(subject.length).toBeLessThanOrEqual(99);
    expect(subject).toMatch(/^Policy p-x+~: reattaching$/);
  });

  it('writes only printable ASCII, as SNS requires', () => {
    const named = protectedIncident({ mode: 'auto', approval: undefined, policy: { id: 'p-12345678', name: 'Zugriff verweigert – Région 🚫', type: 'SERVICE_CONTROL_POLICY' } });

    expect(emailSubject(opened(named))).toMatch(/^[\x20-\x7e]+$/);
  });

  it('gives the date with the time when the deadline is on another day', () => {
    expect(emailSubject(awaiting(approvalIncident, '2024-05-03T09:00:00.000Z'))).toContain('approval needed by 2024-05-03 09:00 UTC');
  });
});

describe('emailBody', () => {
  it('says who, what, where, when, verdict and rule', () => {
    const body = emailBody(opened());

    for (const needed of [
      'What          SCP DenyLeaveOrg (p-12345678)',
      'From          OU Prod [ou-ab12-11111111]',
      'Who           arn:aws:iam::111122223333:role/AdminRole (AssumedRole)',
      'Session       arn:aws:sts::111122223333:assumed-role/AdminRole/alice',
      'From where    203.0.113.7, console, MFA',
      'When          2024-05-01T10:00:00Z',
      'Verdict       PROTECTED: p-12345678 on ou-ab12-11111111 is protected',
      'Rule          protect[0] names p-12345678 on ou-ab12-11111111',
      'Incident      a1b2c3d4-0000-4000-8000-000000000001',
    ]) {
      expect(body).toContain(needed);
    }
  });

  it('gives the deadline, what happens if nobody decides, and how to decide without Slack', () => {
    const body = emailBody(awaiting());

    expect(body).toContain(`Deadline      ${DEADLINE}`);
    expect(body).toContain('If undecided  the policy is reattached (onTimeout: reattach)');
    expect(body).toContain('scp-guardian decide a1b2c3d4-0000-4000-8000-000000000001 --approve');
    expect(body).toContain('scp-guardian decide a1b2c3d4-0000-4000-8000-000000000001 --override --reason');
  });

  it('names the decision, who took it, the reason and the outcome when the incident closes', () => {
    const body = emailBody(closed({ outcome: 'OVERRIDDEN', decision: 'OVERRIDE', decidedBy: 'U0APPROVER', decisionReason: 'CHG-1234' }));

    expect(body).toContain('Decision      OVERRIDE by U0APPROVER');
    expect(body).toContain('Reason        CHG-1234');
    expect(body).toContain('Outcome       OVERRIDDEN');
    expect(body).not.toContain('scp-guardian decide');
  });

  it('says that the timeout applied onTimeout', () => {
    const body = emailBody(closed({ decision: 'TIMEOUT', decidedBy: 'scp-guardian', timeToRemediateSeconds: 905 }));

    expect(body).toContain('Decision      TIMEOUT: nobody decided within the window, so onTimeout (reattach) applied');
  });
});

describe('messageAttributes', () => {
  it('carries verdict, outcome, policyId and targetId for subscription filters', () => {
    const attributes = messageAttributes(closed({ outcome: 'REATTACHED', decision: 'APPROVE' }));

    expect(Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, v.StringValue]))).toEqual({
      phase: 'closed',
      verdict: 'PROTECTED',
      mode: 'approval',
      decision: 'APPROVE',
      outcome: 'REATTACHED',
      policyId: 'p-12345678',
      targetId: 'ou-ab12-11111111',
      incidentId: 'a1b2c3d4-0000-4000-8000-000000000001',
      severity: 'info',
    });
    expect(Object.values(attributes).every((a) => a.DataType === 'String')).toBe(true);
  });

  it('leaves out the outcome before there is one, and marks a failure critical', () => {
    expect(messageAttributes(opened())).not.toHaveProperty('outcome');
    expect(messageAttributes(closed({ outcome: 'FAILED' })).severity?.StringValue).toBe('critical');
  });
});

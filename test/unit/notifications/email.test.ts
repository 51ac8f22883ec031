import fc from 'fast-check';
import { emailBody, emailSubject, messageAttributes } from '../../../functions/shared/notifications/email';
import type { Notice } from '../../../functions/shared/notifications/notice';
import type { Closure, Incident } from '../../../functions/shared/incident';
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

  it('keeps the policy and the target when even the ids are too long, cutting each in its middle and saying the consequence in its fewest words', () => {
    const policyId = `p-${'a'.repeat(60)}${'z'.repeat(68)}`;
    const targetId = `ou-${'b'.repeat(32)}-${'y'.repeat(32)}`;
    const long = protectedIncident({ policy: { id: policyId, type: 'SERVICE_CONTROL_POLICY' }, target: { id: targetId, type: 'ORGANIZATIONAL_UNIT' } });

    const subject = emailSubject(closed({ decision: 'APPROVE', decidedBy: 'local-operator (--decision)', timeToRemediateSeconds: 950_000 }, long));

    expect(subject.length).toBeLessThanOrEqual(99);
    expect(subject).toMatch(/^SCP p-a+~z+ detached from OU ou-b+~y+: reattached$/);
  });

  it('says the consequence more briefly before it gives up a name, as for the first run\'s approved reattachment', () => {
    const sandbox = protectedIncident({ policy: { id: 'p-protectct', name: 'ProtectCloudTrail', type: 'SERVICE_CONTROL_POLICY' }, target: { id: 'ou-a1b2-m5t8wd6c', type: 'ORGANIZATIONAL_UNIT', name: 'Sandbox' } });

    const subject = emailSubject(closed({ decision: 'APPROVE', decidedBy: 'local-operator (--decision)', timeToRemediateSeconds: 0.4 }, sandbox));

    expect(subject).toBe('SCP p-protectct detached from OU Sandbox: reattached after 0.4 s (approved)');
  });

  it('never loses the policy or the target, whatever the names, ids, decider and phase', () => {
    const idChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789');
    const id = (prefix: string, min: number, max: number) => fc.string({ unit: idChars, minLength: min, maxLength: max }).map((rest) => `${prefix}${rest}`);
    const shown = (subject: string, value: string) => subject.includes(value) || (subject.includes(value.slice(0, 4)) && subject.includes(value.slice(-4)) && subject.includes('~'));
    fc.assert(
      fc.property(
        id('p-', 8, 128),
        fc.option(fc.string({ minLength: 1, maxLength: 128 }), { nil: undefined }),
        id('ou-ab12-', 8, 32),
        fc.option(fc.string({ minLength: 1, maxLength: 128 }), { nil: undefined }),
        fc.string({ maxLength: 200 }),
        fc.constantFrom('opened', 'awaiting-decision', 'closed'),
        (policyId, policyName, targetId, targetName, decider, phase) => {
          const incident = protectedIncident({
            policy: { id: policyId, name: policyName, type: 'SERVICE_CONTROL_POLICY' },
            target: { id: targetId, name: targetName, type: 'ORGANIZATIONAL_UNIT' },
          });
          const notice: Notice =
            phase === 'opened' ? opened(incident) : phase === 'awaiting-decision' ? awaiting(incident) : closed({ decision: 'APPROVE', decidedBy: decider, timeToRemediateSeconds: 950_000 }, incident);

          const subject = emailSubject(notice);

          expect(subject.length).toBeLessThanOrEqual(99);
          expect(subject).toMatch(/^[\x20-\x7e]+$/);
          expect(shown(subject, policyId)).toBe(true);
          expect(shown(subject, targetId) || (targetName !== undefined && subject.includes(`OU ${targetName.replace(/[^\x20-\x7e]/g, '?')}`))).toBe(true);
        },
      ),
    );
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
  it('gives a replay\'s time to remediate from when the replay applied the change, and a real event\'s from the event', () => {
    const replayed = emailBody(closed({ decision: 'AUTO', timeToRemediateSeconds: 0.4 }, protectedIncident({ replayAppliedAt: '2026-12-01T17:40:21.000Z' })));
    const real = emailBody(closed({ decision: 'AUTO', timeToRemediateSeconds: 2.1 }));

    expect(replayed).toMatch(/^Remediated in 0\.4 s \(from when the replay applied it\)$/m);
    expect(real).toMatch(/^Remediated in 2\.1 s$/m);
  });

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

describe('emailSubject of a replay', () => {
  it('gives the deadline as a time of the replay\'s day, not of the days-old event\'s', () => {
    const replayed = protectedIncident({ detectedAt: '2026-11-20T10:02:02Z', eventTime: '2026-11-20T10:02:02Z', replayAppliedAt: '2026-12-01T19:04:05.000Z' });

    expect(emailSubject(awaiting(replayed, '2026-12-01T19:19:05.000Z'))).toBe('SCP DenyLeaveOrg (p-12345678) detached from OU Prod: approval needed by 19:19 UTC, else reattach');
  });
});

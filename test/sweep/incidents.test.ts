import type { IncidentRecord } from '../../functions/shared/audit/records';
import { followUpOf, PERMANENT_FAILURE_BACKOFF_HOURS } from '../../functions/sweep/incidents';

const CLOSED_AT = '2026-12-01T10:00:00.000Z';
const failed = (cause: string | undefined): IncidentRecord =>
  ({ incidentId: 'drift-0', status: 'CLOSED', outcome: 'FAILED', verdict: 'PROTECTED', reason: 'r', detectedAt: '2026-12-01T09:59:00.000Z', closedAt: CLOSED_AT, cause }) as IncidentRecord;
const at = (hours: number) => new Date(Date.parse(CLOSED_AT) + hours * 3600_000);

/** What the sweep makes of a pair's last incident when it ended FAILED, by its cause (closure.ts writes it). */
describe('the follow-up of a FAILED incident', () => {
  it.each([
    ['retries exhausted: RemediationDeadlinePassed: transient errors lasted past the deadline', 'a transient storm'],
    ['attached but not confirmed (AttachPolicy: attached at 2026-12-01T09:59:30Z); the confirmation failed: retries exhausted: ...', 'an unconfirmed attachment'],
    [undefined, 'no cause recorded'],
  ])('follows %s at once (%s)', (cause, _why) => {
    expect(followUpOf(failed(cause), at(0.1))).toEqual({ action: 'follow' });
  });

  it('releases the pair when the target is gone', () => {
    expect(followUpOf(failed("Organizations.TargetNotFoundException: We can't find a root, OU, account, or email address with the TargetId that you specified."), at(0.1))).toEqual({ action: 'release' });
  });

  it.each([
    'Organizations.AccessDeniedException: You don\'t have permissions to access this resource.',
    'Organizations.ConstraintViolationException: you have exceeded the number of policies of that type that you can attach (MAX_POLICY_LIMIT_EXCEEDED)',
    'Organizations.PolicyNotFoundException: We can\'t find a policy with the PolicyId that you specified.',
    'Organizations.PolicyTypeNotEnabledException: This operation can be performed only for enabled policy types.',
  ])('waits a day after a permanent error before it tries again: %s', (cause) => {
    const retryAfter = at(PERMANENT_FAILURE_BACKOFF_HOURS).toISOString();

    expect(followUpOf(failed(cause), at(1))).toEqual({ action: 'wait', retryAfter });
    expect(followUpOf(failed(cause), at(PERMANENT_FAILURE_BACKOFF_HOURS - 0.01))).toEqual({ action: 'wait', retryAfter });
    expect(followUpOf(failed(cause), at(PERMANENT_FAILURE_BACKOFF_HOURS))).toEqual({ action: 'follow' });
  });
});

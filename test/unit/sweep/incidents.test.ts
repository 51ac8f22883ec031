import type { IncidentRecord } from '../../../functions/shared/audit/records';
import { followUpOf, PERMANENT_FAILURE_BACKOFF_HOURS } from '../../../functions/sweep/incidents';

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

/** A restoration of a kind other than a pair (RestoreProtection's) names the Organizations error inside its own sentence. */
describe('the follow-up of a FAILED incident of a subject kind (a type, a forbidden pair, a move)', () => {
  const ofKind = (kind: string, cause: string, driftOf?: string): IncidentRecord =>
    ({ ...failed(cause), kind, ...(driftOf === undefined ? {} : { incident: { driftOf } }) }) as unknown as IncidentRecord;

  it.each([
    ['POLICY_TYPE_DISABLED', undefined, 'EnablePolicyType SERVICE_CONTROL_POLICY on r-a1b2 failed: PolicyChangesInProgressException: Changes to the effective policy are in progress. Try the operation again later.'],
    ['POLICY_TYPE_DISABLED', undefined, 'the desired state could not be read (AuditStore.Unavailable: DynamoDB did not answer): SERVICE_CONTROL_POLICY re-enabled on r-a1b2 and the rules\' 3 explicit pairs restored'],
    ['DRIFT', 'POLICY_TYPE_DISABLED', 'SERVICE_CONTROL_POLICY re-enabled on r-a1b2; 1 of 9 actions failed, the first: DetachPolicy p-FullAWSAccess on ou-a1b2-r8n2qv4j: ConstraintViolationException (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED): min'],
    ['FORBIDDEN_ATTACHED', undefined, 'detaching p-FullAWSAccess from ou-a1b2-r8n2qv4j: DetachPolicy failed: ConstraintViolationException (MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED): You have attached the minimum number of policies'],
    ['DRIFT', 'ACCOUNT_MOVED', 'ListParents 333344445555 named no parent'],
  ])('follows a %s (%s) at once when its cause is not a permanent error: %s', (kind, driftOf, cause) => {
    expect(followUpOf(ofKind(kind, cause, driftOf), at(0.1))).toEqual({ action: 'follow' });
  });

  it.each([
    ['POLICY_TYPE_DISABLED', 'EnablePolicyType SERVICE_CONTROL_POLICY on r-a1b2 failed: AccessDeniedException: You don\'t have permissions to access this resource.'],
    ['FORBIDDEN_ATTACHED', 'detaching p-x from 111122223333: DetachPolicy failed: PolicyNotFoundException: no such policy'],
    ['ACCOUNT_MOVED', 'moving 333344445555 back to ou-gone: MoveAccount failed: DestinationParentNotFoundException: gone'],
    ['POLICY_TYPE_DISABLED', 'SCPs re-enabled; 1 of 9 actions failed, the first: AttachPolicy p-1 on ou-1: ConstraintViolationException (MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED): ten'],
  ])('still waits a day after a truly permanent error of a %s: %s', (kind, cause) => {
    expect(followUpOf(ofKind(kind, cause), at(1))).toEqual({ action: 'wait', retryAfter: at(PERMANENT_FAILURE_BACKOFF_HOURS).toISOString() });
  });

  it('keeps the rule for a missing pair: a cause of no known prefix waits', () => {
    expect(followUpOf(ofKind('DETACHED', 'something unexpected'), at(1))).toMatchObject({ action: 'wait' });
  });
});

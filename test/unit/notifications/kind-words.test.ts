import type { Incident } from '../../../functions/shared/incident';
import { emailBody, emailSubject, MAX_SUBJECT, messageAttributes } from '../../../functions/shared/notifications/email';
import type { Notice } from '../../../functions/shared/notifications/notice';
import {
  accountMoved,
  changeReported,
  CHANGE_DIFF,
  closure,
  DEADLINE,
  deletedReported,
  driftMissing,
  driftMoved,
  forbiddenAttached,
  forbiddenDetached,
  movedBack,
  policyChanged,
  policyDeleted,
  typeDisabled,
  typeRestored,
} from './kind-fixtures';

const opened = (incident: Incident): Notice => ({ phase: 'opened', incident });
const awaiting = (incident: Incident): Notice => ({ phase: 'awaiting-decision', incident, deadline: DEADLINE });
const closed = (incident: Incident, c = closure({})): Notice => ({ phase: 'closed', incident, closure: c });

/** An incident whose names are as long as Organizations allows. */
function longNames(incident: Incident): Incident {
  const name = 'N'.repeat(128);
  return { ...incident, policy: { ...incident.policy, name }, target: { ...incident.target, name } };
}

describe('email subjects per kind', () => {
  it.each([
    ['a disabled policy type opens', opened(typeDisabled), 'SCPs were disabled for the whole organization: re-enabling and restoring every protected attachment'],
    ['a disabled policy type closes', closed(typeDisabled, typeRestored), 'SCPs were disabled for the whole organization: re-enabled on r-ab12 and 37 attachments restored'],
    ['a moved account opens', opened(accountMoved), 'Account prod-app (111111111111) moved out of OU ou-ab12-11111111: awaiting approval to move it back'],
    ['a moved account awaits a decision', awaiting(accountMoved), 'Account 111111111111 moved out of OU ou-ab12-11111111: approval needed by 10:15 UTC, else move back'],
    ['a moved account closes', closed(accountMoved, movedBack), 'Account prod-app (111111111111) moved out of OU ou-ab12-11111111: moved back (approved)'],
    ['a rewritten policy awaits a decision', awaiting(policyChanged), 'SCP p-12345678 was rewritten (on OU Prod): approval needed by 10:15 UTC, else restore'],
    ['a rewritten policy is only reported', closed(policyChanged, changeReported), 'SCP p-12345678 was rewritten (attached to OU Prod (ou-ab12-11111111)): reported, not restored'],
    ['a rewritten policy is restored', closed(policyChanged, closure({ decision: 'APPROVE', decidedBy: 'U0APPROVER', actions: [{ call: 'UpdatePolicy', policyId: 'p-12345678', result: 'done' }] })), 'SCP p-12345678 was rewritten (attached to OU Prod (ou-ab12-11111111)): content restored (approved)'],
    ['a deleted policy opens', opened(policyDeleted), 'CRITICAL: SCP DenyLeaveOrg (p-12345678) was deleted: it cannot return under its id'],
    ['a deleted policy closes', closed(policyDeleted, deletedReported), 'CRITICAL: SCP p-12345678 was deleted: it protected 3 targets; its last known content is below'],
    ['a forbidden attachment opens', opened(forbiddenAttached), 'SCP FullAWSAccess (p-FullAWSAccess) attached to OU Regulated (forbidden): detaching it'],
    ['a forbidden attachment closes', closed(forbiddenAttached, forbiddenDetached), 'SCP FullAWSAccess (p-FullAWSAccess) attached to OU Regulated (forbidden): detached'],
    ['a missing pair the sweep found opens', opened(driftMissing), 'SCP DenyLeaveOrg (p-12345678) found detached from OU Prod by the sweep: reattaching'],
    ['a moved account the sweep found opens', opened(driftMoved), 'Account prod-app (111111111111) found moved out of OU ou-ab12-11111111: awaiting approval'],
  ])('says what happened and what happens when %s', (_when, notice, subject) => {
    expect(emailSubject(notice)).toBe(subject);
  });

  it('names the parents of a moved account when the incident has their names', () => {
    const named = { ...accountMoved, move: { ...accountMoved.move, sourceParentName: 'Prod', destinationParentName: 'Sandbox' } } as Incident;

    expect(emailSubject(opened(named))).toBe('Account prod-app (111111111111) moved out of OU Prod to OU Sandbox: awaiting approval');
    expect(emailBody(opened(named))).toContain('Moved to      OU Sandbox (ou-ab12-22222222)');
  });

  it.each([
    ['a moved account', accountMoved, movedBack, ['111111111111', 'ou-ab12-11111111']],
    ['a rewritten policy', policyChanged, changeReported, ['p-12345678', 'OU']],
    ['a deleted policy', policyDeleted, deletedReported, ['p-12345678']],
    ['a forbidden attachment', forbiddenAttached, forbiddenDetached, ['p-FullAWSAccess', 'OU']],
    ['a missing pair', driftMissing, closure({ outcome: 'REATTACHED', decision: 'TIMEOUT', timeToRemediateSeconds: 905 }), ['p-12345678', 'OU']],
  ] as const)('keeps the policy and the target in the subject of %s, however long the names, within 99 characters', (_what, incident, ending, needed) => {
    const subjects = [opened(longNames(incident)), awaiting(longNames(incident)), closed(longNames(incident), ending)].map(emailSubject);

    for (const subject of subjects) {
      expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT);
      expect(subject).not.toContain('~');
      for (const part of needed) expect(subject).toContain(part);
    }
  });

  it('says the consequence briefly rather than lose the target of a moved account', () => {
    const subject = emailSubject(awaiting(longNames(accountMoved)));

    expect(subject).toBe('Account 111111111111 moved out of OU ou-ab12-11111111: approval needed by 10:15 UTC, else move back');
  });
});

describe('email bodies per kind', () => {
  it('says which kind it is, in the vocabulary and in words', () => {
    expect(emailBody(opened(typeDisabled))).toContain('Kind          POLICY_TYPE_DISABLED (policy type disabled)');
    expect(emailBody(opened(driftMoved))).toContain('Kind          DRIFT of ACCOUNT_MOVED (account moved, found by the sweep)');
  });

  it('names the type and the root of a disabled type, and lists every action once closed', () => {
    const body = emailBody(closed(typeDisabled, typeRestored));

    expect(body).toContain('Policy type   SERVICE_CONTROL_POLICY: disabled on the root r-ab12');
    expect(body).toContain('Actions, in order:\n  EnablePolicyType on r-ab12: done\n  AttachPolicy p-12345678 to ou-ab12-00000000: done');
    expect(body).toContain('  DetachPolicy p-FullAWSAccess from ou-ab12-33333333: done');
    expect(body.match(/AttachPolicy/g)).toHaveLength(37);
    expect(body).toContain('AUTO: the rule re-enables the type and restores every protected attachment without asking');
  });

  it('lists no actions while the incident is open', () => {
    expect(emailBody(opened(typeDisabled))).not.toContain('Actions, in order:');
  });

  it('says where a moved account was and where it went, and what it lost', () => {
    const body = emailBody(awaiting(accountMoved));

    expect(body).toContain('Account       account prod-app (111111111111)\n');
    expect(body).toContain('Moved from    OU ou-ab12-11111111');
    expect(body).toContain('Moved to      OU ou-ab12-22222222');
    expect(body).toContain('Lost          SCP DenyLeaveOrg (p-12345678), inherited from OU ou-ab12-11111111');
    expect(body).toContain('If undecided  the account is moved back (onTimeout: reattach)');
    expect(body).toContain('--override --reason "why it stays where it is"');
  });

  it('shows the diff of a rewritten policy and its last known content, and that it was not restored', () => {
    const body = emailBody(closed(policyChanged, changeReported));

    expect(body).toContain(`What changed (the statements removed, added and changed):\n  ${CHANGE_DIFF[0]}\n  ${CHANGE_DIFF[1]}`);
    expect(body).toContain('Last known content:\n  {\n    "Version": "2012-10-17",');
    expect(body).toContain('"Action": "organizations:LeaveOrganization"');
    expect(body.split('\n')[0]).toMatch(/: reported, not restored \(policyContent\.restore is false\)$/);
  });

  it('gives a deleted policy every target it protected and its last known content', () => {
    const body = emailBody(closed(policyDeleted, deletedReported));

    expect(body.split('\n')[0]).toBe('CRITICAL: SCP DenyLeaveOrg (p-12345678) was deleted: it protected 3 targets; its last known content is below');
    expect(body).toContain('Protected on  r-ab12, ou-ab12-11111111, 222222222222');
    expect(body).toContain('Last known content:\n  {');
    expect(body).toContain('"Sid": "NoLeaving"');
  });

  it('names the forbid rule that keeps a policy off a target', () => {
    const body = emailBody(closed(forbiddenAttached, forbiddenDetached));

    expect(body.split('\n')[0]).toBe('SCP FullAWSAccess (p-FullAWSAccess) was attached to OU Regulated (ou-ab12-33333333), which a forbid rule keeps it off: detached');
    expect(body).toContain('Attached to   OU Regulated [ou-ab12-33333333]');
    expect(body).toContain('Forbid rule   forbid[0] keeps it off: Regulated runs on an allow-list; FullAWSAccess would undo it');
    expect(body).toContain('  DetachPolicy p-FullAWSAccess from ou-ab12-33333333: done');
  });

  it('says a drift was found by the sweep, and why', () => {
    expect(emailBody(opened(driftMissing))).toContain('Found by      the sweep: desired since 2024-04-30T08:00:00Z, not attached');
  });
});

describe('notice priority and attributes per kind', () => {
  it('tells a deleted protected policy at critical priority, even before it closes', () => {
    expect(messageAttributes(opened(policyDeleted)).severity?.StringValue).toBe('critical');
  });

  it('carries the kind for subscription filters', () => {
    expect(messageAttributes(opened(accountMoved)).kind?.StringValue).toBe('ACCOUNT_MOVED');
  });
});

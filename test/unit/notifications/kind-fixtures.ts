import type { Closure, Incident, RestoreAction } from '../../../functions/shared/incident';
import { protectedIncident } from '../slack/incident-fixture';

/**
 * One incident of each kind, as Classify would hand it on, and how each closes: built here, not by
 * classify, so the words are tested on their own.
 */
export const CLOSED_AT = '2024-05-01T10:16:00.000Z';
export const DEADLINE = '2024-05-01T10:15:05.000Z';

const auto = { mode: 'auto' as const, approval: undefined };

export const DENY_CONTENT = '{"Version":"2012-10-17","Statement":[{"Sid":"NoLeaving","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}';

/** DisablePolicyType of SCPs on the root, auto mode. */
export const typeDisabled: Incident = protectedIncident({
  ...auto,
  incidentId: 'b0000000-0000-4000-8000-00000000d15a',
  kind: 'POLICY_TYPE_DISABLED',
  policy: { type: 'SERVICE_CONTROL_POLICY' },
  target: { id: 'r-ab12', type: 'ROOT' },
  disabledType: { rootId: 'r-ab12', policyType: 'SERVICE_CONTROL_POLICY' },
  reason: 'SERVICE_CONTROL_POLICY is a protected type (policyTypeDisabled.mode auto)',
});

/** 37 reattachments after the type came back, and FullAWSAccess off the allow-list OU again. */
export const typeRestoredActions: RestoreAction[] = [
  { call: 'EnablePolicyType', targetId: 'r-ab12', result: 'done' },
  ...Array.from({ length: 37 }, (_, i): RestoreAction => ({ call: 'AttachPolicy', policyId: 'p-12345678', targetId: `ou-ab12-${String(i).padStart(8, '0')}`, result: 'done' })),
  { call: 'DetachPolicy', policyId: 'p-FullAWSAccess', targetId: 'ou-ab12-33333333', result: 'done' },
];

/** MoveAccount of a production account out of Prod into Sandbox, approval mode. */
export const accountMoved: Incident = protectedIncident({
  incidentId: 'b0000000-0000-4000-8000-0000000a0ved',
  kind: 'ACCOUNT_MOVED',
  target: { id: '111111111111', type: 'ACCOUNT', name: 'prod-app' },
  move: { accountId: '111111111111', sourceParentId: 'ou-ab12-11111111', destinationParentId: 'ou-ab12-22222222' },
  reason: 'account 111111111111 inherited p-12345678 from ou-ab12-11111111 (accountMoves.mode approval)',
});

/** UpdatePolicy of a protected SCP, with policyContent.restore false (reported only). */
export const policyChanged: Incident = protectedIncident({
  incidentId: 'b0000000-0000-4000-8000-0000000c4a9e',
  kind: 'POLICY_CHANGED',
  change: { content: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', contentHash: 'e3b0c44298fc1c149afbf4c8996fb924' },
  reason: 'p-12345678 is protected (policyContent.mode approval)',
});

export const CHANGE_DIFF = ['- removed NoLeaving: Deny organizations:LeaveOrganization on *', '+ added: Allow * on *'];

/** DeletePolicy of a protected SCP: nothing can bring it back under its id. */
export const policyDeleted: Incident = protectedIncident({
  ...auto,
  incidentId: 'b0000000-0000-4000-8000-0000000de1e7',
  kind: 'POLICY_DELETED',
  target: {},
  reason: 'p-12345678 is protected',
});

/** AttachPolicy of FullAWSAccess on the allow-list OU a forbid rule keeps it off, auto mode. */
export const forbiddenAttached: Incident = protectedIncident({
  ...auto,
  incidentId: 'b0000000-0000-4000-8000-0000000f0b1d',
  kind: 'FORBIDDEN_ATTACHED',
  policy: { id: 'p-FullAWSAccess', name: 'FullAWSAccess', type: 'SERVICE_CONTROL_POLICY' },
  target: { id: 'ou-ab12-33333333', type: 'ORGANIZATIONAL_UNIT', name: 'Regulated' },
  forbid: { index: 0, description: 'Regulated runs on an allow-list; FullAWSAccess would undo it' },
  reason: 'forbid[0] keeps p-FullAWSAccess off ou-ab12-33333333',
});

/** The sweep found a protected pair missing, no event. */
export const driftMissing: Incident = protectedIncident({
  ...auto,
  incidentId: 'drift-0123456789abcdef',
  kind: 'DRIFT',
  source: 'sweep',
  drift: { reason: 'desired since 2024-04-30T08:00:00Z, not attached' },
});

/** The sweep found an account under another parent. */
export const driftMoved: Incident = { ...accountMoved, incidentId: 'drift-fedcba9876543210', kind: 'DRIFT', driftOf: 'ACCOUNT_MOVED', source: 'sweep', drift: { reason: 'the account is under ou-ab12-22222222, not ou-ab12-11111111' } };

export function closure(overrides: Partial<Closure>): Closure {
  return { outcome: 'RESTORED', closedAt: CLOSED_AT, ...overrides };
}

export const typeRestored = closure({ decision: 'AUTO', actions: typeRestoredActions });
export const movedBack = closure({ decision: 'APPROVE', decidedBy: 'U0APPROVER', actions: [{ call: 'MoveAccount', targetId: '111111111111', result: 'done', detail: 'from ou-ab12-22222222 to ou-ab12-11111111' }] });
export const changeReported = closure({ outcome: 'OBSERVED', report: { diff: CHANGE_DIFF, lastKnownContent: DENY_CONTENT } });
export const deletedReported = closure({
  outcome: 'FAILED',
  cause: 'the policy was deleted: it cannot return under its id',
  report: { lastKnownContent: DENY_CONTENT, desiredTargets: ['r-ab12', 'ou-ab12-11111111', '222222222222'] },
});
export const forbiddenDetached = closure({ decision: 'AUTO', actions: [{ call: 'DetachPolicy', policyId: 'p-FullAWSAccess', targetId: 'ou-ab12-33333333', result: 'done' }] });

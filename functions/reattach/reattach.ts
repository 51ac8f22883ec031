import {
  AttachPolicyCommand,
  ListPoliciesForTargetCommand,
  type OrganizationsClient,
  type PolicyType as SdkPolicyType,
} from '@aws-sdk/client-organizations';
import { randomUUID } from 'node:crypto';
import type { AuditStore, TimelineWrite } from '../shared/audit/audit-store';
import { DesiredReason } from '../shared/desired/desired-state';
import type { DesiredStateStore } from '../shared/desired/desired-store';
import { AttachmentNotConfirmedError, describeError, ErrorName, type OrganizationsError } from '../shared/errors';
import { failedFirstAttemptStep, firstAttemptStep, isUnanswered } from '../shared/first-attempt';
import type { Incident } from '../shared/incident';
import { toOrganizationsError } from '../shared/organizations/errors';
import { checkDeadline, type RemediationRequest, type RetryRound as SharedRetryRound } from '../shared/remediation-deadline';
import { Outcome, PolicyType, TimelineStep } from '../shared/vocabulary';

/** What ReattachPolicy did: attached the policy, or found it attached already. */
export interface AttachResult {
  result: 'attached' | 'already-attached';
  /** When the attempt was recorded; absent after the workflow's own first attempt (the direct task). */
  at?: string;
  /** The result is the workflow's own first AttachPolicy (the direct task): ConfirmAttachment records it. */
  firstAttempt?: boolean;
  /** Audit writes that failed; the protection is back all the same. */
  auditErrors?: string[];
}

/** What ConfirmAttachment found: the policy is listed on the target. */
export interface ReattachResult {
  outcome: typeof Outcome.REATTACHED | typeof Outcome.ALREADY_ATTACHED;
  /** When the attachment was confirmed on the target. */
  reattachedAt: string;
  /** Audit writes of either step that failed (the execution fails at its end so the alarm fires). */
  auditErrors?: string[];
}

export interface ReattachDependencies {
  organizations: OrganizationsClient;
  audit: AuditStore;
  /** Where a confirmed reattachment makes the pair desired (the sweep keeps it so). */
  desired: Pick<DesiredStateStore, 'recordPair'>;
  /** How long after the workflow received the event transient errors are retried (rules: remediation.deadlineMinutes). */
  deadlineSeconds: number;
  clock?: () => Date;
}

/** Where ReattachPolicy is in its rounds of retries (`$.retry`). */
export type RetryRound = SharedRetryRound;

/** What ReattachPolicy is called with. */
export type AttachRequest = RemediationRequest;

function pairOf(incident: Incident): { policyId: string; targetId: string } {
  const { id: policyId } = incident.policy;
  const { id: targetId } = incident.target;
  if (policyId === undefined || targetId === undefined) throw new Error(`incident ${incident.incidentId} names no policy or target`);
  return { policyId, targetId };
}

/**
 * Records a step after the action, never before it and never instead of it: a failing audit
 * store is reported to the caller (and so to the workflow), it does not undo a restoration.
 */
async function recordAfter(audit: AuditStore, incidentId: string, write: TimelineWrite, auditErrors: string[]): Promise<void> {
  try {
    await audit.appendTimeline(incidentId, write);
  } catch (error) {
    auditErrors.push(`${write.step}: ${describeError(error)}`);
  }
}

const attemptStep = (executionArn: string, at: string, detail: Record<string, unknown>): TimelineWrite => ({
  step: TimelineStep.REATTACH_ATTEMPT,
  occurrence: `${at}#${randomUUID().slice(0, 8)}`,
  at,
  detail: { executionArn, ...detail },
});

/**
 * Whether an earlier attempt of this execution got no answer (so it most likely attached the
 * policy itself), read after the fact to name the outcome right; unreadable means no.
 */
async function attachedByAnUnansweredAttempt(audit: AuditStore, incidentId: string, executionArn: string): Promise<boolean> {
  try {
    const timeline = await audit.getTimeline(incidentId);
    return timeline.some((entry) => entry.step === TimelineStep.REATTACH_ATTEMPT && entry.detail.executionArn === executionArn && entry.detail.unanswered === true);
  } catch {
    return false;
  }
}

const withErrors = <T extends object>(value: T, auditErrors: string[]): T & { auditErrors?: string[] } =>
  auditErrors.length === 0 ? value : { ...value, auditErrors };

/**
 * ReattachPolicy, one attempt: AttachPolicy first, then the record of it. An attachment that
 * is already there is success. Organizations errors are thrown with the names the workflow
 * retries or catches; the confirmation is a state of its own (ConfirmAttachment), so a retry
 * of the confirmation never spends another AttachPolicy request of the storm's budget.
 */
export async function attachOnce(incident: Incident, executionArn: string, deps: ReattachDependencies, request: AttachRequest = {}): Promise<AttachResult> {
  const now = () => (deps.clock ?? (() => new Date()))().toISOString();
  const { policyId, targetId } = pairOf(incident);
  const auditErrors: string[] = [];
  const invokedAt = now();
  checkDeadline(incident, request, deps.deadlineSeconds, invokedAt);
  // The workflow's own first attempt failed before this one: recorded after this attempt, at the
  // time this invocation began (after the first attempt, before this one).
  const firstAttempt = failedFirstAttemptStep(executionArn, invokedAt, request.retry?.firstAttempt);
  let result: AttachResult['result'] = 'attached';
  let failure: OrganizationsError | undefined;
  try {
    await deps.organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
  } catch (caught) {
    const error = toOrganizationsError(caught);
    if (error.name === ErrorName.ORG_DUPLICATE_ATTACHMENT) {
      const attachedEarlier = isUnanswered(request.retry?.firstAttempt) || (await attachedByAnUnansweredAttempt(deps.audit, incident.incidentId, executionArn));
      result = attachedEarlier ? 'attached' : 'already-attached';
    } else {
      failure = error;
    }
  }
  if (firstAttempt !== undefined) await recordAfter(deps.audit, incident.incidentId, firstAttempt, auditErrors);
  if (failure !== undefined) {
    // No HTTP answer at all (a timeout, a reset): the request may have been applied.
    const unanswered = failure.httpStatus === undefined;
    await recordAfter(
      deps.audit,
      incident.incidentId,
      attemptStep(executionArn, now(), { result: 'error', error: failure.name, message: failure.message, transient: failure.transient, ...(unanswered ? { unanswered: true } : {}) }),
      auditErrors,
    );
    throw failure;
  }
  const at = now();
  await recordAfter(deps.audit, incident.incidentId, attemptStep(executionArn, at, { result }), auditErrors);
  return withErrors({ result, at }, auditErrors);
}

async function isAttached(client: OrganizationsClient, policyId: string, targetId: string, type: string): Promise<boolean> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: type as SdkPolicyType, NextToken: nextToken }));
    if (page.Policies?.some((policy) => policy.Id === policyId)) return true;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return false;
}

/**
 * ConfirmAttachment, one attempt: the policy must be listed on the target. When classify could
 * not learn the policy's type (a lookup that timed out during a storm), it is looked for under
 * each type a policy can be protected as.
 */
export async function confirmOnce(incident: Incident, executionArn: string, attach: AttachResult, deps: ReattachDependencies): Promise<ReattachResult> {
  const now = () => (deps.clock ?? (() => new Date()))().toISOString();
  const { policyId, targetId } = pairOf(incident);
  const auditErrors = [...(attach.auditErrors ?? [])];
  // The workflow's own first AttachPolicy answered (attached, or already attached): recorded after the read.
  const firstAttempt = attach.firstAttempt === true ? firstAttemptStep(executionArn, now(), { result: attach.result }) : undefined;
  const recordFirstAttempt = async () => {
    if (firstAttempt !== undefined) await recordAfter(deps.audit, incident.incidentId, firstAttempt, auditErrors);
  };
  const typesToCheck = incident.policy.type !== undefined ? [incident.policy.type] : [PolicyType.SERVICE_CONTROL_POLICY, PolicyType.RESOURCE_CONTROL_POLICY];
  let confirmed = false;
  try {
    for (const type of typesToCheck) {
      confirmed = await isAttached(deps.organizations, policyId, targetId, type);
      if (confirmed) break;
    }
  } catch (caught) {
    await recordFirstAttempt();
    const error = toOrganizationsError(caught);
    await recordAfter(deps.audit, incident.incidentId, attemptStep(executionArn, now(), { result: 'confirmation-error', error: error.name, message: describeError(caught) }), auditErrors);
    throw error;
  }
  await recordFirstAttempt();
  if (!confirmed) {
    await recordAfter(deps.audit, incident.incidentId, attemptStep(executionArn, now(), { result: 'not-listed', earlier: attach.result }), auditErrors);
    throw new AttachmentNotConfirmedError(policyId, targetId);
  }
  const outcome = attach.result === 'attached' ? Outcome.REATTACHED : Outcome.ALREADY_ATTACHED;
  const reattachedAt = now();
  // The guard confirmed the pair attached: from now on the sweep keeps it so.
  try {
    await deps.desired.recordPair({ policyId, targetId, desired: true, reason: DesiredReason.REATTACHED, at: reattachedAt, incidentId: incident.incidentId });
  } catch (error) {
    auditErrors.push(`desired state: ${describeError(error)}`);
  }
  await recordAfter(
    deps.audit,
    incident.incidentId,
    {
      step: outcome === Outcome.REATTACHED ? TimelineStep.REATTACHED : TimelineStep.ALREADY_ATTACHED,
      at: reattachedAt,
      detail: { policyId, targetId, confirmedBy: 'ListPoliciesForTarget' },
    },
    auditErrors,
  );
  return withErrors({ outcome, reattachedAt }, auditErrors);
}

import {
  AttachPolicyCommand,
  ListPoliciesForTargetCommand,
  type OrganizationsClient,
  type PolicyType as SdkPolicyType,
} from '@aws-sdk/client-organizations';
import { randomUUID } from 'node:crypto';
import type { AuditStore } from '../shared/audit/audit-store';
import { AttachmentNotConfirmedError, describeError, ErrorName } from '../shared/errors';
import type { Incident } from '../shared/incident';
import { Outcome, PolicyType, TimelineStep } from '../shared/vocabulary';
import { toOrganizationsError } from './organizations-errors';

export interface ReattachResult {
  outcome: typeof Outcome.REATTACHED | typeof Outcome.ALREADY_ATTACHED;
  /** When the attachment was confirmed on the target. */
  reattachedAt: string;
}

export interface ReattachDependencies {
  organizations: OrganizationsClient;
  audit: AuditStore;
  clock?: () => Date;
}

async function isAttached(client: OrganizationsClient, policyId: string, targetId: string, type: string): Promise<boolean> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: type as SdkPolicyType, NextToken: nextToken }),
    );
    if (page.Policies?.some((policy) => policy.Id === policyId)) return true;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return false;
}

/**
 * One attempt at putting the policy back: AttachPolicy, then confirm the attachment with
 * ListPoliciesForTarget. Every attempt is recorded in the timeline. An attachment that is
 * already there is success. Errors are thrown with the names the workflow retries or catches.
 */
export async function reattachOnce(incident: Incident, executionArn: string, deps: ReattachDependencies): Promise<ReattachResult> {
  const now = () => (deps.clock ?? (() => new Date()))().toISOString();
  const policyId = incident.policy.id;
  const targetId = incident.target.id;
  if (policyId === undefined || targetId === undefined) throw new Error(`incident ${incident.incidentId} names no policy or target`);
  const type = incident.policy.type ?? PolicyType.SERVICE_CONTROL_POLICY;
  const recordAttempt = (detail: Record<string, unknown>) =>
    deps.audit.appendTimeline(incident.incidentId, {
      step: TimelineStep.REATTACH_ATTEMPT,
      occurrence: `${now()}#${randomUUID().slice(0, 8)}`,
      detail: { executionArn, ...detail },
    });

  let outcome: ReattachResult['outcome'] = Outcome.REATTACHED;
  try {
    await deps.organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
    await recordAttempt({ result: 'attached' });
  } catch (caught) {
    const error = toOrganizationsError(caught);
    if (error.name !== ErrorName.ORG_DUPLICATE_ATTACHMENT) {
      await recordAttempt({ result: 'error', error: error.name, message: error.message, transient: error.transient });
      throw error;
    }
    // A retry after our own attach succeeded (but its confirmation was throttled) also lands here.
    const earlier = await deps.audit.getTimeline(incident.incidentId);
    const attachedBefore = earlier.some(
      (entry) => entry.step === TimelineStep.REATTACH_ATTEMPT && entry.detail.result === 'attached' && entry.detail.executionArn === executionArn,
    );
    outcome = attachedBefore ? Outcome.REATTACHED : Outcome.ALREADY_ATTACHED;
    await recordAttempt({ result: 'already-attached' });
  }

  let confirmed: boolean;
  try {
    confirmed = await isAttached(deps.organizations, policyId, targetId, type);
  } catch (caught) {
    const error = toOrganizationsError(caught);
    await recordAttempt({ result: 'confirmation-error', error: error.name, message: describeError(caught) });
    throw error;
  }
  if (!confirmed) throw new AttachmentNotConfirmedError(policyId, targetId);

  const reattachedAt = now();
  await deps.audit.appendTimeline(incident.incidentId, {
    step: outcome === Outcome.REATTACHED ? TimelineStep.REATTACHED : TimelineStep.ALREADY_ATTACHED,
    at: reattachedAt,
    detail: { policyId, targetId, confirmedBy: 'ListPoliciesForTarget' },
  });
  return { outcome, reattachedAt };
}

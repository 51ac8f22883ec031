import {
  AttachPolicyCommand,
  ListPoliciesForTargetCommand,
  type OrganizationsClient,
  type PolicyType as SdkPolicyType,
} from '@aws-sdk/client-organizations';
import { randomUUID } from 'node:crypto';
import type { AuditStore } from '../shared/audit/audit-store';
import { AttachmentNotConfirmedError, describeError, ErrorName, type OrganizationsError } from '../shared/errors';
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
 * What an earlier attempt of this execution found, when one got past AttachPolicy (and its
 * confirmation then failed): the policy attached by it, or already attached.
 */
async function earlierOutcome(audit: AuditStore, incidentId: string, executionArn: string): Promise<ReattachResult['outcome'] | undefined> {
  const results = new Set(
    (await audit.getTimeline(incidentId))
      .filter((entry) => entry.step === TimelineStep.REATTACH_ATTEMPT && entry.detail.executionArn === executionArn)
      .map((entry) => entry.detail.result),
  );
  if (results.has('attached')) return Outcome.REATTACHED;
  if (results.has('already-attached')) return Outcome.ALREADY_ATTACHED;
  return undefined;
}

/**
 * One attempt at putting the policy back: AttachPolicy, then confirm the attachment with
 * ListPoliciesForTarget. Every attempt is recorded in the timeline. An attachment that is
 * already there is success. Errors are thrown with the names the workflow retries or catches.
 * A retry after this execution got past AttachPolicy only confirms: under throttling, a second
 * AttachPolicy would spend a request of the budget other incidents are waiting for.
 */
export async function reattachOnce(incident: Incident, executionArn: string, deps: ReattachDependencies): Promise<ReattachResult> {
  const now = () => (deps.clock ?? (() => new Date()))().toISOString();
  const policyId = incident.policy.id;
  const targetId = incident.target.id;
  if (policyId === undefined || targetId === undefined) throw new Error(`incident ${incident.incidentId} names no policy or target`);
  // ListPoliciesForTarget needs the type; when Organizations did not tell classify (a lookup that
  // timed out during a storm), look under each type a policy can be protected as.
  const typesToCheck = incident.policy.type !== undefined ? [incident.policy.type] : [PolicyType.SERVICE_CONTROL_POLICY, PolicyType.RESOURCE_CONTROL_POLICY];
  const recordAttempt = (detail: Record<string, unknown>) =>
    deps.audit.appendTimeline(incident.incidentId, {
      step: TimelineStep.REATTACH_ATTEMPT,
      occurrence: `${now()}#${randomUUID().slice(0, 8)}`,
      detail: { executionArn, ...detail },
    });

  const earlier = await earlierOutcome(deps.audit, incident.incidentId, executionArn);
  let outcome: ReattachResult['outcome'] = earlier ?? Outcome.REATTACHED;
  if (earlier === undefined) {
    // Only the Organizations call is translated: an audit write failing afterwards is not an Organizations error.
    let attachError: OrganizationsError | undefined;
    try {
      await deps.organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
    } catch (caught) {
      attachError = toOrganizationsError(caught);
    }
    if (attachError === undefined) {
      await recordAttempt({ result: 'attached' });
    } else if (attachError.name === ErrorName.ORG_DUPLICATE_ATTACHMENT) {
      outcome = Outcome.ALREADY_ATTACHED;
      await recordAttempt({ result: 'already-attached' });
    } else {
      await recordAttempt({ result: 'error', error: attachError.name, message: attachError.message, transient: attachError.transient });
      throw attachError;
    }
  } else {
    await recordAttempt({ result: 'confirming', earlier: outcome });
  }

  let confirmed: boolean;
  try {
    confirmed = false;
    for (const candidate of typesToCheck) {
      confirmed = await isAttached(deps.organizations, policyId, targetId, candidate);
      if (confirmed) break;
    }
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

import { readDetachRecord, readRequestParameters, type RequestParameters } from '../functions/shared/cloudtrail';
import { PolicyType, valuesOf } from '../functions/shared/vocabulary';
import type { LocalOrganization } from './stand-ins/organizations/organization-state';

/**
 * What replaying one event did: `change` says what in words, `why` why nothing changed. `at` is
 * when the replay applied it (or found nothing to change), ISO 8601: the incident's time to
 * remediate counts from it (LocalEnvironment.run), not from the event's own time.
 */
export type ApplyResult = ({ applied: true; change: string } | { applied: false; why: string }) & { at: string };

const POLICY_TYPES: readonly string[] = valuesOf(PolicyType);

/**
 * Makes the local organization look as it would after the event, before the workflow sees it
 * (docs/contracts.md, "The local organization"): a successful AttachPolicy, DetachPolicy,
 * EnablePolicyType, DisablePolicyType, MoveAccount, UpdatePolicy, DeletePolicy or CreatePolicy
 * changes it as the call did, with the endpoint's own rules. Once per CloudTrail eventID: a
 * redelivery changes nothing more. A failed call (`errorCode`), a call of another kind, or one
 * whose record lacks what it needs changes nothing, and the result says why.
 */
export class ChangeReplayer {
  private readonly seen = new Set<string>();

  constructor(
    private readonly organization: LocalOrganization,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  apply(envelope: unknown): ApplyResult {
    const result = this.applied(envelope);
    return { ...result, at: this.clock().toISOString() };
  }

  private applied(envelope: unknown): { applied: true; change: string } | { applied: false; why: string } {
    const record = readDetachRecord(envelope);
    if ('problem' in record) return { applied: false, why: record.problem };
    if (record.eventSource !== 'organizations.amazonaws.com') return { applied: false, why: 'not an Organizations call' };
    const parameters = readRequestParameters(envelope);
    if ('problem' in parameters) return { applied: false, why: parameters.problem };
    if (record.errorCode !== undefined) return { applied: false, why: `the call failed (${record.errorCode})` };
    if (record.malformedErrorCode === true) return { applied: false, why: 'errorCode is not an error code: whether the call succeeded is unknown' };
    if (this.seen.has(record.eventId)) return { applied: false, why: 'a redelivery of an event already applied' };
    this.seen.add(record.eventId);
    try {
      const change = this.change(parameters);
      return typeof change === 'string' ? { applied: true, change } : change;
    } catch (error) {
      return { applied: false, why: `${(error as Error).name}: ${(error as Error).message}` };
    }
  }

  /** Applies the call; its description, or why it cannot be applied. Throws what the organization throws. */
  private change(call: RequestParameters): string | { applied: false; why: string } {
    const org = this.organization;
    const missing = (what: string) => ({ applied: false as const, why: `no ${what} named` });
    switch (call.eventName) {
      case 'DetachPolicy':
        if (call.policyId === undefined || call.targetId === undefined) return missing('policy or target');
        org.detachPolicy(call.policyId, call.targetId);
        return `${call.policyId} detached from ${call.targetId}`;
      case 'AttachPolicy':
        if (call.policyId === undefined || call.targetId === undefined) return missing('policy or target');
        org.attachPolicy(call.policyId, call.targetId);
        return `${call.policyId} attached to ${call.targetId}`;
      case 'DisablePolicyType': {
        const type = policyTypeOf(call.policyType);
        if (call.rootId === undefined || type === undefined) return missing('root or known policy type');
        const detached = org.disablePolicyType(type, call.rootId);
        return `${type} disabled on ${call.rootId}: ${detached} attachment${detached === 1 ? '' : 's'} removed`;
      }
      case 'EnablePolicyType': {
        const type = policyTypeOf(call.policyType);
        if (call.rootId === undefined || type === undefined) return missing('root or known policy type');
        const attached = org.enablePolicyType(type, call.rootId);
        return type === PolicyType.SERVICE_CONTROL_POLICY ? `${type} enabled on ${call.rootId}: FullAWSAccess attached to ${attached} targets` : `${type} enabled on ${call.rootId}`;
      }
      case 'MoveAccount':
        if (call.accountId === undefined || call.sourceParentId === undefined || call.destinationParentId === undefined) return missing('account, source or destination');
        org.moveAccount(call.accountId, call.sourceParentId, call.destinationParentId);
        return `${call.accountId} moved from ${call.sourceParentId} to ${call.destinationParentId}`;
      case 'UpdatePolicy': {
        if (call.policyId === undefined) return missing('policy');
        if (call.name === undefined && call.description === undefined && call.content === undefined) return missing('name, description or content');
        const before = org.policy(call.policyId);
        const after = org.updatePolicy(call.policyId, { name: call.name, description: call.description, content: call.content });
        // CloudTrail carries every member the caller sent; the console sends name and description unchanged.
        const changed = (['contentText', 'name', 'description'] as const).filter((field) => before[field] !== after[field]).map((field) => (field === 'contentText' ? 'content' : field));
        return `${call.policyId} updated: ${changed.length === 0 ? 'nothing changed' : `${changed.join(', ')} changed`}`;
      }
      case 'DeletePolicy':
        if (call.policyId === undefined) return missing('policy');
        org.deletePolicyAsApi(call.policyId);
        return `${call.policyId} deleted`;
      case 'CreatePolicy': {
        const type = policyTypeOf(call.type);
        if (call.name === undefined || call.content === undefined || type === undefined) return missing('name, content or known policy type');
        const created = org.createPolicy({ name: call.name, description: call.description ?? '', type, content: call.content }, call.createdPolicyId);
        return `${created.id} created (${created.name})`;
      }
    }
  }
}

/** @deprecated The replayer applies every kind of change now: use ChangeReplayer. */
export const DetachmentReplayer = ChangeReplayer;
/** @deprecated Use ChangeReplayer. */
export type DetachmentReplayer = ChangeReplayer;

function policyTypeOf(value: string | undefined): PolicyType | undefined {
  return value !== undefined && POLICY_TYPES.includes(value) ? (value as PolicyType) : undefined;
}

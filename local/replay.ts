import { readDetachRecord } from '../functions/shared/cloudtrail';
import type { LocalOrganization } from './organizations/organization-state';

export type ApplyResult = { applied: true } | { applied: false; why: string };

/**
 * Makes the local organization look as it would after the event: a successful DetachPolicy
 * removes the attachment (once per CloudTrail eventID: a redelivery detaches nothing more);
 * a failed call, or anything that is not a DetachPolicy, changes nothing.
 */
export class DetachmentReplayer {
  private readonly seen = new Set<string>();

  constructor(private readonly organization: LocalOrganization) {}

  apply(envelope: unknown): ApplyResult {
    const record = readDetachRecord(envelope);
    if ('problem' in record) return { applied: false, why: record.problem };
    if (record.eventName !== 'DetachPolicy' || record.eventSource !== 'organizations.amazonaws.com') return { applied: false, why: 'not a DetachPolicy call' };
    if (record.errorCode !== undefined) return { applied: false, why: `the call failed (${record.errorCode})` };
    if (this.seen.has(record.eventId)) return { applied: false, why: 'a redelivery of an event already applied' };
    this.seen.add(record.eventId);
    if (record.policyId === undefined || record.targetId === undefined) return { applied: false, why: 'no policy or target named' };
    try {
      this.organization.detachPolicy(record.policyId, record.targetId);
      return { applied: true };
    } catch (error) {
      return { applied: false, why: `${(error as Error).name}: ${(error as Error).message}` };
    }
  }
}

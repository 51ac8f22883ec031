import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProtectionRules } from '../../config/load';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { PolicyType } from '../../functions/shared/vocabulary';
import { parseOrganization, type OrganizationFile } from '../../local/stand-ins/organizations/organization-file';

/** The SCP every member account must keep: the one the storm detaches everywhere. */
export const GUARD_POLICY = 'p-stormguard';
const FULL_ACCESS = 'p-FullAWSAccess';
const ROOT = 'r-st0r';
const MANAGEMENT_ACCOUNT = '111122223333';
/** A real-format DetachPolicy event, used as the template of every event in the storm. */
const TEMPLATE_EVENT = join(__dirname, '..', '..', 'samples', 'events', '01-protected-auto-root.json');

/** One (policy, target) attachment the rules protect. */
export interface ProtectedPair {
  readonly policyId: string;
  readonly targetId: string;
}

/** N protected attachments, the rules that protect them, and one detach event for each. */
export interface StormScenario {
  readonly organization: OrganizationFile;
  readonly rules: ProtectionRules;
  readonly pairs: readonly ProtectedPair[];
  /** EventBridge envelopes of the DetachPolicy calls, one per pair. */
  readonly events: readonly Record<string, unknown>[];
}

const accountId = (index: number) => String(200000000000 + index);

function organizationOf(n: number): OrganizationFile {
  const members = Array.from({ length: n }, (_, index) => accountId(index));
  const content = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'organizations:LeaveOrganization', Resource: '*' }] };
  return parseOrganization(
    {
      rootId: ROOT,
      managementAccountId: MANAGEMENT_ACCOUNT,
      accounts: [
        { id: MANAGEMENT_ACCOUNT, name: 'org-management', parentId: ROOT },
        ...members.map((id, index) => ({ id, name: `workload-${index}`, parentId: ROOT })),
      ],
      policies: [
        // Every target keeps one SCP besides the guard, so detaching the guard is allowed.
        {
          id: FULL_ACCESS,
          name: 'FullAWSAccess',
          type: PolicyType.SERVICE_CONTROL_POLICY,
          awsManaged: true,
          content: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
          targets: [ROOT, MANAGEMENT_ACCOUNT, ...members],
        },
        { id: GUARD_POLICY, name: 'DenyLeaveOrganization', type: PolicyType.SERVICE_CONTROL_POLICY, content, targets: members },
      ],
    },
    'storm organization',
  );
}

function detachEventOf(template: Record<string, unknown>, pair: ProtectedPair): Record<string, unknown> {
  const event = structuredClone(template) as Record<string, unknown> & { detail: Record<string, unknown> };
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  event.id = randomUUID();
  event.time = now;
  event.detail.eventID = randomUUID();
  event.detail.requestID = randomUUID();
  event.detail.eventTime = now;
  event.detail.requestParameters = { policyId: pair.policyId, targetId: pair.targetId };
  return event;
}

/** The rules' `remediation.admission` a storm runs with; left out, the defaults (the guard is not told R). */
export interface StormAdmission {
  readonly enabled?: boolean;
  readonly expectedRate?: number;
}

/** A storm of `n` detachments: the guard SCP comes off `n` member accounts at once. */
export function stormScenario(n: number, admission: StormAdmission = {}): StormScenario {
  const organization = organizationOf(n);
  const pairs = Array.from({ length: n }, (_, index) => ({ policyId: GUARD_POLICY, targetId: accountId(index) }));
  const template = JSON.parse(readFileSync(TEMPLATE_EVENT, 'utf8')) as Record<string, unknown>;
  const remediation = Object.keys(admission).length === 0 ? {} : { remediation: { admission: { ...admission } } };
  const rules = parseProtectionRules({ protect: [{ policyId: GUARD_POLICY, targets: '*', mode: 'auto' }], ...remediation }, 'storm rules');
  return { organization, rules, pairs, events: pairs.map((pair) => detachEventOf(template, pair)) };
}

import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { describeError } from '../shared/errors';
import type { TargetRef } from '../shared/incident';
import type { Enrichment } from './classify';

/** Enrichment must never hold remediation up: after this long, classify goes on without names. */
export const DEFAULT_ENRICHMENT_TIMEOUT_MS = 1500;

async function targetName(client: OrganizationsClient, target: TargetRef, abortSignal: AbortSignal): Promise<string | undefined> {
  if (target.id === undefined) return undefined;
  if (target.type === 'ACCOUNT') {
    const answer = await client.send(new DescribeAccountCommand({ AccountId: target.id }), { abortSignal });
    return answer.Account?.Name;
  }
  if (target.type === 'ORGANIZATIONAL_UNIT') {
    const answer = await client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: target.id }), { abortSignal });
    return answer.OrganizationalUnit?.Name;
  }
  return 'Root';
}

/**
 * Reads the policy's name and type and the target's name, in parallel, giving up after
 * `timeoutMs`. Failures are reported in `errors`, never thrown.
 */
export async function enrich(
  client: OrganizationsClient,
  policyId: string,
  target: TargetRef,
  timeoutMs = DEFAULT_ENRICHMENT_TIMEOUT_MS,
): Promise<Enrichment> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const [policy, name] = await Promise.allSettled([
      client.send(new DescribePolicyCommand({ PolicyId: policyId }), { abortSignal: controller.signal }),
      targetName(client, target, controller.signal),
    ]);
    const errors: string[] = [];
    const enrichment: Enrichment = { errors };
    if (policy.status === 'fulfilled') {
      const summary = policy.value.Policy?.PolicySummary;
      enrichment.policy = { name: summary?.Name, type: summary?.Type };
    } else {
      errors.push(`DescribePolicy ${policyId}: ${controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describeError(policy.reason)}`);
    }
    if (name.status === 'fulfilled') {
      enrichment.target = { name: name.value };
    } else {
      errors.push(`describe ${target.id}: ${controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describeError(name.reason)}`);
    }
    return enrichment;
  } finally {
    clearTimeout(timer);
  }
}

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
    return answer?.Account?.Name;
  }
  if (target.type === 'ORGANIZATIONAL_UNIT') {
    const answer = await client.send(new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: target.id }), { abortSignal });
    return answer?.OrganizationalUnit?.Name;
  }
  return 'Root';
}

type Settled<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Reads the policy's name and type and the target's name, in parallel, giving up after
 * `timeoutMs`. Each call also races the deadline itself, so a transport that ignores the abort
 * signal cannot hold classification up. Failures are reported in `errors`, never thrown.
 */
export async function enrich(
  client: OrganizationsClient,
  policyId: string,
  target: TargetRef,
  timeoutMs = DEFAULT_ENRICHMENT_TIMEOUT_MS,
): Promise<Enrichment> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Settled<never>>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, problem: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const settle = <T>(call: () => Promise<T>): Promise<Settled<T>> =>
    Promise.race([
      Promise.resolve().then(call).then(
        (value): Settled<T> => ({ ok: true, value }),
        (error: unknown): Settled<T> => ({ ok: false, problem: controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describeError(error) }),
      ),
      deadline,
    ]);
  try {
    const [policy, name] = await Promise.all([
      settle(() => client.send(new DescribePolicyCommand({ PolicyId: policyId }), { abortSignal: controller.signal })),
      settle(() => targetName(client, target, controller.signal)),
    ]);
    const errors: string[] = [];
    const enrichment: Enrichment = { errors };
    if (policy.ok) {
      // An answer is trusted no more than an event: classify checks each field's type again.
      const summary = policy.value?.Policy?.PolicySummary;
      enrichment.policy = { name: summary?.Name, type: summary?.Type };
    } else {
      errors.push(`DescribePolicy ${policyId}: ${policy.problem}`);
    }
    if (name.ok) {
      enrichment.target = { name: name.value };
    } else {
      errors.push(`describe ${target.id}: ${name.problem}`);
    }
    return enrichment;
  } finally {
    clearTimeout(timer);
  }
}

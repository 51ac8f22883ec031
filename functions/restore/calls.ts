import { DescribePolicyCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { OrganizationsError, RestoreBlockedError } from '../shared/errors';
import type { RestoreAction } from '../shared/incident';
import { toOrganizationsError } from '../shared/organizations/errors';

/** The Organizations error names (without the `Organizations.` prefix) that mean "already so". */
export const Already = {
  ENABLE: ['PolicyTypeAlreadyEnabledException'],
  ATTACH: ['DuplicatePolicyAttachmentException'],
  DETACH: ['PolicyNotAttachedException'],
  MOVE: ['DuplicateAccountException'],
} as const;

/** ConstraintViolationException's reason when a detach would leave a target without any SCP. */
export const MIN_ATTACHMENT_REASON = 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED';

/** A permanent Organizations error, in one line, with ConstraintViolation's reason. */
export function permanentDetail(error: OrganizationsError, caught: unknown): string {
  const reason = (caught as { Reason?: string } | undefined)?.Reason;
  return `${error.awsName}${reason !== undefined ? ` (${reason})` : ''}: ${error.message}`;
}

/**
 * One write to the organization, as a RestoreAction: done, already so (the names in `already`),
 * or failed for a permanent reason. A transient error (throttling, an outage, a call nobody
 * answered) is thrown with its workflow name, for the ASL to retry the whole task: every write
 * is idempotent, so a retry after a lost answer finds it already done.
 */
export async function write(
  action: Omit<RestoreAction, 'result' | 'detail'> & { detail?: string },
  send: () => Promise<unknown>,
  already: readonly string[],
  options: { blockedByMinimum?: boolean } = {},
): Promise<RestoreAction> {
  try {
    await send();
    return { ...action, result: 'done' };
  } catch (caught) {
    const error = toOrganizationsError(caught);
    if (already.includes(error.awsName)) return { ...action, result: 'already' };
    if (error.transient) throw error;
    // The target's only SCP: another attachment (a person reattaching the target's allow-list,
    // another incident's restoration) lifts it, so it is retried in rounds until the deadline.
    if (options.blockedByMinimum === true && error.awsName === 'ConstraintViolationException' && (caught as { Reason?: string } | undefined)?.Reason === MIN_ATTACHMENT_REASON) {
      const what = `${action.call}${action.policyId === undefined ? '' : ` ${action.policyId}`}${action.targetId === undefined ? '' : ` from ${action.targetId}`}`;
      throw new RestoreBlockedError(`${what} refused: ${permanentDetail(error, caught)}; it is the target's only SCP, tried again until another SCP is attached there or the deadline`, { cause: caught });
    }
    return { ...action, result: 'failed', detail: permanentDetail(error, caught) };
  }
}

/** A read whose permanent failure ends the restoration with a cause; transient errors are thrown. */
export class ReadFailed extends Error {
  constructor(readonly detail: string) {
    super(detail);
    this.name = 'ReadFailed';
  }
}

/** Runs an Organizations read: transient errors thrown as the workflow names them, permanent ones as ReadFailed. */
export async function read<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (caught) {
    const error = toOrganizationsError(caught);
    if (error.transient) throw error;
    throw new ReadFailed(`${what}: ${permanentDetail(error, caught)}`);
  }
}

/** A policy's type and content (DescribePolicy), cached for one invocation. */
export function policyDescriber(organizations: OrganizationsClient) {
  const cache = new Map<string, Promise<{ type?: string; content?: string } | undefined>>();
  return (policyId: string) => {
    let described = cache.get(policyId);
    if (described === undefined) {
      described = (async () => {
        try {
          const { Policy } = await organizations.send(new DescribePolicyCommand({ PolicyId: policyId }));
          return { type: Policy?.PolicySummary?.Type, content: Policy?.Content };
        } catch (caught) {
          const error = toOrganizationsError(caught);
          if (error.transient) throw error;
          if (error.awsName === 'PolicyNotFoundException') return undefined;
          throw new ReadFailed(`DescribePolicy ${policyId}: ${permanentDetail(error, caught)}`);
        }
      })();
      cache.set(policyId, described);
      described.catch(() => cache.delete(policyId));
    }
    return described;
  };
}

/**
 * Runs `work` over `items`, at most `limit` at a time, in order of start. After a failure no
 * item is started any more, and the first failure is thrown once every lane has settled: an
 * attempt that ends has no call left in flight behind it (the next attempt reads what it did).
 */
export async function eachLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && failure === undefined) {
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        failure ??= { error };
      }
    }
  });
  await Promise.all(lanes);
  if (failure !== undefined) throw failure.error;
  return results;
}


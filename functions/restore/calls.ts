import { DescribePolicyCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { OrganizationsError } from '../shared/errors';
import type { RestoreAction } from '../shared/incident';
import { toOrganizationsError } from '../shared/organizations/errors';

/** The Organizations error names (without the `Organizations.` prefix) that mean "already so". */
export const Already = {
  ENABLE: ['PolicyTypeAlreadyEnabledException'],
  ATTACH: ['DuplicatePolicyAttachmentException'],
  DETACH: ['PolicyNotAttachedException'],
  MOVE: ['DuplicateAccountException'],
} as const;

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
): Promise<RestoreAction> {
  try {
    await send();
    return { ...action, result: 'done' };
  } catch (caught) {
    const error = toOrganizationsError(caught);
    if (already.includes(error.awsName)) return { ...action, result: 'already' };
    if (error.transient) throw error;
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

/** Runs `work` over `items`, at most `limit` at a time, in order of start. */
export async function eachLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}

export { OrganizationsError };

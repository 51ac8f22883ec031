import {
  DetachPolicyCommand,
  ListChildrenCommand,
  ListPoliciesForTargetCommand,
  type ChildType,
  type OrganizationsClient,
  type PolicyType as SdkPolicyType,
} from '@aws-sdk/client-organizations';
import { CANARY_DEADLINE_MINUTES, type CanaryPair } from '../shared/canary';
import { GuardianError } from '../shared/errors';
import type { MetricSink } from '../shared/incident-metrics';
import { MetricName } from '../shared/metrics';
import { toOrganizationsError } from '../shared/organizations/errors';

/**
 * One canary run (docs: "The canary"): check that the canary OU holds no account at any depth
 * and that the canary policy is attached to it now, then detach it through the real
 * Organizations API, so the guard must bring it back through CloudTrail, EventBridge and the
 * workflow like any detachment. A run that cannot detach safely refuses with a named error and
 * detaches nothing: the function fails, and the CanaryMissing alarm says so.
 */

/** The canary function's timeout: an empty OU costs four or five calls, each of at most 5 s (clients/timeouts.ts). */
export const CANARY_TIMEOUT_SECONDS = 60;

/** A canary OU should be empty: past this many OUs inside it the run refuses instead of walking on. */
export const MAX_OUS_WALKED = 10;

/** Names of the canary's refusals (Lambda reports the error's name). */
export const CanaryErrorName = {
  /** The rules compiled into the bundle have no `canary`. */
  NOT_CONFIGURED: 'CanaryNotConfigured',
  /** The canary OU does not exist (ParentNotFoundException, TargetNotFoundException). */
  OU_NOT_FOUND: 'CanaryOuNotFound',
  /** The canary OU holds an account, at some depth, or more OUs than a canary OU should. */
  OU_NOT_EMPTY: 'CanaryOuNotEmpty',
  /** The canary policy is not attached to the canary OU now (as a protected type). */
  POLICY_NOT_ATTACHED: 'CanaryPolicyNotAttached',
  /** Organizations refused the detachment itself (the canary SCP is the OU's last one). */
  DETACH_REFUSED: 'CanaryDetachRefused',
} as const;
export type CanaryErrorName = (typeof CanaryErrorName)[keyof typeof CanaryErrorName];

/** The canary refused to detach; nothing was changed in the organization. */
export class CanaryRefusedError extends GuardianError {
  constructor(name: CanaryErrorName, message: string, options?: { cause?: unknown }) {
    super(name, `${message}; nothing was detached`, options);
  }
}

export interface CanaryDependencies {
  organizations: OrganizationsClient;
  /** The canary pair (`canary` in the rules). */
  canary: CanaryPair;
  /** The protected policy types (`policyTypes` in the rules): the canary policy must be one of them. */
  policyTypes: readonly string[];
  /** Where CanaryStarted and CanaryDeadline go: CloudWatch in Lambda, a list locally. */
  metrics: MetricSink;
  clock?: () => Date;
  /** MaxResults of each list call (1 to 20). @default the service's own page size */
  pageSize?: number;
}

/** What a run that detached did. */
export interface CanaryRun {
  policyId: string;
  targetId: string;
  /** The protected type the policy is attached as. */
  policyType: string;
  /** When DetachPolicy answered (ISO 8601). */
  detachedAt: string;
  /** When the guard must have reattached it by (ISO 8601). */
  deadline: string;
  /** DetachPolicy's answer was lost, but the policy was gone from the OU when read again. */
  answerLost?: true;
}

/** An empty page with a NextToken is possible, so only a missing token ends a listing. */
const MAX_PAGES = 1000;

async function listAll<T>(fetch: (nextToken: string | undefined) => Promise<{ items: T[]; nextToken?: string }>): Promise<T[]> {
  const all: T[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await fetch(nextToken);
    all.push(...answer.items);
    nextToken = answer.nextToken === '' ? undefined : answer.nextToken;
    if (nextToken === undefined) return all;
  }
  throw new Error(`a listing did not end after ${MAX_PAGES} pages`);
}

const childrenOf = (deps: CanaryDependencies, parentId: string, type: ChildType): Promise<string[]> =>
  listAll(async (nextToken) => {
    const page = await deps.organizations.send(new ListChildrenCommand({ ParentId: parentId, ChildType: type, NextToken: nextToken, MaxResults: deps.pageSize }));
    return { items: (page.Children ?? []).flatMap((child) => (child.Id === undefined ? [] : [child.Id])), nextToken: page.NextToken };
  });

const notFound = (targetId: string, error: { name: string }) =>
  new CanaryRefusedError(CanaryErrorName.OU_NOT_FOUND, `canary.targetId ${targetId} is not an OU of this organization (${error.name.replace(/^Organizations\./, '')})`);

/** Throws OU_NOT_EMPTY for the first account found under the OU, at any depth (breadth first). */
async function assertHoldsNoAccount(deps: CanaryDependencies): Promise<void> {
  const { targetId, policyId } = deps.canary;
  const queue: { id: string; depth: number }[] = [{ id: targetId, depth: 0 }];
  const seen = new Set<string>([targetId]);
  for (let walked = 0; queue.length > 0; walked++) {
    const ou = queue.shift() as { id: string; depth: number };
    if (walked >= MAX_OUS_WALKED) {
      throw new CanaryRefusedError(CanaryErrorName.OU_NOT_EMPTY, `canary.targetId ${targetId} holds more than ${MAX_OUS_WALKED} OUs: a canary OU should be empty`);
    }
    try {
      const [account] = await childrenOf(deps, ou.id, 'ACCOUNT');
      if (account !== undefined) {
        const where = ou.depth === 0 ? '' : ` (in ${ou.id}, ${ou.depth} level${ou.depth > 1 ? 's' : ''} down)`;
        throw new CanaryRefusedError(
          CanaryErrorName.OU_NOT_EMPTY,
          `canary.targetId ${targetId} holds account ${account}${where}: ${policyId} is detached from it every day, so it must hold no account at any depth`,
        );
      }
      for (const child of await childrenOf(deps, ou.id, 'ORGANIZATIONAL_UNIT')) {
        if (!seen.has(child)) queue.push({ id: child, depth: ou.depth + 1 });
        seen.add(child);
      }
    } catch (caught) {
      if (caught instanceof CanaryRefusedError) throw caught;
      const error = toOrganizationsError(caught);
      if (ou.depth === 0 && error.awsName === 'ParentNotFoundException') throw notFound(targetId, error);
      throw error;
    }
  }
}

const policiesOn = (deps: CanaryDependencies, type: string): Promise<string[]> =>
  listAll(async (nextToken) => {
    const page = await deps.organizations.send(
      new ListPoliciesForTargetCommand({ TargetId: deps.canary.targetId, Filter: type as SdkPolicyType, NextToken: nextToken, MaxResults: deps.pageSize }),
    );
    return { items: (page.Policies ?? []).flatMap((policy) => (policy.Id === undefined ? [] : [policy.Id])), nextToken: page.NextToken };
  });

/** The protected type the canary policy is attached to the OU as; POLICY_NOT_ATTACHED otherwise. */
async function attachedAs(deps: CanaryDependencies): Promise<string> {
  const { targetId, policyId } = deps.canary;
  for (const type of deps.policyTypes) {
    let ids: string[];
    try {
      ids = await policiesOn(deps, type);
    } catch (caught) {
      const error = toOrganizationsError(caught);
      if (error.awsName === 'TargetNotFoundException') throw notFound(targetId, error);
      throw error;
    }
    if (ids.includes(policyId)) return type;
  }
  throw new CanaryRefusedError(
    CanaryErrorName.POLICY_NOT_ATTACHED,
    `canary.policyId ${policyId} is not attached to ${targetId} now (looked for it as ${deps.policyTypes.join(', ')}): ` +
      'the guard may still be restoring an earlier canary, or someone detached it, or it is not of a protected type',
  );
}

/**
 * DetachPolicy; answers true when its answer was lost (a timeout, a 5xx) but the policy is gone
 * from the OU all the same: the detachment happened, and a retried run must not refuse it.
 */
async function detach(deps: CanaryDependencies, policyType: string): Promise<boolean> {
  const { targetId, policyId } = deps.canary;
  try {
    await deps.organizations.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));
    return false;
  } catch (caught) {
    const error = toOrganizationsError(caught);
    if (error.awsName === 'ConstraintViolationException') {
      throw new CanaryRefusedError(
        CanaryErrorName.DETACH_REFUSED,
        `Organizations refused to detach ${policyId} from ${targetId} (${error.message}): attach FullAWSAccess to the canary OU too, so the canary SCP is never its last one`,
        { cause: error },
      );
    }
    if (error.awsName === 'PolicyNotAttachedException') {
      throw new CanaryRefusedError(CanaryErrorName.POLICY_NOT_ATTACHED, `${policyId} was detached from ${targetId} by someone else a moment ago`, { cause: error });
    }
    if (error.transient && !(await policiesOn(deps, policyType).catch(() => [policyId])).includes(policyId)) return true;
    throw error;
  }
}

/** One canary run: the checks, then DetachPolicy, then CanaryStarted and CanaryDeadline. */
export async function runCanary(deps: CanaryDependencies): Promise<CanaryRun> {
  const clock = deps.clock ?? (() => new Date());
  await assertHoldsNoAccount(deps);
  const policyType = await attachedAs(deps);
  const answerLost = await detach(deps, policyType);
  const detached = clock();
  const deadline = new Date(detached.getTime() + CANARY_DEADLINE_MINUTES * 60_000);
  deps.metrics([
    { name: MetricName.CANARY_STARTED, unit: 'Count', value: 1, dimensions: {}, timestamp: detached.getTime() },
    { name: MetricName.CANARY_DEADLINE, unit: 'Count', value: 1, dimensions: {}, timestamp: deadline.getTime() },
  ]);
  return { ...deps.canary, policyType, detachedAt: detached.toISOString(), deadline: deadline.toISOString(), ...(answerLost ? { answerLost } : {}) };
}

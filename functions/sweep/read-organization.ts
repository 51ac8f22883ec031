import {
  DescribePolicyCommand,
  ListChildrenCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  type OrganizationsClient,
  type PolicyType as SdkPolicyType,
} from '@aws-sdk/client-organizations';
import { createHash } from 'node:crypto';
import { allPages, Limiter, mapLimit, type ApiCalls } from './calls';

/**
 * The sweep's reads of the organization, each paginated to its end (an empty page with a
 * NextToken is not the end) and made through ApiCalls (counted, bounded by the deadline).
 */

/** A root and the policy types enabled on it. */
export interface RootSeen {
  id: string;
  enabledTypes: string[];
}

/** A policy as DescribePolicy answers it, with the SHA-256 of its content. */
export interface PolicySeen {
  id: string;
  name?: string;
  type?: string;
  content: string;
  hash: string;
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const notFound = (error: unknown, ...names: string[]) => names.includes((error as { name?: string } | undefined)?.name ?? '');

export interface ReaderOptions {
  /**
   * Organizations calls in flight at once, across every read of the reader (the two child lists
   * of each OU, ListTargetsForPolicy beside ListPoliciesForTarget): enough to keep up with the
   * service's rate, few enough that the adaptive rate limiter, not a burst of throttling, sets
   * the pace.
   * @default 4
   */
  concurrency?: number;
  /** MaxResults of each list call (1 to 20). @default the service's own page size */
  pageSize?: number;
}

export class OrganizationReader {
  private readonly concurrency: number;
  /** Every call of the reader takes a slot: `concurrency` is the bound on calls in flight, not per list. */
  private readonly inFlight: Limiter;

  constructor(
    private readonly client: OrganizationsClient,
    private readonly calls: ApiCalls,
    private readonly options: ReaderOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    this.inFlight = new Limiter(this.concurrency);
  }

  /** One call through ApiCalls (its retries included, in the same slot); each caller names the output fields it reads. */
  private send<T>(operation: string, command: object): Promise<T> {
    return this.inFlight.run(() => this.calls.call(operation, (abortSignal) => this.client.send(command as never, { abortSignal }) as Promise<T>));
  }

  async roots(): Promise<RootSeen[]> {
    const roots = await allPages('ListRoots', async (token) => {
      const page = await this.send<{ Roots?: { Id?: string; PolicyTypes?: { Type?: string; Status?: string }[] }[]; NextToken?: string }>(
        'ListRoots',
        new ListRootsCommand({ NextToken: token, MaxResults: this.options.pageSize }),
      );
      return { items: page.Roots, nextToken: page.NextToken };
    });
    return roots.flatMap((root) =>
      root.Id === undefined ? [] : [{ id: root.Id, enabledTypes: (root.PolicyTypes ?? []).filter((t) => t.Status === 'ENABLED' && t.Type !== undefined).map((t) => t.Type as string) }],
    );
  }

  /** DescribePolicy of each policy; the ones that do not exist are listed apart. */
  async describe(policyIds: readonly string[]): Promise<{ policies: Map<string, PolicySeen>; missing: string[] }> {
    const policies = new Map<string, PolicySeen>();
    const missing: string[] = [];
    await mapLimit(policyIds, this.concurrency, async (policyId) => {
      try {
        const answer = await this.send<{ Policy?: { Content?: string; PolicySummary?: { Name?: string; Type?: string } } }>('DescribePolicy', new DescribePolicyCommand({ PolicyId: policyId }));
        const content = answer.Policy?.Content ?? '';
        policies.set(policyId, { id: policyId, name: answer.Policy?.PolicySummary?.Name, type: answer.Policy?.PolicySummary?.Type, content, hash: sha256(content) });
      } catch (error) {
        if (!notFound(error, 'PolicyNotFoundException')) throw error;
        missing.push(policyId);
      }
    });
    return { policies, missing };
  }

  /** Every target each policy is attached to (ListTargetsForPolicy). */
  async targetsOf(policyIds: readonly string[]): Promise<{ targets: Map<string, Set<string>>; missing: string[] }> {
    const targets = new Map<string, Set<string>>();
    const missing: string[] = [];
    await mapLimit(policyIds, this.concurrency, async (policyId) => {
      try {
        const found = await allPages(`ListTargetsForPolicy ${policyId}`, async (token) => {
          const page = await this.send<{ Targets?: { TargetId?: string }[]; NextToken?: string }>(
            'ListTargetsForPolicy',
            new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken: token, MaxResults: this.options.pageSize }),
          );
          return { items: page.Targets, nextToken: page.NextToken };
        });
        targets.set(policyId, new Set(found.flatMap((target) => (target.TargetId === undefined ? [] : [target.TargetId]))));
      } catch (error) {
        if (!notFound(error, 'PolicyNotFoundException')) throw error;
        missing.push(policyId);
      }
    });
    return { targets, missing };
  }

  /** Every policy of the given types attached to each target (ListPoliciesForTarget, one list per type), with its type. */
  async policiesOn(targetIds: readonly string[], types: readonly string[]): Promise<{ policies: Map<string, Map<string, string>>; missing: string[] }> {
    const policies = new Map<string, Map<string, string>>();
    const missing = new Set<string>();
    const lists = targetIds.flatMap((targetId) => types.map((type) => ({ targetId, type })));
    await mapLimit(lists, this.concurrency, async ({ targetId, type }) => {
      try {
        const found = await allPages(`ListPoliciesForTarget ${targetId} ${type}`, async (token) => {
          const page = await this.send<{ Policies?: { Id?: string }[]; NextToken?: string }>(
            'ListPoliciesForTarget',
            new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: type as SdkPolicyType, NextToken: token, MaxResults: this.options.pageSize }),
          );
          return { items: page.Policies, nextToken: page.NextToken };
        });
        const onTarget = policies.get(targetId) ?? new Map<string, string>();
        for (const policy of found) if (policy.Id !== undefined) onTarget.set(policy.Id, type);
        policies.set(targetId, onTarget);
      } catch (error) {
        // A type that is not enabled has no attachments to list.
        if (notFound(error, 'PolicyTypeNotEnabledException')) return;
        if (!notFound(error, 'TargetNotFoundException')) throw error;
        missing.add(targetId);
      }
    });
    for (const targetId of missing) policies.delete(targetId);
    return { policies, missing: [...missing] };
  }

  /**
   * The parent of every account at any depth under the given roots and OUs, by walking the tree
   * with ListChildren: two lists per OU (its OUs, its accounts), far fewer calls than one
   * ListParents per account (200 OUs and 1,000 accounts: about 400 calls against 1,000 more).
   * One list per (OU, child type) at a time in `mapLimit`, and at most `concurrency` calls in
   * flight in all.
   */
  async accountsUnder(parentIds: readonly string[]): Promise<{ parents: Map<string, string>; ouParents: Map<string, string>; visited: Set<string>; missing: string[] }> {
    const parents = new Map<string, string>();
    const ouParents = new Map<string, string>();
    const missing: string[] = [];
    const visited = new Set<string>();
    let level = [...new Set(parentIds)];
    while (level.length > 0) {
      for (const id of level) visited.add(id);
      const lists = level.flatMap((parentId) => (['ORGANIZATIONAL_UNIT', 'ACCOUNT'] as const).map((type) => ({ parentId, type })));
      const next = await mapLimit(lists, this.concurrency, async ({ parentId, type }) => {
        try {
          const children = await this.children(parentId, type);
          if (type === 'ORGANIZATIONAL_UNIT') {
            for (const ouId of children) ouParents.set(ouId, parentId);
            return children;
          }
          for (const accountId of children) parents.set(accountId, parentId);
          return [];
        } catch (error) {
          if (!notFound(error, 'ParentNotFoundException')) throw error;
          if (!missing.includes(parentId)) missing.push(parentId);
          return [];
        }
      });
      level = [...new Set(next.flat())].filter((id) => !visited.has(id));
    }
    for (const id of missing) visited.delete(id);
    return { parents, ouParents, visited, missing };
  }

  /**
   * The parent of each account (ListParents, one call each): for the accounts the walk did not
   * find where the desired state last saw them. An account no longer in the organization is listed apart.
   */
  async parentsOf(accountIds: readonly string[]): Promise<{ parents: Map<string, string>; missing: string[] }> {
    const parents = new Map<string, string>();
    const missing: string[] = [];
    await mapLimit(accountIds, this.concurrency, async (accountId) => {
      try {
        const found = await allPages(`ListParents ${accountId}`, async (token) => {
          const page = await this.send<{ Parents?: { Id?: string }[]; NextToken?: string }>(
            'ListParents',
            new ListParentsCommand({ ChildId: accountId, NextToken: token, MaxResults: this.options.pageSize }),
          );
          return { items: page.Parents, nextToken: page.NextToken };
        });
        const parentId = found.find((parent) => parent.Id !== undefined)?.Id;
        if (parentId === undefined) missing.push(accountId);
        else parents.set(accountId, parentId);
      } catch (error) {
        if (!notFound(error, 'ChildNotFoundException', 'AccountNotFoundException')) throw error;
        missing.push(accountId);
      }
    });
    return { parents, missing };
  }

  private children(parentId: string, type: 'ORGANIZATIONAL_UNIT' | 'ACCOUNT'): Promise<string[]> {
    return allPages(`ListChildren ${parentId} ${type}`, async (token) => {
      const page = await this.send<{ Children?: { Id?: string }[]; NextToken?: string }>(
        'ListChildren',
        new ListChildrenCommand({ ParentId: parentId, ChildType: type, NextToken: token, MaxResults: this.options.pageSize }),
      );
      return { items: page.Children?.flatMap((child) => (child.Id === undefined ? [] : [child.Id])), nextToken: page.NextToken };
    });
  }
}

import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribePolicyCommand,
  ListParentsCommand,
  ListPoliciesForTargetCommand,
  ListTargetsForPolicyCommand,
  type OrganizationsClient,
  type PolicyType as SdkPolicyType,
} from '@aws-sdk/client-organizations';
import { describeError, GuardianError } from '../shared/errors';
import type { Incident, TargetRef } from '../shared/incident';
import type { Enrichment, LostAttachment } from './classify';

/** Enrichment must never hold remediation up: after this long, classify goes on without names. */
export const DEFAULT_ENRICHMENT_TIMEOUT_MS = 1500;

/**
 * The reads a verdict depends on (the ancestors of a moved account and their policies, the
 * targets of a changed policy) get longer, since without them the rules alone decide; still well
 * inside classify's 10 s, whose Organizations calls each fail after 5 s (clients/timeouts.ts).
 */
export const DEFAULT_LOOKUP_TIMEOUT_MS = 6000;

/** The error name when Organizations could not answer what a verdict needs: ClassifyFromRulesAlone follows. */
export const CLASSIFY_LOOKUP_FAILED = 'ClassifyLookupFailed';

/** Roots and five levels of OUs: no account is deeper than this (AWS's limit), so a longer chain is a wrong answer. */
const MAX_DEPTH = 8;
/** Pages of one listing; an organization's 10-SCPs-per-target limit keeps a real one to a page or two. */
const MAX_PAGES = 20;

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
  policyId: string | undefined,
  target: TargetRef | undefined,
  timeoutMs = DEFAULT_ENRICHMENT_TIMEOUT_MS,
): Promise<Enrichment> {
  if (policyId === undefined && target?.id === undefined) return { errors: [] };
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
      policyId === undefined ? undefined : settle(() => client.send(new DescribePolicyCommand({ PolicyId: policyId }), { abortSignal: controller.signal })),
      target?.id === undefined ? undefined : settle(() => targetName(client, target, controller.signal)),
    ]);
    const errors: string[] = [];
    const enrichment: Enrichment = { errors };
    if (policy?.ok) {
      // An answer is trusted no more than an event: classify checks each field's type again.
      const summary = policy.value?.Policy?.PolicySummary;
      enrichment.policy = { name: summary?.Name, type: summary?.Type };
    } else if (policy !== undefined) {
      errors.push(`DescribePolicy ${policyId}: ${policy.problem}`);
    }
    if (name?.ok) {
      enrichment.target = { name: name.value };
    } else if (name !== undefined) {
      errors.push(`describe ${target?.id}: ${name.problem}`);
    }
    return enrichment;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `work` with an abort signal, failing with ClassifyLookupFailed when it fails or takes
 * longer than `timeoutMs` (racing the deadline too, so a transport that ignores the signal
 * cannot hold classification up). The caller throws: the ASL then decides from the rules alone.
 */
async function withDeadline<T>(what: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new GuardianError(CLASSIFY_LOOKUP_FAILED, `${what}: no answer from Organizations within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(() => work(controller.signal))
        .catch((error: unknown) => {
          throw new GuardianError(CLASSIFY_LOOKUP_FAILED, `${what}: ${describeError(error)}`, { cause: error });
        }),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `parentId` and every root and OU above it, nearest first, ending at the root. */
async function ancestry(client: OrganizationsClient, parentId: string, abortSignal: AbortSignal): Promise<string[]> {
  const chain = [parentId];
  while (!chain[chain.length - 1].startsWith('r-')) {
    if (chain.length >= MAX_DEPTH) throw new Error(`ListParents: no root within ${MAX_DEPTH} levels above ${parentId}`);
    const childId = chain[chain.length - 1];
    const answer = await client.send(new ListParentsCommand({ ChildId: childId }), { abortSignal });
    const parent = answer?.Parents?.[0]?.Id;
    if (typeof parent !== 'string' || parent === '' || chain.includes(parent)) throw new Error(`ListParents ${childId}: no usable parent in the answer`);
    chain.push(parent);
  }
  return chain;
}

/** Every policy of `type` attached directly to `targetId`; a type that is not enabled has none. */
async function policiesOn(client: OrganizationsClient, targetId: string, type: string, abortSignal: AbortSignal): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    let answer;
    try {
      answer = await client.send(new ListPoliciesForTargetCommand({ TargetId: targetId, Filter: type as SdkPolicyType, NextToken: nextToken }), { abortSignal });
    } catch (error) {
      if ((error as { name?: string } | null)?.name === 'PolicyTypeNotEnabledException') return [];
      throw error;
    }
    for (const policy of answer?.Policies ?? []) if (typeof policy.Id === 'string') ids.push(policy.Id);
    // A page can be empty and still have a NextToken: only its absence ends the listing.
    nextToken = answer?.NextToken;
    if (nextToken === undefined) return ids;
  }
  throw new Error(`ListPoliciesForTarget ${targetId}: more than ${MAX_PAGES} pages`);
}

/**
 * ACCOUNT_MOVED: what the account stopped inheriting. Walks the ancestors of the source and the
 * destination parents (ListParents); each root or OU above the source (the source included) that
 * is not above the destination took its attachments with it (ListPoliciesForTarget, per protected
 * type), except a policy the destination chain still gives: one attached to the destination or an
 * ancestor of it is still inherited, whatever else it was attached to (the sweep's `moves()`,
 * functions/sweep/kinds.ts, keeps the same rule). Throws ClassifyLookupFailed when Organizations
 * cannot answer.
 */
export async function lostAttachments(
  client: OrganizationsClient,
  move: NonNullable<Incident['move']>,
  policyTypes: readonly string[],
  timeoutMs = DEFAULT_LOOKUP_TIMEOUT_MS,
): Promise<LostAttachment[]> {
  return withDeadline(`the attachments ${move.accountId} inherited under ${move.sourceParentId}`, timeoutMs, async (signal) => {
    const [source, destination] = await Promise.all([ancestry(client, move.sourceParentId, signal), ancestry(client, move.destinationParentId, signal)]);
    const left = source.filter((id) => !destination.includes(id));
    // The ancestors both chains share give the same before and after: only the destination's own are read.
    const joined = destination.filter((id) => !source.includes(id));
    const listOn = (targets: string[]) =>
      Promise.all(targets.flatMap((targetId) => policyTypes.map(async (type) => (await policiesOn(client, targetId, type, signal)).map((policyId) => ({ targetId, policyId })))));
    const [lists, still] = await Promise.all([listOn(left), listOn(joined)]);
    const stillGiven = new Set(still.flat().map((attachment) => attachment.policyId));
    return lists.flat().filter((attachment) => !stillGiven.has(attachment.policyId));
  });
}

/** POLICY_CHANGED: every target `policyId` is attached to (ListTargetsForPolicy). Throws ClassifyLookupFailed when Organizations cannot answer. */
export async function policyTargets(client: OrganizationsClient, policyId: string, timeoutMs = DEFAULT_LOOKUP_TIMEOUT_MS): Promise<string[]> {
  return withDeadline(`the targets of ${policyId}`, timeoutMs, async (abortSignal) => {
    const ids: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const answer = await client.send(new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken: nextToken }), { abortSignal });
      for (const target of answer?.Targets ?? []) if (typeof target.TargetId === 'string') ids.push(target.TargetId);
      nextToken = answer?.NextToken;
      if (nextToken === undefined) return ids;
    }
    throw new Error(`ListTargetsForPolicy ${policyId}: more than ${MAX_PAGES} pages`);
  });
}

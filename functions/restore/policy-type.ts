import { AttachPolicyCommand, DetachPolicyCommand, EnablePolicyTypeCommand, ListRootsCommand, ListTargetsForPolicyCommand, type PolicyType as SdkPolicyType } from '@aws-sdk/client-organizations';
import { describeError, OrganizationsError } from '../shared/errors';
import type { Incident, RestoreAction } from '../shared/incident';
import { isDesired, type RootTypesEntry } from '../shared/desired/desired-state';
import { isTargetRule } from '../shared/rules/rule-kind';
import { Outcome, PolicyType } from '../shared/vocabulary';
import { Already, eachLimited, policyDescriber, read, write } from './calls';
import type { RestoreDependencies, RestoreResult } from './restore';

/** The AWS-managed SCP that enabling SCPs attaches to every root, OU and account. */
export const FULL_AWS_ACCESS = 'p-FullAWSAccess';

/** The root's entry, with the targets FullAWSAccess was not on (written by the sweep). */
type RootEntry = RootTypesEntry & { withoutFullAwsAccess?: string[] };

/** What to put back: the desired pairs of the type, and the targets FullAWSAccess must come off. */
interface Plan {
  pairs: { policyId: string; targetId: string }[];
  withoutFullAccess: Set<string>;
  /** Set when the desired state could not be read and the plan is the rules' explicit pairs. */
  unreadable?: string;
  /** Desired pairs whose policy is gone or not of the type: reported, not attached. */
  skipped: RestoreAction[];
}

/** Waits until ListRoots shows the type ENABLED (AWS may report PENDING_ENABLE for a while). */
async function waitUntilEnabled(rootId: string, type: string, deps: RestoreDependencies): Promise<void> {
  const waitMs = deps.enableWaitMs ?? 5_000;
  const pollMs = deps.enablePollMs ?? 500;
  const until = Date.now() + waitMs;
  let status = 'not listed';
  for (;;) {
    let nextToken: string | undefined;
    do {
      const page = await read('ListRoots', () => deps.organizations.send(new ListRootsCommand({ NextToken: nextToken })));
      const root = page.Roots?.find((r) => r.Id === rootId);
      if (root !== undefined) status = root.PolicyTypes?.find((t) => t.Type === type)?.Status ?? 'not listed';
      nextToken = root === undefined ? page.NextToken : undefined;
    } while (nextToken !== undefined);
    if (status === 'ENABLED') return;
    if (Date.now() >= until) break;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  // Retried like contention: the organization is still changing under the call.
  throw new OrganizationsError('ConcurrentModificationException', `${type} is ${status} on ${rootId}, not yet ENABLED, ${waitMs} ms after EnablePolicyType`, undefined);
}

/**
 * The root entry to restore to: the latest one that lists the type enabled. A sweep that ran
 * after the disable may have written a later entry without it; the entries before it are read
 * by stepping back in time.
 */
async function rootEntry(rootId: string, type: string, deps: RestoreDependencies): Promise<RootEntry | undefined> {
  let at: Date | undefined;
  let fallback: RootEntry | undefined;
  for (let step = 0; step < 5; step++) {
    const entry = (await deps.desired.rootTypes(at)).get(rootId) as RootEntry | undefined;
    if (entry === undefined) return fallback;
    fallback ??= entry;
    if (entry.enabledTypes.includes(type)) return entry;
    at = new Date(Date.parse(entry.at) - 1);
  }
  return fallback;
}

/**
 * Where each policy of the plan is attached now (ListTargetsForPolicy, every page): one read per
 * policy and attempt, far fewer calls than the pairs. A retry after throttling then attaches only
 * what the attempts before it did not, so every attempt makes progress on the rest.
 */
async function attachedNow(policyIds: Iterable<string>, deps: RestoreDependencies): Promise<Map<string, Set<string>>> {
  const ids = [...new Set(policyIds)].sort();
  const lists = await eachLimited(ids, deps.concurrency ?? 4, async (policyId) => {
    const targets = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await read(`ListTargetsForPolicy ${policyId}`, () => deps.organizations.send(new ListTargetsForPolicyCommand({ PolicyId: policyId, NextToken: nextToken })));
      for (const target of page.Targets ?? []) if (target.TargetId !== undefined) targets.add(target.TargetId);
      nextToken = page.NextToken;
    } while (nextToken !== undefined);
    return targets;
  });
  return new Map(ids.map((id, index) => [id, lists[index]]));
}

/** The targets a forbid rule keeps FullAWSAccess off. */
const forbiddenFullAccess = (deps: RestoreDependencies): string[] => deps.rules.forbid.filter((rule) => rule.policyId === FULL_AWS_ACCESS).flatMap((rule) => rule.targets);

type DesiredRead = [Awaited<ReturnType<RestoreDependencies['desired']['pairs']>>, Awaited<ReturnType<RestoreDependencies['desired']['contents']>>, RootEntry | undefined];

/** The desired pairs of the type, from the desired state. */
async function desiredPlan(state: DesiredRead, type: string, deps: RestoreDependencies, now: Date): Promise<Plan> {
  const [pairs, contents, root] = state;
  const describe = policyDescriber(deps.organizations);
  const skipped: RestoreAction[] = [];
  const wanted: Plan['pairs'] = [];
  for (const entry of pairs.values()) {
    if (!isDesired(entry, now)) continue;
    let policyType = contents.get(entry.policyId)?.type;
    if (policyType === undefined) {
      const described = await describe(entry.policyId);
      if (described === undefined) {
        skipped.push({ call: 'AttachPolicy', policyId: entry.policyId, targetId: entry.targetId, result: 'failed', detail: 'PolicyNotFoundException: the policy no longer exists' });
        continue;
      }
      policyType = described.type;
    }
    if (policyType === type) wanted.push({ policyId: entry.policyId, targetId: entry.targetId });
  }
  const withoutFullAccess = new Set(type === PolicyType.SERVICE_CONTROL_POLICY ? [...(root?.withoutFullAwsAccess ?? []), ...forbiddenFullAccess(deps)] : []);
  return { pairs: wanted, withoutFullAccess, skipped };
}

/** Without the desired state: the pairs the rules name explicitly (a policy and its listed targets, a target and its listed policies), and the canary's. */
async function rulesPlan(type: string, deps: RestoreDependencies, unreadable: string): Promise<Plan> {
  const describe = policyDescriber(deps.organizations);
  const named = deps.rules.protect.flatMap((rule) => {
    if (isTargetRule(rule)) return rule.policies === '*' ? [] : rule.policies.map((policyId) => ({ policyId, targetId: rule.targetId }));
    return rule.targets === '*' ? [] : rule.targets.map((targetId) => ({ policyId: rule.policyId, targetId }));
  });
  if (deps.rules.canary !== undefined) named.push({ policyId: deps.rules.canary.policyId, targetId: deps.rules.canary.targetId });
  const pairs: Plan['pairs'] = [];
  const skipped: RestoreAction[] = [];
  for (const pair of named) {
    const described = await describe(pair.policyId);
    if (described === undefined) skipped.push({ call: 'AttachPolicy', ...pair, result: 'failed', detail: 'PolicyNotFoundException: the policy no longer exists' });
    else if (described.type === type) pairs.push(pair);
  }
  return { pairs, withoutFullAccess: new Set(type === PolicyType.SERVICE_CONTROL_POLICY ? forbiddenFullAccess(deps) : []), skipped, unreadable };
}

/**
 * POLICY_TYPE_DISABLED: EnablePolicyType, then every desired pair of that type, then
 * FullAWSAccess off where the desired state says it was not attached. Per target, a target that
 * must lose FullAWSAccess gets its first policy before the detach (a target keeps at least one
 * SCP) and the rest after it (at most ten).
 */
export async function restorePolicyType(incident: Incident, deps: RestoreDependencies, now: Date): Promise<RestoreResult> {
  const rootId = incident.disabledType?.rootId ?? incident.target.id;
  const type = incident.disabledType?.policyType ?? incident.policy.type;
  if (rootId === undefined || type === undefined) return { outcome: Outcome.FAILED, actions: [], cause: `incident ${incident.incidentId} names no root or policy type to enable` };

  const enable = await write(
    { call: 'EnablePolicyType', targetId: rootId, detail: type },
    () => deps.organizations.send(new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: type as SdkPolicyType })),
    Already.ENABLE,
  );
  const actions: RestoreAction[] = [{ ...enable, detail: enable.detail ?? type }];
  if (enable.result === 'failed') return { outcome: Outcome.FAILED, actions, cause: `EnablePolicyType ${type} on ${rootId} failed: ${enable.detail}` };
  await waitUntilEnabled(rootId, type, deps);

  let state: DesiredRead | undefined;
  let unreadable: string | undefined;
  try {
    state = await Promise.all([deps.desired.pairs(), deps.desired.contents(), rootEntry(rootId, type, deps)]);
  } catch (error) {
    unreadable = describeError(error);
  }
  const plan = state !== undefined ? await desiredPlan(state, type, deps, now) : await rulesPlan(type, deps, unreadable ?? 'unknown error');

  const byTarget = new Map<string, string[]>();
  for (const { policyId, targetId } of plan.pairs) {
    if (policyId === FULL_AWS_ACCESS && plan.withoutFullAccess.has(targetId)) continue;
    byTarget.set(targetId, [...(byTarget.get(targetId) ?? []), policyId]);
  }
  for (const targetId of plan.withoutFullAccess) if (!byTarget.has(targetId)) byTarget.set(targetId, []);

  // What is attached already (an earlier attempt's work, or never detached) is not written again.
  const planned = [...byTarget.values()].flat();
  if (plan.withoutFullAccess.size > 0) planned.push(FULL_AWS_ACCESS);
  const attachedBefore = await attachedNow(planned, deps);
  const isAttached = (policyId: string, targetId: string) => attachedBefore.get(policyId)?.has(targetId) === true;
  const attach = async (policyId: string, targetId: string): Promise<RestoreAction> =>
    isAttached(policyId, targetId)
      ? { call: 'AttachPolicy', policyId, targetId, result: 'already' }
      : write({ call: 'AttachPolicy', policyId, targetId }, () => deps.organizations.send(new AttachPolicyCommand({ PolicyId: policyId, TargetId: targetId })), Already.ATTACH);
  const detachFullAccess = async (targetId: string): Promise<RestoreAction> =>
    !isAttached(FULL_AWS_ACCESS, targetId)
      ? { call: 'DetachPolicy', policyId: FULL_AWS_ACCESS, targetId, result: 'already' }
      : write({ call: 'DetachPolicy', policyId: FULL_AWS_ACCESS, targetId }, () => deps.organizations.send(new DetachPolicyCommand({ PolicyId: FULL_AWS_ACCESS, TargetId: targetId })), Already.DETACH);

  const perTarget = await eachLimited([...byTarget.entries()], deps.concurrency ?? 4, async ([targetId, policies]) => {
    const done: RestoreAction[] = [];
    const [first, ...rest] = policies.filter((id) => id !== FULL_AWS_ACCESS);
    if (policies.includes(FULL_AWS_ACCESS)) done.push(await attach(FULL_AWS_ACCESS, targetId));
    if (first !== undefined) done.push(await attach(first, targetId));
    if (plan.withoutFullAccess.has(targetId)) done.push(await detachFullAccess(targetId));
    for (const policyId of rest) done.push(await attach(policyId, targetId));
    return done;
  });
  actions.push(...perTarget.flat(), ...plan.skipped);

  const failed = actions.filter((action) => action.result === 'failed');
  const attached = actions.filter((action) => action.call === 'AttachPolicy' && action.result !== 'failed').length;
  if (plan.unreadable !== undefined) {
    return {
      outcome: Outcome.FAILED,
      actions,
      cause: `the desired state could not be read (${plan.unreadable}): ${type} re-enabled on ${rootId} and the rules' ${attached} explicit pairs restored; every other desired pair is not restored yet, and the next sweep follows up`,
    };
  }
  if (failed.length > 0) {
    const first = failed[0];
    return {
      outcome: Outcome.FAILED,
      actions,
      cause: `${type} re-enabled on ${rootId}; ${failed.length} of ${actions.length} actions failed, the first: ${first.call} ${first.policyId ?? ''} on ${first.targetId ?? ''}: ${first.detail ?? ''}`.replace(/  +/g, ' '),
    };
  }
  return { outcome: Outcome.RESTORED, actions, restoredAt: (deps.clock ?? (() => new Date()))().toISOString() };
}

import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { AuditStore } from '../shared/audit/audit-store';
import type { IncidentQueries } from '../shared/audit/queries';
import { DesiredReason, isDesired, latestBy, pairKey, type PairEntry } from '../shared/desired/desired-state';
import type { DesiredStateStore } from '../shared/desired/desired-store';
import { driftIncidentId, type DriftDetail } from '../shared/drift';
import { describeError } from '../shared/errors';
import { silentLog, type Log } from '../shared/log';
import { targetKindOf } from '../shared/rules/id-formats';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { Kind, PolicyType } from '../shared/vocabulary';
import { ApiCalls, mapLimit, SweepErrorName } from './calls';
import { executionTimeoutSeconds } from './execution-timeout';
import { findDetachments, type FoundDetach } from './event-history';
import { followUpOf, isFailed, isOpen, pairIncidents, subjectIncidents } from './incidents';
import { FindingOutcome, sweepFinding, type FindingContext } from './kind-drift';
import { contentChanges, deletedPolicies, disabledTypes, forbiddenAttachments, FULL_AWS_ACCESS, fullAccessLeftovers, isOfKind, moves, withoutFullAwsAccess, type KindFinding } from './kinds';
import { OrganizationReader, type PolicySeen } from './read-organization';
import { contentEntries, desiredPairs, parentEntries, planReads, reconcilePairs, rootEntries, type Attachments, type MissingPair } from './reconcile';
import { DriftStatus, type ExplainedPair, type SweepChange, type SweepDrift, type SweepResult } from './result';
import { startDrift } from './start-drift';

/**
 * One sweep (contract: docs/contracts.md, "The sweep"): read the desired state and the
 * organization, append what changed to the desired state, and start the remediation workflow
 * for every desired pair missing from the organization that no open incident explains.
 *
 * The pairs come first, reads, writes and starts: a sweep that runs out of time in the reads
 * that only feed the rest of the desired state (ListRoots, the ListChildren walk for the
 * accounts' parents) has restored what it found missing all the same, and so has every sweep
 * after it.
 */

/**
 * Incident ids a drift may hop along before the sweep gives up on it, loudly: each hop is an id
 * taken by a CLOSED incident that did not restore the pair, or by an execution that recorded none.
 */
export const MAX_HOPS = 5;

export interface SweepDependencies {
  rules: ProtectionRules;
  /** Organizations with the SDK's adaptive retries (clients/organizations.ts, SWEEP_ORGANIZATIONS_CLIENT_OPTIONS). */
  organizations: OrganizationsClient;
  cloudTrail: CloudTrailClient;
  sfn: SFNClient;
  stateMachineArn: string;
  desired: DesiredStateStore;
  audit: AuditStore;
  queries: IncidentQueries;
  clock?: () => Date;
  log?: Log;
  /** Organizations calls in flight at once. @default 4 */
  concurrency?: number;
  /** MaxResults of the Organizations list calls (tests page small). @default the service's own */
  pageSize?: number;
  /** Pages of CloudTrail's event history read at most. @default 10 */
  lookupPages?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Stops a sweep early as its deadline would (the local environment stopping). */
  signal?: AbortSignal;
}

export interface SweepOptions {
  /** Compute the drift, write nothing, start nothing. */
  dryRun?: boolean;
  /** When the sweep must have stopped (its function's timeout, less a margin). */
  deadline: Date;
}

/** Who made the call, as the rules match principals: the role behind a session, else the caller. */
function actorOf(found: FoundDetach | undefined): string | undefined {
  const identity = found?.userIdentity as { arn?: unknown; sessionContext?: { sessionIssuer?: { arn?: unknown } } } | undefined;
  const issuer = identity?.sessionContext?.sessionIssuer?.arn;
  return typeof issuer === 'string' ? issuer : typeof identity?.arn === 'string' ? identity.arn : undefined;
}

function driftReason(pair: MissingPair): string {
  const base = `${pair.policyId} should be attached to ${pair.targetId} (desired since ${pair.lastDesiredAt}) but is not, and no open incident explains it`;
  return pair.overrideExpired === undefined ? base : `${base}; the override${pair.overrideExpired.by === undefined ? '' : ` by ${pair.overrideExpired.by}`} ended at ${pair.overrideExpired.until}`;
}

const isDeadline = (error: unknown) => (error as Error | undefined)?.name === SweepErrorName.DEADLINE_PASSED;

const sameEntry = (a: PairEntry, b: PairEntry) =>
  a.at === b.at && a.reason === b.reason && a.desired === b.desired && a.incidentId === b.incidentId && a.until === b.until && a.by === b.by;

export async function runSweep(deps: SweepDependencies, options: SweepOptions): Promise<SweepResult> {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? silentLog;
  const started = clock();
  const startedAt = started.toISOString();
  const dryRun = options.dryRun === true;
  const { rules } = deps;
  const calls = new ApiCalls({ deadline: options.deadline.getTime(), sleep: deps.sleep, signal: deps.signal });
  const reader = new OrganizationReader(deps.organizations, calls, { concurrency: deps.concurrency, pageSize: deps.pageSize });
  const errors: string[] = [];
  const notes: string[] = [];
  const warnings: string[] = [];
  const changes: SweepChange[] = [];
  /** Set once the deadline passed after the first write: the rest is left to the next sweep. */
  let stopped = false;
  const stop = (error: unknown, what: string) => {
    stopped = true;
    errors.push(`the sweep stopped at its deadline ${what}: ${describeError(error)}`);
  };
  const writeAll = async (writes: [string, () => Promise<void>][]) => {
    if (dryRun) return;
    await mapLimit(writes, 4, async ([what, write]) => {
      try {
        await write();
      } catch (error) {
        errors.push(`desired state: ${what} not recorded: ${describeError(error)}`);
      }
    });
  };

  // 1. The pairs. The desired pairs first: the policies of their pairs are read from the organization too.
  const pairs = await deps.desired.pairs();
  const plan = planReads(rules, { pairs });
  const named = await reader.describe(plan.namedPolicies);
  const protectedNamed = plan.namedPolicies.filter((id) => rules.policyTypes.includes(named.policies.get(id)?.type as never));
  const [listed, onTargets] = await Promise.all([reader.targetsOf(protectedNamed), reader.policiesOn(plan.wildcardTargets, rules.policyTypes)]);
  const more = new Set(plan.otherPolicies);
  for (const onTarget of onTargets.policies.values()) for (const policyId of onTarget.keys()) more.add(policyId);
  const others = await reader.describe([...more].filter((id) => !named.policies.has(id)).sort());
  const seen: Attachments = {
    targetsOf: listed.targets,
    policiesOn: onTargets.policies,
    policies: new Map([...named.policies, ...others.policies]),
    missingPolicies: new Set([...named.missing, ...listed.missing, ...others.missing]),
    missingTargets: new Set(onTargets.missing),
  };
  // Read with the pairs: the roots (a disabled type explains its missing pairs), FullAWSAccess's
  // targets (the root's entry keeps where it was not) and the forbid targets' policies. Each is
  // best effort: without it the pairs are restored all the same.
  const readSoft = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      if (isDeadline(error)) throw error;
      errors.push(`${what} could not be read: ${describeError(error)}`);
      return undefined;
    }
  };
  const rootsSeen = await readSoft('the roots (ListRoots)', () => reader.roots());
  /** Whether a policy type is enabled on every root (true when unknown: nothing is held back then). */
  const typeEnabled = (type: string | undefined) => rootsSeen === undefined || type === undefined || rootsSeen.every((root) => root.enabledTypes.includes(type));
  const scp = PolicyType.SERVICE_CONTROL_POLICY;
  let fullAccessTargets = listed.targets.get(FULL_AWS_ACCESS);
  if (fullAccessTargets === undefined && rules.policyTypes.includes(scp) && rootsSeen !== undefined && rootsSeen.some((root) => root.enabledTypes.includes(scp))) {
    fullAccessTargets = (await readSoft(`the targets of ${FULL_AWS_ACCESS}`, () => reader.targetsOf([FULL_AWS_ACCESS])))?.targets.get(FULL_AWS_ACCESS);
  }
  const forbidReads = [
    ...new Set(rules.forbid.flatMap((rule) => ((rule.policyId === FULL_AWS_ACCESS && fullAccessTargets !== undefined) || listed.targets.has(rule.policyId) ? [] : rule.targets))),
  ]
    .filter((targetId) => !onTargets.policies.has(targetId))
    .sort();
  const forbidOn = forbidReads.length === 0 ? undefined : await readSoft('the policies of the forbid targets', () => reader.policiesOn(forbidReads, rules.policyTypes));
  for (const targetId of forbidOn?.missing ?? []) warnings.push(`${targetId} (forbid) does not exist in the organization`);
  const forbiddenIsAttached = (policyId: string, targetId: string): boolean | undefined => {
    if (policyId === FULL_AWS_ACCESS && fullAccessTargets !== undefined) return fullAccessTargets.has(targetId);
    const listedTargets = listed.targets.get(policyId);
    if (listedTargets !== undefined) return listedTargets.has(targetId);
    const on = onTargets.policies.get(targetId) ?? forbidOn?.policies.get(targetId);
    if (on !== undefined) return on.has(policyId);
    return forbidOn?.missing.includes(targetId) === true ? false : undefined;
  };

  const now = clock();
  const openFor = executionTimeoutSeconds(rules);
  // FullAWSAccess that a disable and re-enable of SCPs left on targets the guard holds without it
  // (kinds.ts, fullAccessLeftovers): never recorded as desired, never dropped from the root's
  // withoutFullAwsAccess, and found as a POLICY_TYPE_DISABLED drift while it is attached there.
  const recordedRoots = await readSoft('the desired state of the roots', () => deps.desired.rootTypes());
  const leftovers = new Map<string, ReturnType<typeof fullAccessLeftovers>>();
  for (const seenRoot of rootsSeen ?? []) {
    const entry = recordedRoots?.get(seenRoot.id);
    if (!seenRoot.enabledTypes.includes(scp) || (entry?.withoutFullAwsAccess ?? []).length === 0) continue;
    const typeIncidentsOfRoot = await readSoft(`the incidents of ${scp} on ${seenRoot.id}`, () =>
      subjectIncidents(deps.queries, { targetId: seenRoot.id }, Kind.POLICY_TYPE_DISABLED, (record) => isOfKind(record, Kind.POLICY_TYPE_DISABLED) && (record.incident?.disabledType?.policyType ?? scp) === scp, now, openFor),
    );
    if (typeIncidentsOfRoot === undefined) continue;
    leftovers.set(
      seenRoot.id,
      fullAccessLeftovers({
        root: seenRoot,
        entry,
        incidents: typeIncidentsOfRoot,
        fullAccessTargets,
        desired: [...pairs.values()].filter((entry) => isDesired(entry, now)),
        typeOf: (policyId) => seen.policies.get(policyId)?.type,
        attached: (policyId, targetId) => seen.targetsOf.get(policyId)?.has(targetId) ?? seen.policiesOn.get(targetId)?.has(policyId) ?? undefined,
      }),
    );
  }
  const pendingFullAccess = new Set([...leftovers.values()].flatMap((found) => [...found.pending]));
  const pairPlan = reconcilePairs(rules, { pairs }, seen, now, startedAt, { holdBack: (policyId, targetId) => policyId === FULL_AWS_ACCESS && pendingFullAccess.has(targetId) });
  changes.push(...pairPlan.changes);
  warnings.push(...pairPlan.warnings);
  await writeAll(pairPlan.entries.map((entry) => [`pair ${entry.policyId} ${entry.targetId}`, () => deps.desired.recordPair(entry)]));

  // Which missing pairs no open incident explains, and which incident each follows. A pair whose
  // last incident failed for good is left alone for a while (a warning each sweep), or released
  // when its target is gone; one whose retries ran out is followed up at once.
  const explained: ExplainedPair[] = [];
  const unexplained: (MissingPair & { follows?: string })[] = [];
  const released: PairEntry[] = [];
  // A pair of a type disabled on the root cannot be attached: the type's restoration reattaches it
  // (its drift is POLICY_TYPE_DISABLED, below), so no missing-pair drift starts for it. Nor while
  // an open incident of that type's disabling is still at work, once the type is enabled again.
  const typeIncidents = new Map<string, string>();
  await mapLimit(rootsSeen === undefined ? [] : rootsSeen.flatMap((root) => root.enabledTypes.filter((type) => rules.policyTypes.includes(type as never)).map((type) => ({ root, type }))), 4, async ({ root, type }) => {
    const found = await subjectIncidents(deps.queries, { targetId: root.id }, Kind.POLICY_TYPE_DISABLED, (record) => isOfKind(record, Kind.POLICY_TYPE_DISABLED) && (record.incident?.disabledType?.policyType ?? type) === type, now, openFor);
    if (found.open !== undefined) typeIncidents.set(type, found.open.incidentId);
  });
  const heldByType = new Map<string, number>();
  const missingPairs = pairPlan.missing.filter((pair) => {
    const type = seen.policies.get(pair.policyId)?.type;
    if (typeEnabled(type) && (type === undefined || !typeIncidents.has(type))) return true;
    const incidentId = type === undefined ? undefined : typeIncidents.get(type);
    if (incidentId !== undefined) explained.push({ policyId: pair.policyId, targetId: pair.targetId, incidentId });
    else heldByType.set(type as string, (heldByType.get(type as string) ?? 0) + 1);
    return false;
  });
  for (const [type, count] of heldByType) notes.push(`${count} desired attachment(s) of ${type} are missing because the type is disabled: no drift of them started, the type's restoration reattaches them`);
  await mapLimit(missingPairs, 4, async (pair) => {
    const { policyId, targetId } = pair;
    const incidents = await pairIncidents(deps.queries, policyId, targetId, now, openFor);
    if (incidents.open !== undefined) {
      explained.push({ policyId, targetId, incidentId: incidents.open.incidentId });
      return;
    }
    const failed = isFailed(incidents.latest) ? incidents.latest : undefined;
    const followUp = failed === undefined ? undefined : followUpOf(failed, now);
    if (failed === undefined || followUp === undefined) {
      unexplained.push(pair);
    } else if (followUp.action === 'release') {
      released.push({ policyId, targetId, desired: false, reason: DesiredReason.TARGET_GONE, at: startedAt, incidentId: failed.incidentId });
      warnings.push(`${policyId} on ${targetId}: the target is no longer in the organization (${failed.incidentId} failed: ${failed.cause}); the pair is released (${DesiredReason.TARGET_GONE})`);
    } else if (followUp.action === 'wait') {
      warnings.push(
        `${policyId} on ${targetId}: still missing; ${failed.incidentId} failed for good (${failed.cause}), so the sweep tries again from ${followUp.retryAfter}. Fix the cause, or attach it yourself.`,
      );
    } else {
      unexplained.push({ ...pair, follows: failed.incidentId });
    }
  });
  released.sort((a, b) => pairKey(a.policyId, a.targetId).localeCompare(pairKey(b.policyId, b.targetId)));
  for (const entry of released) {
    pairPlan.after.set(pairKey(entry.policyId, entry.targetId), entry);
    changes.push({ type: 'pair', policyId: entry.policyId, targetId: entry.targetId, desired: false, reason: entry.reason });
  }
  await writeAll(released.map((entry) => [`pair ${entry.policyId} ${entry.targetId}`, () => deps.desired.recordPair(entry)]));
  unexplained.sort((a, b) => pairKey(a.policyId, a.targetId).localeCompare(pairKey(b.policyId, b.targetId)));

  const history = await findDetachments(deps.cloudTrail, calls, unexplained.map((pair) => ({ policyId: pair.policyId, targetId: pair.targetId, since: pair.lastDesiredAt })), now, { maxPages: deps.lookupPages });
  if (history.note !== undefined) notes.push(history.note);

  /**
   * Why a drift must not start after all: the pair's history holds an entry the sweep did not
   * read at its start, nor write itself (an ignored principal's detach released it, an override
   * closed, the workflow reattached it), or it is no longer desired. The next sweep compares again.
   */
  const changedMeanwhile = async (pair: MissingPair): Promise<string | undefined> => {
    const key = pairKey(pair.policyId, pair.targetId);
    const before = pairs.get(key);
    const own = pairPlan.entries.filter((entry) => pairKey(entry.policyId, entry.targetId) === key);
    const entries = await deps.desired.pairHistory(pair.policyId, pair.targetId);
    const newer = entries.filter((entry) => !own.some((o) => sameEntry(o, entry)) && (before === undefined || (!sameEntry(entry, before) && entry.at >= before.at)));
    const latest = latestBy(dryRun ? [...entries, ...own] : entries, (entry) => pairKey(entry.policyId, entry.targetId)).get(key);
    const change = newer.at(-1);
    if (change !== undefined) {
      return `${pair.policyId} on ${pair.targetId}: the desired state changed while the sweep ran (${change.reason} at ${change.at}${change.by === undefined ? '' : ` by ${change.by}`}${change.incidentId === undefined ? '' : `, incident ${change.incidentId}`}); no drift started, the next sweep compares again`;
    }
    if (!isDesired(latest, now)) return `${pair.policyId} on ${pair.targetId}: no longer desired; no drift started`;
    return undefined;
  };

  const drift: SweepDrift[] = [];
  const incidents: string[] = [];

  /** One drift: the id no incident took (or the open incident that explains it), then its execution. */
  const startPairDrift = async (pair: MissingPair & { follows?: string }): Promise<void> => {
    const { policyId, targetId } = pair;
    const found = history.found.get(pairKey(policyId, targetId));
    let follows = pair.follows;
    let incidentId = found?.eventId ?? driftIncidentId(Kind.DRIFT, policyId, targetId, pair.lastDesiredAt, follows);
    let hops = 0;
    // An id taken by an incident that closed (or never will) without the pair restored: this drift
    // follows it, under a new id. The CloudTrail eventID's incident is followed by the pair's
    // last FAILED one when there is one, as before.
    const hop = () => {
      follows = incidentId.startsWith('drift-') ? incidentId : (follows ?? incidentId);
      incidentId = driftIncidentId(Kind.DRIFT, policyId, targetId, pair.lastDesiredAt, follows);
      hops++;
    };
    for (;;) {
      if (hops > MAX_HOPS) {
        errors.push(
          `${policyId} on ${targetId}: still missing, and ${MAX_HOPS} incident ids in a row were taken by incidents or executions that did not restore it (the last ${follows}): no drift started. Attach it, or see those incidents`,
        );
        return;
      }
      const existing = await deps.audit.getIncident(incidentId);
      if (existing !== undefined) {
        // Open: its execution may still restore the pair (the byTarget index may not list it yet).
        if (isOpen(existing, now, openFor)) {
          explained.push({ policyId, targetId, incidentId });
          return;
        }
        hop();
        continue;
      }
      const detail: DriftDetail = {
        kind: Kind.DRIFT,
        incidentId,
        policyId,
        targetId,
        reason: driftReason(pair),
        lastDesiredAt: pair.lastDesiredAt,
        ...(follows === undefined ? {} : { follows }),
        ...(pair.overrideExpired === undefined ? {} : { overrideExpired: pair.overrideExpired }),
        // The detach's caller is its actor even when its eventID names an earlier incident already.
        ...(found === undefined ? {} : { found }),
      };
      const entry: SweepDrift = {
        kind: detail.kind,
        policyId,
        targetId,
        reason: detail.reason,
        incidentId,
        lastDesiredAt: pair.lastDesiredAt,
        ...(follows === undefined ? {} : { follows }),
        ...(pair.overrideExpired === undefined ? {} : { overrideExpired: pair.overrideExpired }),
        ...(found === undefined ? {} : { found: { eventId: found.eventId, actor: actorOf(found) } }),
        status: DriftStatus.DRY_RUN,
      };
      if (dryRun) {
        drift.push(entry);
        return;
      }
      try {
        entry.status = await startDrift(deps.sfn, calls, deps.stateMachineArn, detail, now);
      } catch (error) {
        if (isDeadline(error)) throw error;
        entry.status = DriftStatus.NOT_STARTED;
        entry.error = describeError(error);
        errors.push(`${incidentId}: the workflow was not started: ${entry.error}`);
        drift.push(entry);
        return;
      }
      if (entry.status === DriftStatus.STARTED) {
        incidents.push(incidentId);
        drift.push(entry);
        return;
      }
      // ExecutionAlreadyExists: an execution of this name ran, or runs. Only its record tells
      // whether it is still at work: without one (its classification failed, or the audit store
      // took neither its claim nor its close) the pair was not restored, and never will be by it.
      const recorded = await deps.audit.getIncident(incidentId);
      if (recorded !== undefined) {
        if (isOpen(recorded, now, openFor)) {
          drift.push(entry);
          return;
        }
        hop();
        continue;
      }
      const unclassified = await deps.audit.getIncident(`unclassified-${incidentId}`);
      if (unclassified !== undefined && isOpen(unclassified, now, openFor)) {
        drift.push(entry);
        return;
      }
      errors.push(
        `${incidentId}: its execution exists but ${unclassified === undefined ? 'recorded no incident' : `could not classify the drift (${unclassified.incidentId}, ${unclassified.outcome ?? unclassified.status})`}: ${policyId} on ${targetId} was not restored by it; a new incident follows it`,
      );
      hop();
    }
  };

  for (const pair of unexplained) {
    try {
      const skip = await changedMeanwhile(pair);
      if (skip !== undefined) {
        notes.push(skip);
        continue;
      }
      await startPairDrift(pair);
    } catch (error) {
      if (isDeadline(error)) {
        stop(error, `with ${unexplained.length - unexplained.indexOf(pair)} drift(s) not started, the rest of the desired state not read`);
        break;
      }
      errors.push(`${pair.policyId} on ${pair.targetId}: no drift started: ${describeError(error)}`);
    }
  }
  const stillDesired = desiredPairs(pairPlan.after, now);

  // 2. Beside the pairs, the other kinds of weakening (kinds.ts), each found against the desired
  // state and started like a missing pair (kind-drift.ts); then what the desired state records of
  // them: the content of protected policies, the root's protected types and the targets without
  // FullAWSAccess, the parents of accounts under protected attachments (walked from every root and
  // OU a desired pair is on). A change is recorded only once accepted (kind-drift.ts): an
  // attacker's change never becomes the state the guard restores to.
  const context: FindingContext = {
    queries: deps.queries,
    audit: deps.audit,
    sfn: deps.sfn,
    stateMachineArn: deps.stateMachineArn,
    calls,
    dryRun,
    now,
    openFor,
    maxHops: MAX_HOPS,
    drift,
    incidents,
    explained,
    warnings,
    errors,
  };
  const sweepAll = async (findings: KindFinding[]): Promise<Map<KindFinding, FindingOutcome>> => {
    const outcomes = new Map<KindFinding, FindingOutcome>();
    for (const finding of findings) {
      try {
        outcomes.set(finding, await sweepFinding(context, finding));
      } catch (error) {
        if (isDeadline(error)) throw error;
        errors.push(`${finding.subject}: no drift started: ${describeError(error)}`);
        outcomes.set(finding, FindingOutcome.HELD);
      }
    }
    return outcomes;
  };
  const held = (outcomes: Map<KindFinding, FindingOutcome>) => [...outcomes].filter(([, outcome]) => outcome !== FindingOutcome.ACCEPTED).map(([finding]) => finding);
  if (!stopped) {
    try {
      const [contents, parents, roots] = await Promise.all([deps.desired.contents(), deps.desired.parents(), recordedRoots ?? deps.desired.rootTypes()]);
      const protectedPolicies = new Set([...protectedNamed, ...stillDesired.map((entry) => entry.policyId)]);
      const protectedSeen = [...seen.policies.values()].filter((policy: PolicySeen) => protectedPolicies.has(policy.id) && rules.policyTypes.includes(policy.type as never));
      const forbidden = forbiddenAttachments(rules, forbiddenIsAttached);
      warnings.push(...forbidden.unread.map((what) => `${what}: whether it is attached could not be read; not compared`));
      const findings = [
        ...disabledTypes(rootsSeen ?? [], roots, rules.policyTypes),
        ...deletedPolicies(seen.missingPolicies, contents, pairs, now),
        ...contentChanges(protectedSeen, contents),
        ...forbidden.findings,
        ...[...leftovers.values()].flatMap((found) => (found.finding === undefined ? [] : [found.finding])),
      ];
      const outcomes = await sweepAll(findings);
      const heldFindings = held(outcomes);

      const heldContent = new Set(heldFindings.filter((f) => f.driftOf === Kind.POLICY_CHANGED).map((f) => f.policyId));
      const content = contentEntries(protectedSeen.filter((policy) => !heldContent.has(policy.id)), contents, startedAt);
      changes.push(...content.changes);
      await writeAll(content.entries.map((entry) => [`content ${entry.policyId}`, () => deps.desired.recordContent(entry)]));

      const heldTypes = new Map<string, Set<string>>();
      for (const finding of heldFindings) {
        const disabled = finding.detail.disabledType;
        if (disabled !== undefined) heldTypes.set(disabled.rootId, (heldTypes.get(disabled.rootId) ?? new Set()).add(disabled.policyType));
      }
      const missingTargets = new Set(pairPlan.missing.map((pair) => pair.targetId));
      const forbiddenFullAccess = new Set(forbidden.findings.filter((f) => f.policyId === FULL_AWS_ACCESS).map((f) => f.targetId as string));
      const root = rootEntries(rootsSeen ?? [], roots, rules.policyTypes, startedAt, {
        held: heldTypes,
        // Only while SCPs are enabled is FullAWSAccess's absence a choice someone made.
        withoutFullAwsAccess: (seenRoot, previous) =>
          !seenRoot.enabledTypes.includes(scp) || fullAccessTargets === undefined
            ? undefined
            : withoutFullAwsAccess({
                desired: stillDesired,
                typeOf: (policyId) => seen.policies.get(policyId)?.type,
                fullAccessTargets,
                missingTargets,
                forbiddenFullAccess,
                previous: previous?.withoutFullAwsAccess,
                pending: leftovers.get(seenRoot.id)?.pending,
              }),
      });
      changes.push(...root.changes);
      await writeAll(root.entries.map((entry) => [`root ${entry.rootId}`, () => deps.desired.recordRootTypes(entry)]));

      const subtrees = [...new Set(stillDesired.map((entry) => entry.targetId))].filter((id) => targetKindOf(id) === 'ROOT' || targetKindOf(id) === 'ORGANIZATIONAL_UNIT').sort();
      const walked = await reader.accountsUnder(subtrees);
      warnings.push(...walked.missing.map((id) => `${id}: no longer in the organization; the accounts under it were not walked`));
      // An account the walk did not find where the desired state last saw it, under a parent still
      // walked, moved out of every walked subtree: ListParents tells where it is now.
      const lost = [...parents.values()].filter((entry) => walked.visited.has(entry.parentId) && !walked.parents.has(entry.accountId)).map((entry) => entry.accountId).sort();
      const lookedUp = lost.length === 0 ? undefined : await readSoft('the parents of accounts that left the walked OUs (ListParents)', () => reader.parentsOf(lost));
      const current = new Map([...(lookedUp?.parents ?? []), ...walked.parents]);
      const attachedOn = (targetId: string): string[] => [
        ...[...seen.targetsOf].filter(([, targets]) => targets.has(targetId)).map(([policyId]) => policyId),
        ...(seen.policiesOn.get(targetId)?.keys() ?? []),
        ...(fullAccessTargets?.has(targetId) === true ? [FULL_AWS_ACCESS] : []),
      ];
      const moved = moves(parents, { parents: current, ouParents: walked.ouParents }, stillDesired, attachedOn);
      const moveOutcomes = await sweepAll(moved.findings);
      const heldAccounts = new Set(held(moveOutcomes).map((finding) => finding.targetId));
      const parent = parentEntries(new Map([...walked.parents].filter(([accountId]) => !heldAccounts.has(accountId))), parents, startedAt);
      // An accepted move out of every walked subtree is recorded too: its account is where the guard now holds it should be.
      for (const [finding, outcome] of moveOutcomes) {
        const move = finding.detail.move;
        if (outcome === FindingOutcome.ACCEPTED && move !== undefined && !walked.parents.has(move.accountId)) {
          parent.entries.push({ accountId: move.accountId, parentId: move.destinationParentId, at: startedAt });
          parent.changes.push({ type: 'parent', accountId: move.accountId, parentId: move.destinationParentId, previousParentId: move.sourceParentId });
        }
      }
      changes.push(...parent.changes);
      await writeAll(parent.entries.map((entry) => [`parent ${entry.accountId}`, () => deps.desired.recordParent(entry)]));
    } catch (error) {
      if (isDeadline(error)) stop(error, 'after the pairs: the other kinds of drift, the content, root types or parents not all read and recorded');
      else errors.push(`the other kinds of drift, the content, root types and parents were not all read and recorded: ${describeError(error)}`);
    }
  }

  const result: SweepResult = {
    dryRun,
    startedAt,
    drift,
    incidents,
    explained,
    declaredNotAttached: pairPlan.declaredNotAttached,
    changes,
    desiredPairs: stillDesired.length,
    warnings: [...new Set(warnings)],
    notes,
    errors,
    calls: calls.count(),
    seconds: (clock().getTime() - started.getTime()) / 1000,
  };
  log.info('swept', { dryRun, drift: drift.length, incidents, explained: explained.length, changes: changes.length, desiredPairs: result.desiredPairs, calls: result.calls, seconds: result.seconds, errors });
  return result;
}

import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { AuditStore } from '../shared/audit/audit-store';
import type { AuditQueries } from '../shared/audit/queries';
import { pairKey } from '../shared/desired/desired-state';
import type { DesiredStateStore } from '../shared/desired/desired-store';
import { driftIncidentId, type DriftDetail } from '../shared/drift';
import { describeError } from '../shared/errors';
import { silentLog, type Log } from '../shared/log';
import { targetKindOf } from '../shared/rules/id-formats';
import type { ProtectionRules } from '../shared/rules/schema';
import { Kind, Outcome } from '../shared/vocabulary';
import { executionTimeoutSeconds } from '../../statemachine/definition';
import { ApiCalls, mapLimit } from './calls';
import { findDetachments, type FoundDetach } from './event-history';
import { pairIncidents } from './incidents';
import { OrganizationReader, type PolicySeen } from './read-organization';
import { contentEntries, desiredPairs, parentEntries, planReads, reconcilePairs, rootEntries, type Attachments, type DesiredView, type MissingPair } from './reconcile';
import { DriftStatus, type ExplainedPair, type SweepDrift, type SweepResult } from './result';
import { startDrift } from './start-drift';

/**
 * One sweep (contract: docs/contracts.md, "The sweep"): read the desired state and the
 * organization, append what changed to the desired state, and start the remediation workflow
 * for every desired pair missing from the organization that no open incident explains.
 */

export interface SweepDependencies {
  rules: ProtectionRules;
  /** Organizations with the SDK's adaptive retries (clients/organizations.ts, SWEEP_ORGANIZATIONS_CLIENT_OPTIONS). */
  organizations: OrganizationsClient;
  cloudTrail: CloudTrailClient;
  sfn: SFNClient;
  stateMachineArn: string;
  desired: DesiredStateStore;
  audit: AuditStore;
  queries: AuditQueries;
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

  // The desired state first: the policies of its pairs are read from the organization too.
  const [pairs, contents, parents, roots] = await Promise.all([deps.desired.pairs(), deps.desired.contents(), deps.desired.parents(), deps.desired.rootTypes()]);
  const desired: DesiredView = { pairs, contents, parents, roots };
  const plan = planReads(rules, desired);

  const seenRoots = await reader.roots();
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
  const now = clock();
  const pairPlan = reconcilePairs(rules, desired, seen, now, startedAt);
  const stillDesired = desiredPairs(pairPlan.after, now);

  // Beside the pairs: the content of protected policies, the parents of accounts under protected
  // attachments (walked from every root and OU a desired pair is on), the root's protected types.
  const protectedPolicies = new Set([...protectedNamed, ...stillDesired.map((entry) => entry.policyId)]);
  const content = contentEntries([...seen.policies.values()].filter((policy: PolicySeen) => protectedPolicies.has(policy.id) && rules.policyTypes.includes(policy.type as never)), contents, startedAt);
  const subtrees = [...new Set(stillDesired.map((entry) => entry.targetId))].filter((id) => targetKindOf(id) === 'ROOT' || targetKindOf(id) === 'ORGANIZATIONAL_UNIT').sort();
  const walked = await reader.accountsUnder(subtrees);
  const parent = parentEntries(walked.parents, parents, startedAt);
  const root = rootEntries(seenRoots, roots, rules.policyTypes, startedAt);
  const changes = [...pairPlan.changes, ...content.changes, ...parent.changes, ...root.changes];

  if (!dryRun) {
    const writes: [string, () => Promise<void>][] = [
      ...pairPlan.entries.map((entry): [string, () => Promise<void>] => [`pair ${entry.policyId} ${entry.targetId}`, () => deps.desired.recordPair(entry)]),
      ...content.entries.map((entry): [string, () => Promise<void>] => [`content ${entry.policyId}`, () => deps.desired.recordContent(entry)]),
      ...parent.entries.map((entry): [string, () => Promise<void>] => [`parent ${entry.accountId}`, () => deps.desired.recordParent(entry)]),
      ...root.entries.map((entry): [string, () => Promise<void>] => [`root ${entry.rootId}`, () => deps.desired.recordRootTypes(entry)]),
    ];
    await mapLimit(writes, 4, async ([what, write]) => {
      try {
        await write();
      } catch (error) {
        errors.push(`desired state: ${what} not recorded: ${describeError(error)}`);
      }
    });
  }

  // Which missing pairs no open incident explains, and which incident each follows.
  const openFor = executionTimeoutSeconds(rules);
  const explained: ExplainedPair[] = [];
  const unexplained: (MissingPair & { follows?: string })[] = [];
  await mapLimit(pairPlan.missing, 4, async (pair) => {
    const incidents = await pairIncidents(deps.queries, pair.policyId, pair.targetId, now, openFor);
    if (incidents.open !== undefined) explained.push({ policyId: pair.policyId, targetId: pair.targetId, incidentId: incidents.open.incidentId });
    else unexplained.push({ ...pair, ...(incidents.latest?.outcome === Outcome.FAILED ? { follows: incidents.latest.incidentId } : {}) });
  });
  unexplained.sort((a, b) => pairKey(a.policyId, a.targetId).localeCompare(pairKey(b.policyId, b.targetId)));

  const history = await findDetachments(deps.cloudTrail, calls, unexplained.map((pair) => ({ policyId: pair.policyId, targetId: pair.targetId, since: pair.lastDesiredAt })), now, { maxPages: deps.lookupPages });
  if (history.note !== undefined) notes.push(history.note);

  const drift: SweepDrift[] = [];
  const incidents: string[] = [];
  for (const pair of unexplained) {
    const found = history.found.get(pairKey(pair.policyId, pair.targetId));
    let follows = pair.follows;
    let incidentId = found?.eventId;
    // An id already taken names an incident that did not restore the pair: this drift follows it.
    if (incidentId !== undefined && (await deps.audit.getIncident(incidentId)) !== undefined) {
      follows ??= incidentId;
      incidentId = undefined;
    }
    incidentId ??= driftIncidentId(Kind.DRIFT, pair.policyId, pair.targetId, pair.lastDesiredAt, follows);
    for (let hops = 0; hops < 5 && incidentId.startsWith('drift-'); hops++) {
      const existing = await deps.audit.getIncident(incidentId);
      if (existing === undefined) break;
      follows = incidentId;
      incidentId = driftIncidentId(Kind.DRIFT, pair.policyId, pair.targetId, pair.lastDesiredAt, follows);
    }
    const detail: DriftDetail = {
      kind: Kind.DRIFT,
      incidentId,
      policyId: pair.policyId,
      targetId: pair.targetId,
      reason: driftReason(pair),
      lastDesiredAt: pair.lastDesiredAt,
      ...(follows === undefined ? {} : { follows }),
      ...(pair.overrideExpired === undefined ? {} : { overrideExpired: pair.overrideExpired }),
      // The detach's caller is its actor even when its eventID names an earlier incident already.
      ...(found === undefined ? {} : { found }),
    };
    const entry: SweepDrift = {
      kind: detail.kind,
      policyId: pair.policyId,
      targetId: pair.targetId,
      reason: detail.reason,
      incidentId,
      lastDesiredAt: pair.lastDesiredAt,
      ...(follows === undefined ? {} : { follows }),
      ...(pair.overrideExpired === undefined ? {} : { overrideExpired: pair.overrideExpired }),
      ...(found === undefined ? {} : { found: { eventId: found.eventId, actor: actorOf(found) } }),
      status: DriftStatus.DRY_RUN,
    };
    if (!dryRun) {
      try {
        entry.status = await startDrift(deps.sfn, calls, deps.stateMachineArn, detail, now);
        if (entry.status === DriftStatus.STARTED) incidents.push(incidentId);
      } catch (error) {
        if ((error as Error).name === 'SweepDeadlinePassed') throw error;
        entry.status = DriftStatus.NOT_STARTED;
        entry.error = describeError(error);
        errors.push(`${incidentId}: the workflow was not started: ${entry.error}`);
      }
    }
    drift.push(entry);
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
    warnings: [...pairPlan.warnings, ...walked.missing.map((id) => `${id}: no longer in the organization; the accounts under it were not walked`)],
    notes,
    errors,
    calls: calls.count(),
    seconds: (clock().getTime() - started.getTime()) / 1000,
  };
  log.info('swept', { dryRun, drift: drift.length, incidents, explained: explained.length, changes: changes.length, desiredPairs: result.desiredPairs, calls: result.calls, seconds: result.seconds, errors });
  return result;
}

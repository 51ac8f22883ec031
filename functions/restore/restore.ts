import { DescribePolicyCommand, DetachPolicyCommand, ListParentsCommand, MoveAccountCommand, UpdatePolicyCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { createHash } from 'node:crypto';
import type { DesiredStateStore } from '../shared/desired/desired-store';
import { isDesired, type ContentEntry } from '../shared/desired/desired-state';
import { describeError } from '../shared/errors';
import type { Incident, RestoreAction, RestoreReport } from '../shared/incident';
import { checkDeadline, type RemediationRequest } from '../shared/remediation-deadline';
import { isTargetRule } from '../shared/rules/rule-kind';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { Kind, Outcome } from '../shared/vocabulary';
import { Already, read, ReadFailed, write } from './calls';
import { restorePolicyType } from './policy-type';
import { statementDiff } from './statement-diff';

export interface RestoreDependencies {
  organizations: OrganizationsClient;
  /** The desired state, read only: what was attached, each policy's last known content, the root's types. */
  desired: Pick<DesiredStateStore, 'pairs' | 'contents' | 'rootTypes'>;
  rules: Pick<ProtectionRules, 'protect' | 'forbid' | 'policyContent' | 'canary'>;
  /** How long after the restoration began transient errors are retried (rules: remediation.deadlineMinutes). */
  deadlineSeconds: number;
  clock?: () => Date;
  /** How long to wait for a re-enabled type to show ENABLED, and how often to look. @default 5000 and 500 ms */
  enableWaitMs?: number;
  enablePollMs?: number;
  /** Targets restored at once after a re-enable. @default 4 */
  concurrency?: number;
}

/** RestoreProtection's input: as ReattachPolicy's. */
export interface RestoreInput extends RemediationRequest {
  incident: Incident;
  executionArn: string;
}

/**
 * What RestoreProtection did, in the shape the workflow's result takes (`$.result.detail`):
 * the outcome, every write, what the notice tells beside it, and why it failed.
 */
export interface RestoreResult {
  outcome: typeof Outcome.RESTORED | typeof Outcome.OBSERVED | typeof Outcome.FAILED;
  actions: RestoreAction[];
  report?: RestoreReport;
  /** For FAILED: why, in one line (CloseIncident records it, the Fail state names it). */
  cause?: string;
  /** For RESTORED: when the last write was confirmed. */
  restoredAt?: string;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** What is being restored: the kind, or for a sweep-found drift the kind it is a drift of. */
export const restoring = (incident: Incident): Incident['kind'] => (incident.kind === Kind.DRIFT ? incident.driftOf : incident.kind);

const failed = (cause: string, actions: RestoreAction[] = [], report?: RestoreReport): RestoreResult => ({ outcome: Outcome.FAILED, actions, cause, ...(report !== undefined ? { report } : {}) });

function outcomeOf(actions: RestoreAction[], what: string, now: () => string, report?: RestoreReport): RestoreResult {
  const failure = actions.find((action) => action.result === 'failed');
  if (failure !== undefined) return failed(`${what}: ${failure.call} failed: ${failure.detail ?? 'unknown reason'}`, actions, report);
  return { outcome: Outcome.RESTORED, actions, restoredAt: now(), ...(report !== undefined ? { report } : {}) };
}

/** ACCOUNT_MOVED: MoveAccount from wherever the account is now back to the parent it was moved from. */
async function restoreMove(incident: Incident, deps: RestoreDependencies, now: () => string): Promise<RestoreResult> {
  const move = incident.move;
  if (move === undefined) return failed(`incident ${incident.incidentId} does not say where the account was moved from`);
  const { Parents } = await read(`ListParents ${move.accountId}`, () => deps.organizations.send(new ListParentsCommand({ ChildId: move.accountId })));
  const current = Parents?.[0]?.Id;
  if (current === undefined) return failed(`ListParents ${move.accountId} named no parent`);
  const action = { call: 'MoveAccount', targetId: move.accountId };
  if (current === move.sourceParentId) return outcomeOf([{ ...action, result: 'already', detail: `already under ${current}` }], 'moving the account back', now);
  const moved = await write(
    { ...action, detail: `from ${current} to ${move.sourceParentId}` },
    () => deps.organizations.send(new MoveAccountCommand({ AccountId: move.accountId, SourceParentId: current, DestinationParentId: move.sourceParentId })),
    Already.MOVE,
  );
  return outcomeOf([moved.result === 'failed' ? moved : { ...moved, detail: `from ${current} to ${move.sourceParentId}` }], `moving ${move.accountId} back to ${move.sourceParentId}`, now);
}

/**
 * The last known content before the change: the desired state's latest entry, unless it already
 * holds the changed content (a sweep took it in), then the one before it.
 */
async function lastKnownContent(policyId: string, changedHash: string | undefined, deps: RestoreDependencies): Promise<ContentEntry | undefined> {
  let at: Date | undefined;
  for (let step = 0; step < 5; step++) {
    const entry = (await deps.desired.contents(at)).get(policyId);
    if (entry === undefined || changedHash === undefined || entry.hash !== changedHash) return entry;
    at = new Date(Date.parse(entry.at) - 1);
  }
  return undefined;
}

/** POLICY_CHANGED: a diff of the statements; with policyContent.restore, UpdatePolicy back to the last known content. */
async function restoreContent(incident: Incident, deps: RestoreDependencies, now: () => string): Promise<RestoreResult> {
  const policyId = incident.policy.id;
  if (policyId === undefined) return failed(`incident ${incident.incidentId} names no policy`);
  const changedHash = incident.change?.contentHash ?? (incident.change?.content !== undefined ? sha256(incident.change.content) : undefined);
  let last: ContentEntry | undefined;
  try {
    last = await lastKnownContent(policyId, changedHash, deps);
  } catch (error) {
    return failed(`the desired state could not be read (${describeError(error)}): the last known content of ${policyId} is unknown, so it is not restored; the next sweep follows up`);
  }
  if (last === undefined) return failed(`the desired state holds no last known content of ${policyId}: there is nothing to restore it to`);
  const lastContent = last.content;

  const describe = () => read(`DescribePolicy ${policyId}`, () => deps.organizations.send(new DescribePolicyCommand({ PolicyId: policyId })));
  let current = incident.change?.content;
  let currentHash: string | undefined;
  if (current === undefined || deps.rules.policyContent.restore) {
    current = (await describe()).Policy?.Content ?? current ?? '';
    currentHash = sha256(current);
  }
  const report: RestoreReport = { diff: statementDiff(lastContent, incident.change?.content ?? current), lastKnownContent: lastContent };
  if (!deps.rules.policyContent.restore) return { outcome: Outcome.OBSERVED, actions: [], report };

  const action = { call: 'UpdatePolicy', policyId };
  if (currentHash === last.hash) return outcomeOf([{ ...action, result: 'already', detail: `content hash ${last.hash.slice(0, 12)} already` }], 'restoring the content', now, report);
  const updated = await write(
    { ...action, detail: `content back to hash ${last.hash.slice(0, 12)} (last known at ${last.at})` },
    () => deps.organizations.send(new UpdatePolicyCommand({ PolicyId: policyId, Content: lastContent })),
    [],
  );
  return outcomeOf([updated.result === 'failed' ? updated : { ...updated, detail: `content back to hash ${last.hash.slice(0, 12)} (last known at ${last.at})` }], `restoring the content of ${policyId}`, now, report);
}

/** Whether a rule or the canary names the policy. */
function rulesName(policyId: string, rules: RestoreDependencies['rules']): boolean {
  return rules.canary?.policyId === policyId || rules.protect.some((rule) => (isTargetRule(rule) ? rule.policies !== '*' && rule.policies.includes(policyId) : rule.policyId === policyId));
}

/** POLICY_DELETED: nothing can bring the policy back under its id; the notice carries what is needed to recreate it. */
async function reportDeletion(incident: Incident, deps: RestoreDependencies): Promise<RestoreResult> {
  const policyId = incident.policy.id;
  if (policyId === undefined) return failed(`incident ${incident.incidentId} names no policy`);
  let content: ContentEntry | undefined;
  let targets: string[];
  try {
    const [contents, pairs] = await Promise.all([deps.desired.contents(), deps.desired.pairs({ policyId })]);
    content = contents.get(policyId);
    const at = (deps.clock ?? (() => new Date()))();
    // The pairs desired until the policy went: a deletion releases nothing.
    targets = [...pairs.values()].filter((entry) => entry.policyId === policyId && isDesired(entry, at)).map((entry) => entry.targetId).sort();
    if (content === undefined && pairs.size === 0 && !rulesName(policyId, deps.rules)) {
      return { outcome: Outcome.OBSERVED, actions: [], report: { desiredTargets: [] } };
    }
  } catch (error) {
    return failed(`the policy was deleted: it cannot return under its id; the desired state could not be read (${describeError(error)}), so its last known content and targets are not in this notice: see the audit trail's desired state`);
  }
  const report: RestoreReport = { desiredTargets: targets, ...(content !== undefined ? { lastKnownContent: content.content } : {}) };
  const recreate = content !== undefined ? 'recreate it from its last known content' : 'recreate it (the desired state holds no content of it)';
  const where = targets.length > 0 ? targets.join(', ') : 'the targets its rules name';
  return failed(`the policy was deleted: it cannot return under its id; ${recreate} and attach it to ${where}`, [], report);
}

/** FORBIDDEN_ATTACHED: DetachPolicy of the forbidden policy from the target. */
async function detachForbidden(incident: Incident, deps: RestoreDependencies, now: () => string): Promise<RestoreResult> {
  const policyId = incident.policy.id;
  const targetId = incident.target.id;
  if (policyId === undefined || targetId === undefined) return failed(`incident ${incident.incidentId} names no policy or target`);
  // The target's only SCP (ConstraintViolation MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED) is thrown
  // as RestoreBlocked: the workflow's rounds try again until the deadline (docs/kinds.md).
  const detached = await write({ call: 'DetachPolicy', policyId, targetId }, () => deps.organizations.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: targetId })), Already.DETACH, {
    blockedByMinimum: true,
  });
  return outcomeOf([detached], `detaching ${policyId} from ${targetId}`, now);
}

/**
 * RestoreProtection, one attempt: restores a kind other than DETACHED (or a drift of one).
 * Every write is idempotent (already so = success), so a retry after a lost answer is safe.
 * Transient Organizations errors are thrown with the names ReattachPolicy throws, for the ASL to
 * retry until the deadline; a permanent one is an outcome FAILED with its cause. Nothing here
 * writes the audit trail: CloseIncident records the actions after the fact.
 */
export async function restoreOnce(input: RestoreInput, deps: RestoreDependencies): Promise<RestoreResult> {
  const clock = deps.clock ?? (() => new Date());
  const now = () => clock().toISOString();
  const { incident } = input;
  checkDeadline(incident, input, deps.deadlineSeconds, now());
  const kind = restoring(incident);
  try {
    switch (kind) {
      case Kind.POLICY_TYPE_DISABLED:
        return await restorePolicyType(incident, deps, clock());
      case Kind.ACCOUNT_MOVED:
        return await restoreMove(incident, deps, now);
      case Kind.POLICY_CHANGED:
        return await restoreContent(incident, deps, now);
      case Kind.POLICY_DELETED:
        return await reportDeletion(incident, deps);
      case Kind.FORBIDDEN_ATTACHED:
        return await detachForbidden(incident, deps, now);
      default:
        return failed(`RestoreProtection restores no kind ${String(kind ?? 'absent')} (incident kind ${String(incident.kind)}): DETACHED and missing pairs are ReattachPolicy's`);
    }
  } catch (error) {
    if (error instanceof ReadFailed) return failed(error.detail);
    throw error;
  }
}

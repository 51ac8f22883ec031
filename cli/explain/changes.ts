import { createHash } from 'node:crypto';
import { completeClassification, type Enrichment, type PendingIncident } from '../../functions/classify/classify';
import { isCanaryPair } from '../../functions/shared/canary';
import type { WatchedEventName } from '../../functions/shared/cloudtrail';
import type { Incident } from '../../functions/shared/incident';
import { CONTENT_REPORTED, DELETION_NOTICE, listOr, REMEDY_WORDS, remedyText } from '../config/describe';
import { FULL_AWS_ACCESS, type TargetKind } from '../../functions/shared/rules/id-formats';
import { findForbidRule, findProtectionRule, rulesNamingPolicy, wildcardTargets } from '../../functions/shared/rules/match';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { Decision, Kind, Mode, OnTimeout, Outcome, TargetType, Verdict } from '../../functions/shared/vocabulary';

/** How an incident of this change ends, after a decision (none for an incident that asks for none). */
export interface OutcomeBranch {
  decision?: Decision;
  outcome: Outcome;
  /** The condition, when the decision alone does not settle the outcome. */
  when?: string;
}

/** What the guard does about one kind of change of the pair. */
export interface ChangeExplanation {
  kind: Kind;
  /** The Organizations call that makes the change. */
  call: WatchedEventName;
  /** The change, in words ("p-abcd1234 detached from ou-ab12-cdef3456"). */
  change: string;
  /** False when this kind of change cannot take this pair away (no account leaves the root). */
  applies: boolean;
  /** Classify's verdict; absent when no incident is opened at all. */
  verdict?: Verdict;
  mode?: Mode;
  /** Whether people are told. */
  notify?: boolean;
  /** What the guard does, in `config check`'s words. */
  does: string;
  outcomes: OutcomeBranch[];
}

/** The pair the changes are about, and what is assumed of it (explain reads the rules alone). */
export interface Pair {
  policyId: string;
  targetId: string;
  targetType: TargetKind;
  /** The policy type assumed: SERVICE_CONTROL_POLICY, or the first type the rules protect when they leave SCPs out. */
  policyType: string;
}

/**
 * A change of the pair as Classify receives it once CloudTrail told it and Organizations answered
 * as a pair that is attached would: the fields Classify reads, nothing more. The ids of the
 * account and root a change needs beside the pair are stand-ins that never reach the words.
 */
const HYPOTHETICAL = { incidentId: 'explain', detectedAt: '2026-01-01T00:00:00Z', actor: { type: 'Unknown', console: false } } as const;
const STAND_IN_ACCOUNT = '000000000000';
const STAND_IN_ROOT = 'r-0000';

/** Classify's own decision (functions/classify), so explain can never disagree with the guard. */
function classify(pending: Omit<PendingIncident, keyof typeof HYPOTHETICAL>, enrichment: Omit<Enrichment, 'errors'>, rules: ProtectionRules): Incident {
  return completeClassification({ ...HYPOTHETICAL, ...pending }, { errors: [], ...enrichment }, rules);
}

/** How an incident of `kind` ends, for each decision the workflow may take (docs/kinds.md). */
function outcomesOf(kind: Kind, incident: Incident, rules: ProtectionRules): OutcomeBranch[] {
  if (incident.verdict !== Verdict.PROTECTED) return [{ outcome: Outcome.OBSERVED }];
  const done =
    kind === Kind.DETACHED
      ? Outcome.REATTACHED
      : kind === Kind.POLICY_DELETED
        ? Outcome.FAILED
        : kind === Kind.POLICY_CHANGED && !rules.policyContent.restore
          ? Outcome.OBSERVED
          : Outcome.RESTORED;
  if (incident.mode !== Mode.APPROVAL) return [{ decision: Decision.AUTO, outcome: done }];
  return [
    { decision: Decision.APPROVE, outcome: done },
    { decision: Decision.OVERRIDE, outcome: Outcome.OVERRIDDEN },
    { decision: Decision.TIMEOUT, outcome: rules.approval.onTimeout === OnTimeout.REATTACH ? done : Outcome.OVERRIDDEN },
  ];
}

/** Whether people are told of what is not undone. */
const told = (incident: Incident, why: string) => (incident.notify ? `told (${why} is true)` : `not told (${why} is false)`);

function explained(kind: Kind, call: WatchedEventName, change: string, incident: Incident, does: string, rules: ProtectionRules): ChangeExplanation {
  return {
    kind,
    call,
    change,
    applies: true,
    verdict: incident.verdict,
    ...(incident.mode === undefined ? {} : { mode: incident.mode }),
    notify: incident.notify,
    does,
    outcomes: outcomesOf(kind, incident, rules),
  };
}

const notApplicable = (kind: Kind, call: WatchedEventName, change: string, does: string): ChangeExplanation => ({ kind, call, change, applies: false, does, outcomes: [] });

/** Whether the rules keep the pair attached: a protect rule, or the canary. */
const covered = (pair: Pair, rules: ProtectionRules) => findProtectionRule(rules, pair.policyId, pair.targetId) !== undefined || isCanaryPair(rules.canary, pair.policyId, pair.targetId);

function detached(pair: Pair, rules: ProtectionRules): ChangeExplanation {
  const { policyId, targetId } = pair;
  const incident = classify({ kind: Kind.DETACHED, policy: { id: policyId }, target: { id: targetId, type: pair.targetType } }, { policy: { type: pair.policyType } }, rules);
  const change = `${policyId} detached from ${targetId}`;
  if (incident.verdict !== Verdict.PROTECTED) return explained(Kind.DETACHED, 'DetachPolicy', change, incident, `recorded, not reattached: no rule covers the pair; ${told(incident, 'notify.unprotected')}`, rules);
  const rule = findProtectionRule(rules, policyId, targetId);
  const overruled = rule !== undefined && rule.mode !== incident.mode ? `: protect[${rule.index}]'s "${rule.mode}" does not apply` : '';
  const canary = isCanaryPair(rules.canary, policyId, targetId) ? ` (the canary pair, always auto${overruled})` : '';
  return explained(Kind.DETACHED, 'DetachPolicy', change, incident, `${remedyText(incident.mode ?? Mode.AUTO, rules)}${canary}`, rules);
}

function policyTypeDisabled(pair: Pair, rules: ProtectionRules): ChangeExplanation {
  const rootId = pair.targetType === TargetType.ROOT ? pair.targetId : STAND_IN_ROOT;
  const incident = classify(
    { kind: Kind.POLICY_TYPE_DISABLED, call: 'DisablePolicyType', policy: { type: pair.policyType }, target: { id: rootId, type: TargetType.ROOT }, disabledType: { rootId, policyType: pair.policyType } },
    {},
    rules,
  );
  const types = rules.policyTypes.length === 1 ? pair.policyType : `${listOr(rules.policyTypes)} (whichever ${pair.policyId} is)`;
  const change = `${types} disabled on the root`;
  const words = REMEDY_WORDS[Kind.POLICY_TYPE_DISABLED];
  const remedy = remedyText(incident.mode ?? Mode.AUTO, rules, words);
  // Re-enabling attaches FullAWSAccess alone: the guard puts back the desired pairs, and only those,
  // then detaches FullAWSAccess where a forbid rule keeps it off (docs/kinds.md).
  const forbid = findForbidRule(rules, pair.policyId, pair.targetId);
  const pairToo =
    pair.policyId === FULL_AWS_ACCESS
      ? forbid === undefined
        ? `; re-enabling the type attaches ${FULL_AWS_ACCESS} everywhere, this pair included`
        : `; re-enabling the type attaches ${FULL_AWS_ACCESS} everywhere, and the guard detaches it again from ${pair.targetId} (forbid[${forbid.index}])`
      : covered(pair, rules)
        ? '; this pair among them'
        : ', but not this pair, which no rule covers: re-enabling the type attaches only FullAWSAccess';
  return explained(Kind.POLICY_TYPE_DISABLED, 'DisablePolicyType', change, incident, `${remedy}${pairToo}`, rules);
}

function accountMoved(pair: Pair, rules: ProtectionRules): ChangeExplanation {
  const { policyId, targetId } = pair;
  if (pair.targetType === TargetType.ROOT) {
    return notApplicable(Kind.ACCOUNT_MOVED, 'MoveAccount', `an account moved away from ${targetId}`, 'Does not apply: every account stays under the root');
  }
  if (pair.targetType === TargetType.ACCOUNT) {
    return notApplicable(
      Kind.ACCOUNT_MOVED,
      'MoveAccount',
      `${targetId} moved to another parent`,
      'Does not apply: a policy attached to the account itself moves with it (what the account inherits are other pairs: explain them on its parent)',
    );
  }
  const incident = classify(
    {
      kind: Kind.ACCOUNT_MOVED,
      call: 'MoveAccount',
      policy: {},
      target: { id: STAND_IN_ACCOUNT, type: TargetType.ACCOUNT },
      move: { accountId: STAND_IN_ACCOUNT, sourceParentId: targetId, destinationParentId: STAND_IN_ROOT },
    },
    { lostAttachments: [{ policyId, targetId }] },
    rules,
  );
  const change = `an account moved out of ${targetId}, losing the ${policyId} it inherited`;
  const does =
    incident.verdict === Verdict.PROTECTED
      ? remedyText(incident.mode ?? Mode.AUTO, rules, REMEDY_WORDS[Kind.ACCOUNT_MOVED])
      : `recorded, not moved back: no rule covers the pair; ${told(incident, 'notify.unprotected')}`;
  return explained(Kind.ACCOUNT_MOVED, 'MoveAccount', change, incident, does, rules);
}

/** The rules that protect a policy's content wherever it is, in words ("protect[0] names it"). */
function contentProtectedBy(pair: Pair, rules: ProtectionRules): string {
  const naming = rulesNamingPolicy(rules, pair.policyId);
  if (naming.length > 0) return `${listOr(naming.map((index) => `protect[${index}]`))} names ${pair.policyId}`;
  const rule = findProtectionRule(rules, pair.policyId, pair.targetId);
  return rule === undefined ? 'a rule covers it' : `protect[${rule.index}] covers it on ${pair.targetId}`;
}

/** The "policies": "*" rules on other targets, where the policy may be attached too (explain does not ask). */
function elsewhere(pair: Pair, rules: ProtectionRules): string {
  const others = wildcardTargets(rules).filter((wildcard) => wildcard.targetId !== pair.targetId);
  if (others.length === 0) return '';
  return ` (unless it is also attached to ${listOr(others.map((other) => `${other.targetId}, where protect[${other.index}] protects every policy`))})`;
}

function policyChanged(pair: Pair, rules: ProtectionRules): ChangeExplanation {
  const { policyId, targetId } = pair;
  const content = '{"Version":"2012-10-17","Statement":[]}';
  const incident = classify(
    {
      kind: Kind.POLICY_CHANGED,
      call: 'UpdatePolicy',
      policy: { id: policyId },
      target: {},
      change: { content, contentHash: createHash('sha256').update(content).digest('hex') },
    },
    { policy: { type: pair.policyType }, policyTargets: [targetId] },
    rules,
  );
  const change = `the content of ${policyId} rewritten`;
  if (incident.verdict !== Verdict.PROTECTED) {
    return explained(Kind.POLICY_CHANGED, 'UpdatePolicy', change, incident, `recorded, not restored: no rule names ${policyId} or covers it on ${targetId}${elsewhere(pair, rules)}; ${told(incident, 'notify.unprotected')}`, rules);
  }
  const remedy = rules.policyContent.restore
    ? `${remedyText(incident.mode ?? Mode.AUTO, rules, REMEDY_WORDS[Kind.POLICY_CHANGED])}, with a diff of the statements`
    : CONTENT_REPORTED;
  return explained(Kind.POLICY_CHANGED, 'UpdatePolicy', change, incident, `${remedy}; wherever it is attached, since ${contentProtectedBy(pair, rules)}`, rules);
}

function policyDeleted(pair: Pair, rules: ProtectionRules): ChangeExplanation {
  const { policyId } = pair;
  const incident = classify({ kind: Kind.POLICY_DELETED, call: 'DeletePolicy', policy: { id: policyId }, target: {} }, {}, rules);
  const change = `${policyId} deleted`;
  // AWS refuses DeletePolicy while the policy is attached anywhere.
  const first = 'AWS deletes only a policy attached nowhere, so a detachment comes first';
  if (incident.verdict !== Verdict.PROTECTED) {
    return explained(Kind.POLICY_DELETED, 'DeletePolicy', change, incident, `recorded: no rule names ${policyId}; ${told(incident, 'notify.unprotected')} (${first})`, rules);
  }
  if (rulesNamingPolicy(rules, policyId).length > 0 || covered(pair, rules)) {
    const why = rulesNamingPolicy(rules, policyId).length > 0 ? '' : `; no rule names ${policyId}, but the desired state holds it on ${pair.targetId}`;
    return explained(Kind.POLICY_DELETED, 'DeletePolicy', change, incident, `${DELETION_NOTICE}${why} (${first})`, rules);
  }
  // Only a "policies": "*" rule on another target makes it protected: the desired state decides (functions/restore).
  const does = `${DELETION_NOTICE}, if the desired state holds it: no rule names ${policyId} or covers it here, but a "policies": "*" rule may cover it elsewhere (${first})`;
  const held = 'the desired state holds it';
  return {
    ...explained(Kind.POLICY_DELETED, 'DeletePolicy', change, incident, does, rules),
    outcomes: [
      { decision: Decision.AUTO, outcome: Outcome.FAILED, when: held },
      { decision: Decision.AUTO, outcome: Outcome.OBSERVED, when: 'it does not' },
    ],
  };
}

function forbiddenAttached(pair: Pair, rules: ProtectionRules): ChangeExplanation {
  const { policyId, targetId } = pair;
  const change = `${policyId} attached to ${targetId}`;
  if (covered(pair, rules)) {
    return notApplicable(Kind.FORBIDDEN_ATTACHED, 'AttachPolicy', change, 'Does not apply: the pair attached is what the protection wants');
  }
  // The intake matches AttachPolicy only for the policies forbid names (infra/constructs/intake.ts).
  if (!rules.forbid.some((rule) => rule.policyId === policyId)) {
    return { kind: Kind.FORBIDDEN_ATTACHED, call: 'AttachPolicy', change, applies: true, does: `Not watched: no forbid rule names ${policyId}, and the guard watches AttachPolicy only of the policies forbid names`, outcomes: [] };
  }
  const incident = classify({ kind: Kind.FORBIDDEN_ATTACHED, call: 'AttachPolicy', policy: { id: policyId }, target: { id: targetId, type: pair.targetType } }, { policy: { type: pair.policyType } }, rules);
  const does =
    incident.verdict === Verdict.PROTECTED
      ? `${remedyText(incident.mode ?? Mode.AUTO, rules, REMEDY_WORDS[Kind.FORBIDDEN_ATTACHED])} (forbid[${incident.forbid?.index}])`
      : `recorded, not detached: no forbid rule keeps ${policyId} off ${targetId}; not told`;
  return explained(Kind.FORBIDDEN_ATTACHED, 'AttachPolicy', change, incident, does, rules);
}

/** What the guard does for each kind of change of the pair, in the order of the vocabulary (docs/contracts.md, "Vocabulary"). */
export function explainChanges(pair: Pair, rules: ProtectionRules): ChangeExplanation[] {
  return [detached, policyTypeDisabled, accountMoved, policyChanged, policyDeleted, forbiddenAttached].map((explain) => explain(pair, rules));
}

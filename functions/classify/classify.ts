import { createHash } from 'node:crypto';
import { isCanaryPair, isCanaryRole } from '../shared/canary';
import {
  excerptOf,
  isWatchedEventName,
  readCallRecord,
  readRequestParameters,
  requestFieldPresent,
  TEXT_LIMITS,
  WATCHED_EVENT_NAMES,
  type WatchedEventName,
} from '../shared/cloudtrail';
import type { Incident, PolicyRef, TargetRef } from '../shared/incident';
import { findForbidRule, findProtectionRule, rulesNamingPolicy, rulesNamingTarget, wildcardTargets, type RuleMatch } from '../shared/rules/match';
import { IdFormat, isPolicyId, targetKindOf } from '../shared/rules/id-formats';
import { incidentIdOf } from './incident-id';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { Kind, Mode, Priority, Source, Verdict } from '../shared/vocabulary';

const ORGANIZATIONS_SOURCE = 'organizations.amazonaws.com';

/** What each watched call weakens (docs/contracts.md, "Watched calls"). */
const KIND_OF_CALL: Readonly<Record<WatchedEventName, Kind>> = {
  DetachPolicy: Kind.DETACHED,
  DisablePolicyType: Kind.POLICY_TYPE_DISABLED,
  MoveAccount: Kind.ACCOUNT_MOVED,
  UpdatePolicy: Kind.POLICY_CHANGED,
  DeletePolicy: Kind.POLICY_DELETED,
  AttachPolicy: Kind.FORBIDDEN_ATTACHED,
};

/** What a failed call of each kind left as it was. */
const UNCHANGED: Readonly<Record<WatchedEventName, string>> = {
  DetachPolicy: 'nothing was detached',
  DisablePolicyType: 'the policy type stays enabled',
  MoveAccount: 'the account stays where it was',
  UpdatePolicy: 'the policy is unchanged',
  DeletePolicy: 'nothing was deleted',
  AttachPolicy: 'nothing was attached',
};

/** An attachment an account inherited from an ancestor it no longer has after a MoveAccount. */
export interface LostAttachment {
  /** The root or OU the policy is attached to. */
  targetId: string;
  policyId: string;
}

/** What Organizations said about the policy and target; every field is optional. */
export interface Enrichment {
  policy?: { name?: string; type?: string };
  target?: { name?: string };
  errors: string[];
  /**
   * ACCOUNT_MOVED: the attachments of the roots and OUs above the source parent (it included)
   * that are not above the destination. Absent when Organizations was not asked: the rules alone decide.
   */
  lostAttachments?: LostAttachment[];
  /** POLICY_CHANGED: every target the policy is attached to (ListTargetsForPolicy), when it was asked. */
  policyTargets?: string[];
}

export interface ClassifyInput {
  /** The EventBridge envelope, as received. */
  event: unknown;
  /** Execution id: names an unreadable event that carries no id of its own. */
  executionId: string;
  /** When the workflow received the event (ISO 8601). */
  receivedAt: string;
  /**
   * ClassifyFromRulesAlone: the first classification failed (this is why), so the verdict comes
   * from the rules and the raw ids alone, without asking Organizations anything.
   */
  classifyError?: { Error?: string; Cause?: string };
}

/** The watched calls other than DetachPolicy (whose pair the drift events share). */
export type OtherCall = Exclude<WatchedEventName, 'DetachPolicy'>;

/** An incident before its verdict: what the record said, and what still needs deciding. */
export type PendingIncident = Omit<Incident, 'verdict' | 'reason' | 'notify'> & {
  /** The call, for kinds other than a detached pair (absent for DetachPolicy and for drift). */
  call?: OtherCall;
  /** The ignored principal that made the call: decided once the verdict is known (coveredPair only when covered). */
  ignoredBy?: string;
};

/** What Classify needs to know about the event before it can ask Organizations anything. */
export type Preclassified = { final: Incident } | { pending: PendingIncident };

/** What Organizations must be asked before the verdict (functions/classify/enrich.ts asks it). */
export interface Lookups {
  /** DescribePolicy of this policy (its name and type). */
  describePolicy?: string;
  /** The name of this target. */
  nameTarget?: TargetRef;
  /** ACCOUNT_MOVED: the attachments the account lost (throws when Organizations cannot answer). */
  lostAttachments?: NonNullable<Incident['move']>;
  /** POLICY_CHANGED: the targets of this policy (throws when Organizations cannot answer). */
  policyTargets?: string;
}

/** The Organizations reads a pending incident needs; none for DisablePolicyType and DeletePolicy (a deleted policy cannot be described). */
export function lookupsFor(pending: PendingIncident, rules: ProtectionRules): Lookups {
  const named = pending.target.id === undefined ? {} : { nameTarget: pending.target };
  const described = pending.policy.id === undefined ? {} : { describePolicy: pending.policy.id };
  switch (pending.call) {
    case undefined:
    case 'AttachPolicy':
      return { ...described, ...named };
    case 'DisablePolicyType':
      return named;
    case 'MoveAccount':
      return { ...named, ...(pending.move === undefined ? {} : { lostAttachments: pending.move }) };
    case 'UpdatePolicy': {
      const id = pending.policy.id;
      // Only a "policies": "*" rule makes the policy's own targets matter; a rule naming it decides alone.
      const askTargets =
        id !== undefined && pending.change?.content !== undefined && rulesNamingPolicy(rules, id).length === 0 && wildcardTargets(rules).length > 0;
      return { ...described, ...(askTargets && id !== undefined ? { policyTargets: id } : {}) };
    }
    case 'DeletePolicy':
      return {};
  }
}

const isIsoTime = (text: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text));

/** An unreadable event has no CloudTrail id: the EventBridge id (so redeliveries still meet), else the execution. */
function invalidIncidentId(input: ClassifyInput, eventId: string | undefined): string {
  return eventId ?? incidentIdOf(input.event, input.executionId);
}

export function invalid(input: ClassifyInput, problem: string, partial: Partial<Incident> = {}): Incident {
  return {
    incidentId: invalidIncidentId(input, partial.eventId),
    verdict: Verdict.INVALID,
    reason: `not a well-formed Organizations event of a known kind: ${problem}`,
    detectedAt: input.receivedAt,
    policy: partial.policy ?? {},
    target: partial.target ?? {},
    actor: partial.actor ?? { type: 'Unknown', console: false },
    eventId: partial.eventId,
    eventTime: partial.eventTime,
    notify: true,
    invalid: { problem, excerpt: excerptOf(input.event) },
  };
}

/**
 * The ignored principal that made the call, if any. Only whole ARNs are compared: the role
 * behind an assumed-role session (its IAM ARN, path included) or the caller's own ARN. A
 * role that merely starts like an ignored one, the same name under another path, or an IAM
 * user named like an ignored role, is not ignored.
 */
export function ignoredPrincipal(actor: Incident['actor'], rules: Pick<ProtectionRules, 'ignorePrincipals'>): string | undefined {
  return [actor.sessionIssuerArn, actor.arn].find((arn) => arn !== undefined && rules.ignorePrincipals.includes(arn));
}

/**
 * A detachment by an ignored principal is never undone (a deliberate change by the
 * organization's own pipeline), but when a rule covers the pair people are still told, at low
 * priority, unless `notify.ignored` is false: an ignored role that is misused stays visible.
 */
export function ignoredDetach(known: Omit<Incident, 'verdict' | 'reason' | 'notify'>, principal: string, rules: ProtectionRules): Incident {
  const rule = known.policy.id !== undefined && known.target.id !== undefined ? findProtectionRule(rules, known.policy.id, known.target.id) : undefined;
  const canaryPair = isCanaryPair(rules.canary, known.policy.id, known.target.id);
  const reason = `${principal} is in ignorePrincipals (exact match)`;
  if (rule === undefined && !canaryPair) return { ...known, verdict: Verdict.IGNORED_ACTOR, reason, notify: false };
  const told = rules.notify.ignored ? 'told at low priority' : 'not told (notify.ignored is false)';
  const why = canaryPair ? 'the pair is the canary pair (canary in the rules)' : rule?.explanation;
  return {
    ...known,
    verdict: Verdict.IGNORED_ACTOR,
    reason: `${reason}: ${why}, but a detachment by an ignored principal is not undone; ${told}`,
    ...(rule === undefined || canaryPair ? {} : { rule }),
    coveredPair: true,
    notify: rules.notify.ignored,
    ...(rules.notify.ignored ? { priority: Priority.LOW } : {}),
  };
}

/**
 * Decides everything that does not need Organizations: unreadable events, failed calls, the
 * guard's own calls and ignored detachments are final here; the rest waits for what
 * Organizations says. A detachment of exactly the canary pair by exactly the canary function's
 * role (`canaryRoleArn`, the IAM role behind the session) is the daily canary (source
 * `canary`); anyone else's is an ordinary detachment. A call whose session is one of
 * `guardRoleArns` (exact) is the guard's own restoration: never a remediation, and never a
 * release of a pair from the desired state.
 */
export function preclassify(input: ClassifyInput, rules: ProtectionRules, canaryRoleArn?: string, guardRoleArns: readonly string[] = []): Preclassified {
  const record = readCallRecord(input.event);
  if ('problem' in record) return { final: invalid(input, record.problem) };

  const eventTime = record.eventTime !== undefined && isIsoTime(record.eventTime) ? record.eventTime : undefined;
  const policy: PolicyRef = record.policyId === undefined ? {} : { id: record.policyId };
  const target: TargetRef = record.targetId === undefined ? {} : { id: record.targetId, type: targetKindOf(record.targetId) };
  const known = { eventId: record.eventId, eventTime, policy, target, actor: record.actor };

  const eventName = record.eventName;
  if (record.eventSource !== ORGANIZATIONS_SOURCE || !isWatchedEventName(eventName)) {
    const got = `${record.eventSource ?? '(no source)'} ${record.eventName ?? '(no name)'}`;
    return { final: invalid(input, `expected ${ORGANIZATIONS_SOURCE} ${WATCHED_EVENT_NAMES.join(', ')}; got ${got}`, known) };
  }
  if (eventTime === undefined) return { final: invalid(input, 'detail.eventTime is missing or not an ISO 8601 time', known) };

  const kind = KIND_OF_CALL[eventName];
  const base = { incidentId: record.eventId, kind, detectedAt: eventTime, eventId: record.eventId, eventTime, region: record.region, actor: record.actor };
  if (record.malformedErrorCode) {
    return { final: invalid(input, 'detail.errorCode is present but not an error code, so whether the call failed is unknown', known) };
  }
  // Defence in depth: the EventBridge rule already drops failed calls, but replays and a
  // changed rule must not turn a refused call into a remediation.
  if (record.errorCode !== undefined) {
    return {
      final: {
        ...base,
        policy,
        target,
        verdict: Verdict.FAILED_CALL,
        reason: `the call failed with ${record.errorCode}${record.errorMessage ? ` (${record.errorMessage})` : ''}: ${UNCHANGED[eventName]}`,
        notify: false,
      },
    };
  }
  const fields = callFields(eventName, input.event);
  if ('problem' in fields) return { final: invalid(input, fields.problem, known) };
  const read = { ...base, ...fields };

  const guardRole = record.actor.sessionIssuerArn !== undefined && guardRoleArns.includes(record.actor.sessionIssuerArn) ? record.actor.sessionIssuerArn : undefined;
  if (guardRole !== undefined) {
    return { final: { ...read, verdict: Verdict.IGNORED_ACTOR, reason: `the guard's own restoration (${guardRole})`, notify: false } };
  }

  if (eventName !== 'DetachPolicy') {
    const principal = ignoredPrincipal(record.actor, rules);
    return { pending: { ...read, call: eventName, ...(principal === undefined ? {} : { ignoredBy: principal }) } };
  }
  const policyId = fields.policy.id as string;
  const targetId = fields.target.id as string;
  // The canary's own detachment is never ignored: an ignore list naming its role would only break the canary.
  const canary = isCanaryPair(rules.canary, policyId, targetId) && isCanaryRole(record.actor.sessionIssuerArn, canaryRoleArn);
  const principal = canary ? undefined : ignoredPrincipal(record.actor, rules);
  if (principal !== undefined) return { final: ignoredDetach(read, principal, rules) };
  return { pending: { ...read, ...(canary ? { source: Source.CANARY } : {}) } };
}

type CallFields = Pick<Incident, 'policy' | 'target'> & Partial<Pick<Incident, 'disabledType' | 'move' | 'change'>>;

const ROOT_OR_OU = (id: string | undefined) => id !== undefined && (IdFormat.root.pattern.test(id) || IdFormat.organizationalUnit.pattern.test(id));
const POLICY_TYPE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const POLICY_ID_PROBLEM = 'detail.requestParameters.policyId is missing or not a policy id';

/** The fields of the call the kind needs, each checked; or the first field that is wrong, named. */
function callFields(eventName: WatchedEventName, event: unknown): CallFields | { problem: string } {
  const call = readRequestParameters(event);
  if ('problem' in call) return { problem: call.problem };
  switch (call.eventName) {
    case 'DetachPolicy':
    case 'AttachPolicy': {
      if (call.policyId === undefined || !isPolicyId(call.policyId)) return { problem: POLICY_ID_PROBLEM };
      const type = call.targetId === undefined ? undefined : targetKindOf(call.targetId);
      if (call.targetId === undefined || type === undefined) return { problem: 'detail.requestParameters.targetId is missing or not a root, OU or account id' };
      return { policy: { id: call.policyId }, target: { id: call.targetId, type } };
    }
    case 'DisablePolicyType': {
      const { rootId, policyType } = call;
      if (rootId === undefined || !IdFormat.root.pattern.test(rootId)) return { problem: 'detail.requestParameters.rootId is missing or not a root id' };
      if (policyType === undefined || !POLICY_TYPE_NAME.test(policyType)) return { problem: 'detail.requestParameters.policyType is missing or not a policy type' };
      return { policy: { type: policyType }, target: { id: rootId, type: 'ROOT' }, disabledType: { rootId, policyType } };
    }
    case 'MoveAccount': {
      const { accountId, sourceParentId, destinationParentId } = call;
      if (accountId === undefined || !IdFormat.account.pattern.test(accountId)) return { problem: 'detail.requestParameters.accountId is missing or not an account id' };
      if (sourceParentId === undefined || !ROOT_OR_OU(sourceParentId)) return { problem: 'detail.requestParameters.sourceParentId is missing or not a root or OU id' };
      if (destinationParentId === undefined || !ROOT_OR_OU(destinationParentId)) {
        return { problem: 'detail.requestParameters.destinationParentId is missing or not a root or OU id' };
      }
      return { policy: {}, target: { id: accountId, type: 'ACCOUNT' }, move: { accountId, sourceParentId, destinationParentId } };
    }
    case 'UpdatePolicy': {
      if (call.policyId === undefined || !isPolicyId(call.policyId)) return { problem: POLICY_ID_PROBLEM };
      // A content that was sent but cannot be read (not a string, or longer than any policy AWS accepts) is no change we can judge.
      if (call.content === undefined && requestFieldPresent(event, 'content')) {
        return { problem: 'detail.requestParameters.content is not a policy document (a string of at most 10,240 characters)' };
      }
      const change = {
        ...(call.content === undefined ? {} : { content: call.content, contentHash: createHash('sha256').update(call.content).digest('hex') }),
        ...(call.name === undefined ? {} : { name: call.name }),
        ...(call.description === undefined ? {} : { description: call.description }),
      };
      return { policy: { id: call.policyId }, target: {}, change };
    }
    case 'DeletePolicy':
      if (call.policyId === undefined || !isPolicyId(call.policyId)) return { problem: POLICY_ID_PROBLEM };
      return { policy: { id: call.policyId }, target: {} };
    default:
      return { problem: `${eventName} is not a call of a known kind` };
  }
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const named = (name: unknown) => (typeof name === 'string' && name !== '' ? { name: clip(name, TEXT_LIMITS.medium) } : {});
/** Only a type Organizations actually named counts: an empty or odd answer leaves it unknown. */
const typed = (type: unknown) => (typeof type === 'string' && /^[A-Z0-9_]{1,64}$/.test(type) ? { type } : {});

type Known = Omit<Incident, 'verdict' | 'reason' | 'notify'>;

/** Completes the verdict once Organizations has (or has not) told what the kind needs. */
export function completeClassification(pending: PendingIncident, enrichment: Enrichment, rules: ProtectionRules): Incident {
  const { call, ignoredBy, ...rest } = pending;
  // Names only for what the record named: an answer about nothing is not trusted onto the incident.
  const policy: PolicyRef = rest.policy.id === undefined ? rest.policy : { ...rest.policy, ...named(enrichment.policy?.name), ...typed(enrichment.policy?.type) };
  const target: TargetRef = rest.target.id === undefined ? rest.target : { ...rest.target, ...named(enrichment.target?.name) };
  const errors = enrichment.errors.slice(0, 4).map((error) => clip(error, TEXT_LIMITS.long));
  const incident: Known = { ...rest, policy, target, ...(errors.length > 0 ? { enrichmentErrors: errors } : {}) };
  const decided = call === undefined ? detachedPair(incident, rules) : decideCall(call, incident, enrichment, rules);
  return ignoredBy === undefined ? decided : ignoredChange(decided, ignoredBy, rules);
}

/** A detached pair (DetachPolicy, or a pair the sweep found missing). */
function detachedPair(incident: Known, rules: ProtectionRules): Incident {
  const { policy } = incident;
  const policyId = policy.id as string;
  const targetId = incident.target.id as string;
  const rule = findProtectionRule(rules, policyId, targetId);
  const notScp = otherPolicyType(incident, rules, rule === undefined ? '' : ` (protect[${rule.index}] matches the pair, but only for those types)`, 'nothing is reattached');
  if (notScp !== undefined) return notScp;
  // Organizations did not say what the policy is (it did not answer in time, or the policy is
  // gone): the rules alone decide, and a deleted policy fails later, at AttachPolicy, with its cause.
  const typeUnknown = policy.type === undefined ? '; the policy type is unknown (Organizations did not tell it), so the rules alone decide' : '';
  if (isCanaryPair(rules.canary, policyId, targetId)) return canaryDetach(incident, rule, typeUnknown);
  if (rule === undefined) {
    return { ...incident, verdict: Verdict.UNPROTECTED, reason: `no rule protects ${policyId} on ${targetId}${typeUnknown}`, notify: rules.notify.unprotected };
  }
  return protectedIncident(incident, `${rule.explanation}${typeUnknown}`, rule.mode, rules, { rule });
}

/** NOT_SCP when Organizations named a type the rules do not protect; undefined otherwise. */
function otherPolicyType(incident: Known, rules: ProtectionRules, wouldApply: string, consequence: string): Incident | undefined {
  const { policy } = incident;
  if (policy.type === undefined || (rules.policyTypes as readonly string[]).includes(policy.type)) return undefined;
  return {
    ...incident,
    verdict: Verdict.NOT_SCP,
    reason: `${policy.id ?? 'the policy'} is a ${policy.type}, and policyTypes protects only ${rules.policyTypes.join(', ')}${wouldApply}: ${consequence}`,
    notify: false,
  };
}

function protectedIncident(incident: Known, reason: string, mode: Mode, rules: ProtectionRules, extra: Partial<Incident> = {}): Incident {
  return {
    ...incident,
    ...extra,
    verdict: Verdict.PROTECTED,
    reason,
    mode,
    ...(mode === Mode.APPROVAL ? { approval: { timeoutSeconds: rules.approval.timeoutMinutes * 60, onTimeout: rules.approval.onTimeout } } : {}),
    notify: true,
  };
}

const unprotected = (incident: Known, reason: string, notify: boolean): Incident => ({ ...incident, verdict: Verdict.UNPROTECTED, reason, notify });

function decideCall(call: OtherCall, incident: Known, enrichment: Enrichment, rules: ProtectionRules): Incident {
  switch (call) {
    case 'AttachPolicy':
      return forbiddenAttachment(incident, rules);
    case 'DisablePolicyType':
      return disabledType(incident, rules);
    case 'MoveAccount':
      return movedAccount(incident, enrichment, rules);
    case 'UpdatePolicy':
      return changedPolicy(incident, enrichment, rules);
    case 'DeletePolicy':
      return deletedPolicy(incident, rules);
  }
}

function forbiddenAttachment(incident: Known, rules: ProtectionRules): Incident {
  const policyId = incident.policy.id as string;
  const targetId = incident.target.id as string;
  const forbid = findForbidRule(rules, policyId, targetId);
  const notScp = otherPolicyType(incident, rules, forbid === undefined ? '' : ` (forbid[${forbid.index}] names it)`, 'nothing is detached');
  if (notScp !== undefined) return notScp;
  if (forbid === undefined) return unprotected(incident, `no forbid rule keeps ${policyId} off ${targetId}`, false);
  return protectedIncident(incident, `${forbid.explanation}: it is detached again`, forbid.mode, rules, {
    forbid: { index: forbid.index, ...(forbid.description === undefined ? {} : { description: forbid.description }) },
  });
}

function disabledType(incident: Known, rules: ProtectionRules): Incident {
  const { rootId, policyType } = incident.disabledType as NonNullable<Incident['disabledType']>;
  if (!(rules.policyTypes as readonly string[]).includes(policyType)) {
    return {
      ...incident,
      verdict: Verdict.NOT_SCP,
      reason: `${policyType} was disabled on ${rootId}, and policyTypes protects only ${rules.policyTypes.join(', ')}: nothing is restored`,
      notify: false,
    };
  }
  const mode = rules.policyTypeDisabled.mode;
  const reason = `${policyType} was disabled on ${rootId}, which detached every policy of that type in the organization at once, and policyTypes protects it: it is enabled again and the desired attachments restored (policyTypeDisabled.mode is ${mode})`;
  return protectedIncident(incident, reason, mode, rules);
}

const listed = (items: string[], max = 8) => (items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', '));

function movedAccount(incident: Known, enrichment: Enrichment, rules: ProtectionRules): Incident {
  const { accountId, sourceParentId, destinationParentId } = incident.move as NonNullable<Incident['move']>;
  const moved = `${accountId} was moved from ${sourceParentId} to ${destinationParentId}`;
  const mode = rules.accountMoves.mode;
  const modeText = `accountMoves.mode is ${mode}`;
  if (enrichment.lostAttachments === undefined) {
    // Organizations could not say what the account inherited: a rule naming the OU it left decides.
    const naming = rulesNamingTarget(rules, sourceParentId);
    const alone = 'decided from the rules alone (Organizations was not asked which attachments the account inherited)';
    if (naming.length === 0) return unprotected(incident, `${moved}; ${alone}: no protect rule names ${sourceParentId}`, rules.notify.unprotected);
    const namers = listed(naming.map((index) => `protect[${index}]`));
    return protectedIncident(incident, clip(`${moved}, out of ${sourceParentId}, which ${namers} names; ${alone}; ${modeText}`, TEXT_LIMITS.long), mode, rules);
  }
  const covered = enrichment.lostAttachments.flatMap((lost) => {
    const rule = findProtectionRule(rules, lost.policyId, lost.targetId);
    return rule === undefined ? [] : [{ ...lost, rule }];
  });
  if (covered.length === 0) {
    const lost = enrichment.lostAttachments.length;
    const what = lost === 0 ? 'it lost no inherited attachment' : `it lost ${lost} inherited attachment${lost === 1 ? '' : 's'}, none of which a rule protects`;
    return unprotected(incident, `${moved}; ${what}`, rules.notify.unprotected);
  }
  const pairs = listed(covered.map((lost) => `${lost.policyId} on ${lost.targetId} (protect[${lost.rule.index}])`));
  const reason = clip(`${moved} and lost the protected attachment${covered.length === 1 ? '' : 's'} it inherited: ${pairs}; ${modeText}`, TEXT_LIMITS.long);
  return protectedIncident(incident, reason, mode, rules, { rule: covered[0].rule });
}

function changedPolicy(incident: Known, enrichment: Enrichment, rules: ProtectionRules): Incident {
  const policyId = incident.policy.id as string;
  if (incident.change?.content === undefined) {
    return unprotected(incident, `only the name or description of ${policyId} changed (the call sent no content): its statements are as they were`, false);
  }
  const notScp = otherPolicyType(incident, rules, '', 'its content is not watched');
  if (notScp !== undefined) return notScp;
  const why = whyPolicyProtected(policyId, enrichment.policyTargets, rules);
  if (why === undefined) {
    const targets = enrichment.policyTargets === undefined ? '' : `, and no rule covers it on any target it is attached to${enrichment.policyTargets.length === 0 ? ' (it is attached nowhere)' : ''}`;
    return unprotected(incident, `no rule protects ${policyId}: no protect rule names it${targets}`, rules.notify.unprotected);
  }
  const { restore, mode: restoreMode } = rules.policyContent;
  const mode = restore ? restoreMode : Mode.AUTO;
  const how = restore
    ? `policyContent.restore is true: its last known content is written back (policyContent.mode is ${mode})`
    : 'the guard reports the change with a diff but does not restore it (policyContent.restore is false)';
  return protectedIncident(incident, `the content of ${policyId} changed and ${why.text}; ${how}`, mode, rules, why.rule === undefined ? {} : { rule: why.rule });
}

/** Why a policy is protected wherever it is: a rule naming it, a "*" rule on a target it is attached to, or (Organizations unasked) a "*" rule at all. */
function whyPolicyProtected(policyId: string, targets: string[] | undefined, rules: ProtectionRules): { text: string; rule?: RuleMatch } | undefined {
  const naming = rulesNamingPolicy(rules, policyId);
  if (naming.length > 0) return { text: `${listed(naming.map((index) => `protect[${index}]`))} names it` };
  if (targets !== undefined) {
    for (const targetId of targets) {
      const rule = findProtectionRule(rules, policyId, targetId);
      if (rule !== undefined) return { text: `it is attached to ${targetId}, where ${rule.explanation}`, rule };
    }
    return undefined;
  }
  const wildcard = wildcardTargets(rules)[0];
  if (wildcard === undefined) return undefined;
  return {
    text: `protect[${wildcard.index}] protects every policy on ${wildcard.targetId} ("policies": "*"), which may hold it; decided from the rules alone (Organizations was not asked where it is attached)`,
  };
}

function deletedPolicy(incident: Known, rules: ProtectionRules): Incident {
  const policyId = incident.policy.id as string;
  const naming = rulesNamingPolicy(rules, policyId);
  const gone = 'a deleted policy cannot come back under its id, so people are told with its last known content and every target it was desired on';
  if (naming.length > 0) {
    return protectedIncident(incident, `${listed(naming.map((index) => `protect[${index}]`))} names ${policyId}: ${gone}`, Mode.AUTO, rules, { priority: Priority.CRITICAL });
  }
  const wildcard = wildcardTargets(rules)[0];
  if (wildcard !== undefined) {
    const reason = `no rule names ${policyId}, but protect[${wildcard.index}] protects every policy on ${wildcard.targetId} ("policies": "*"), so it may have been a covered policy: the desired state decides (the restore step reads it)`;
    return protectedIncident(incident, reason, Mode.AUTO, rules);
  }
  return unprotected(incident, `no rule protects ${policyId}: no protect rule names it`, rules.notify.unprotected);
}

/**
 * A change by an ignored principal is never undone. Where the rules cover what it changed (the
 * verdict would have been PROTECTED), people are still told at low priority unless
 * `notify.ignored` is false, and the incident says the pair is covered (the desired state follows
 * the change); otherwise it is recorded quietly.
 */
function ignoredChange(decided: Incident, principal: string, rules: ProtectionRules): Incident {
  const reason = `${principal} is in ignorePrincipals (exact match)`;
  const { mode: _mode, approval: _approval, priority: _priority, ...rest } = decided;
  if (decided.verdict !== Verdict.PROTECTED) return { ...rest, verdict: Verdict.IGNORED_ACTOR, reason, notify: false };
  const told = rules.notify.ignored ? 'told at low priority' : 'not told (notify.ignored is false)';
  return {
    ...rest,
    verdict: Verdict.IGNORED_ACTOR,
    reason: clip(`${reason}: ${decided.reason}, but a change by an ignored principal is not undone; ${told}`, TEXT_LIMITS.long),
    coveredPair: true,
    notify: rules.notify.ignored,
    ...(rules.notify.ignored ? { priority: Priority.LOW } : {}),
  };
}

/**
 * The canary pair is always protected in auto mode, whatever `protect` says (a rule naming it in
 * approval mode would otherwise have the daily canary wait on a person). The canary's own
 * detachment is the daily proof of intake; anyone else's is an ordinary protected detachment.
 */
function canaryDetach(incident: Known, rule: RuleMatch | undefined, typeUnknown: string): Incident {
  const overruled = rule !== undefined && rule.mode !== Mode.AUTO ? `; protect[${rule.index}] says "${rule.mode}", but the canary pair is always auto` : '';
  const pair = `${incident.policy.id} on ${incident.target.id} is the canary pair (canary in the rules), always reattached at once`;
  const reason =
    incident.source === Source.CANARY
      ? `the daily canary: the canary function's role detached the canary pair; ${pair}, to prove CloudTrail -> EventBridge -> workflow${overruled}${typeUnknown}`
      : `${pair}; detached by someone other than the canary function's role${overruled}${typeUnknown}`;
  return { ...incident, verdict: Verdict.PROTECTED, reason, mode: Mode.AUTO, notify: true };
}

import { isCanaryPair, isCanaryRole } from '../shared/canary';
import { excerptOf, readDetachRecord, TEXT_LIMITS } from '../shared/cloudtrail';
import type { Incident, PolicyRef, TargetRef } from '../shared/incident';
import { findProtectionRule, type RuleMatch } from '../shared/rules/match';
import { isPolicyId, targetKindOf } from '../shared/rules/id-formats';
import { incidentIdOf } from './incident-id';
import type { ProtectionRules } from '../shared/rules/schema';
import { Mode, Priority, Source, Verdict } from '../shared/vocabulary';

const ORGANIZATIONS_SOURCE = 'organizations.amazonaws.com';
const DETACH_POLICY = 'DetachPolicy';

/** What Organizations said about the policy and target; every field is optional. */
export interface Enrichment {
  policy?: { name?: string; type?: string };
  target?: { name?: string };
  errors: string[];
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

/** What Classify needs to know about the detach before it can ask Organizations anything. */
export type Preclassified =
  | { final: Incident }
  | { pending: Omit<Incident, 'verdict' | 'reason' | 'notify'> & { policy: PolicyRef & { id: string }; target: TargetRef & { id: string } } };

const isIsoTime = (text: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text));

/** An unreadable event has no CloudTrail id: the EventBridge id (so redeliveries still meet), else the execution. */
function invalidIncidentId(input: ClassifyInput, eventId: string | undefined): string {
  return eventId ?? incidentIdOf(input.event, input.executionId);
}

export function invalid(input: ClassifyInput, problem: string, partial: Partial<Incident> = {}): Incident {
  return {
    incidentId: invalidIncidentId(input, partial.eventId),
    verdict: Verdict.INVALID,
    reason: `not a well-formed DetachPolicy event: ${problem}`,
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
 * Decides everything that does not need Organizations: unreadable events, failed calls and
 * ignored actors are final here; the rest waits for the policy's type. A detachment of exactly
 * the canary pair by exactly the canary function's role (`canaryRoleArn`, the IAM role behind
 * the session) is the daily canary (source `canary`); anyone else's is an ordinary detachment.
 */
export function preclassify(input: ClassifyInput, rules: ProtectionRules, canaryRoleArn?: string): Preclassified {
  const record = readDetachRecord(input.event);
  if ('problem' in record) return { final: invalid(input, record.problem) };

  const eventTime = record.eventTime !== undefined && isIsoTime(record.eventTime) ? record.eventTime : undefined;
  const policy: PolicyRef = record.policyId === undefined ? {} : { id: record.policyId };
  const target: TargetRef = record.targetId === undefined ? {} : { id: record.targetId, type: targetKindOf(record.targetId) };
  const known = { eventId: record.eventId, eventTime, policy, target, actor: record.actor };

  if (record.eventSource !== ORGANIZATIONS_SOURCE || record.eventName !== DETACH_POLICY) {
    return { final: invalid(input, `expected ${ORGANIZATIONS_SOURCE} ${DETACH_POLICY}, got ${record.eventSource ?? '(no source)'} ${record.eventName ?? '(no name)'}`, known) };
  }
  if (eventTime === undefined) return { final: invalid(input, 'detail.eventTime is missing or not an ISO 8601 time', known) };

  const base = { incidentId: record.eventId, detectedAt: eventTime, eventId: record.eventId, eventTime, region: record.region, actor: record.actor };
  if (record.malformedErrorCode) {
    return { final: invalid(input, 'detail.errorCode is present but not an error code, so whether the call failed is unknown', known) };
  }
  // Defence in depth: the EventBridge rule already drops failed calls, but replays and a
  // changed rule must not turn a refused DetachPolicy into a remediation.
  if (record.errorCode !== undefined) {
    return {
      final: {
        ...base,
        policy,
        target,
        verdict: Verdict.FAILED_CALL,
        reason: `the call failed with ${record.errorCode}${record.errorMessage ? ` (${record.errorMessage})` : ''}: nothing was detached`,
        notify: false,
      },
    };
  }
  if (record.policyId === undefined || !isPolicyId(record.policyId)) {
    return { final: invalid(input, 'detail.requestParameters.policyId is missing or not a policy id', known) };
  }
  if (record.targetId === undefined || targetKindOf(record.targetId) === undefined) {
    return { final: invalid(input, 'detail.requestParameters.targetId is missing or not a root, OU or account id', known) };
  }
  // The canary's own detachment is never ignored: an ignore list naming its role would only break the canary.
  const canary = isCanaryPair(rules.canary, record.policyId, record.targetId) && isCanaryRole(record.actor.sessionIssuerArn, canaryRoleArn);
  const principal = canary ? undefined : ignoredPrincipal(record.actor, rules);
  if (principal !== undefined) return { final: ignoredDetach({ ...base, policy, target }, principal, rules) };
  return {
    pending: {
      ...base,
      policy: { id: record.policyId },
      target: { id: record.targetId, type: targetKindOf(record.targetId) },
      ...(canary ? { source: Source.CANARY } : {}),
    },
  };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const named = (name: unknown) => (typeof name === 'string' && name !== '' ? { name: clip(name, TEXT_LIMITS.medium) } : {});
/** Only a type Organizations actually named counts: an empty or odd answer leaves it unknown. */
const typed = (type: unknown) => (typeof type === 'string' && /^[A-Z0-9_]{1,64}$/.test(type) ? { type } : {});

/** Completes the verdict once Organizations has (or has not) told the policy's type and names. */
export function completeClassification(
  pending: Extract<Preclassified, { pending: unknown }>['pending'],
  enrichment: Enrichment,
  rules: ProtectionRules,
): Incident {
  const policy: PolicyRef = { ...pending.policy, ...named(enrichment.policy?.name), ...typed(enrichment.policy?.type) };
  const target: TargetRef = { ...pending.target, ...named(enrichment.target?.name) };
  const errors = enrichment.errors.slice(0, 4).map((error) => clip(error, TEXT_LIMITS.long));
  const incident = { ...pending, policy, target, ...(errors.length > 0 ? { enrichmentErrors: errors } : {}) };

  const rule = findProtectionRule(rules, pending.policy.id, pending.target.id);
  if (policy.type !== undefined && !(rules.policyTypes as readonly string[]).includes(policy.type)) {
    const wouldApply = rule === undefined ? '' : ` (protect[${rule.index}] matches the pair, but only for those types)`;
    return {
      ...incident,
      verdict: Verdict.NOT_SCP,
      reason: `${policy.id} is a ${policy.type}, and policyTypes protects only ${rules.policyTypes.join(', ')}${wouldApply}: nothing is reattached`,
      notify: false,
    };
  }
  // Organizations did not say what the policy is (it did not answer in time, or the policy is
  // gone): the rules alone decide, and a deleted policy fails later, at AttachPolicy, with its cause.
  const typeUnknown = policy.type === undefined ? '; the policy type is unknown (Organizations did not tell it), so the rules alone decide' : '';
  if (isCanaryPair(rules.canary, pending.policy.id, pending.target.id)) return canaryDetach(incident, rule, typeUnknown);
  if (rule === undefined) {
    return {
      ...incident,
      verdict: Verdict.UNPROTECTED,
      reason: `no rule protects ${pending.policy.id} on ${pending.target.id}${typeUnknown}`,
      notify: rules.notify.unprotected,
    };
  }
  return {
    ...incident,
    verdict: Verdict.PROTECTED,
    reason: `${rule.explanation}${typeUnknown}`,
    mode: rule.mode,
    rule,
    ...(rule.mode === Mode.APPROVAL
      ? { approval: { timeoutSeconds: rules.approval.timeoutMinutes * 60, onTimeout: rules.approval.onTimeout } }
      : {}),
    notify: true,
  };
}

/**
 * The canary pair is always protected in auto mode, whatever `protect` says (a rule naming it in
 * approval mode would otherwise have the daily canary wait on a person). The canary's own
 * detachment is the daily proof of intake; anyone else's is an ordinary protected detachment.
 */
function canaryDetach(incident: Omit<Incident, 'verdict' | 'reason' | 'notify'>, rule: RuleMatch | undefined, typeUnknown: string): Incident {
  const overruled = rule !== undefined && rule.mode !== Mode.AUTO ? `; protect[${rule.index}] says "${rule.mode}", but the canary pair is always auto` : '';
  const pair = `${incident.policy.id} on ${incident.target.id} is the canary pair (canary in the rules), always reattached at once`;
  const reason =
    incident.source === Source.CANARY
      ? `the daily canary: the canary function's role detached the canary pair; ${pair}, to prove CloudTrail -> EventBridge -> workflow${overruled}${typeUnknown}`
      : `${pair}; detached by someone other than the canary function's role${overruled}${typeUnknown}`;
  return { ...incident, verdict: Verdict.PROTECTED, reason, mode: Mode.AUTO, notify: true };
}

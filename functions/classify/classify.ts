import { excerptOf, isObject, readDetachRecord, stringAt } from '../shared/cloudtrail';
import type { Incident, PolicyRef, TargetRef } from '../shared/incident';
import { findProtectionRule } from '../shared/rules/match';
import { isPolicyId, targetKindOf } from '../shared/rules/id-formats';
import type { ProtectionRules } from '../shared/rules/schema';
import { Mode, Verdict } from '../shared/vocabulary';

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
}

/** What Classify needs to know about the detach before it can ask Organizations anything. */
export type Preclassified =
  | { final: Incident }
  | { pending: Omit<Incident, 'verdict' | 'reason' | 'notify'> & { policy: PolicyRef & { id: string }; target: TargetRef & { id: string } } };

const isIsoTime = (text: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text));

function invalid(input: ClassifyInput, problem: string, partial: Partial<Incident> = {}): Incident {
  const envelopeId = isObject(input.event) ? stringAt(input.event, 'id') : undefined;
  const executionName = input.executionId.split(':').pop() ?? input.executionId;
  return {
    incidentId: partial.eventId ?? envelopeId ?? `invalid-${executionName}`,
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
 * Decides everything that does not need Organizations: unreadable events, failed calls and
 * ignored actors are final here; the rest waits for the policy's type.
 */
export function preclassify(input: ClassifyInput, rules: ProtectionRules): Preclassified {
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
  const principal = [record.actor.sessionIssuerArn, record.actor.arn].find((arn) => arn !== undefined && rules.ignorePrincipals.includes(arn));
  if (principal !== undefined) {
    return {
      final: { ...base, policy, target, verdict: Verdict.IGNORED_ACTOR, reason: `${principal} is in ignorePrincipals`, notify: false },
    };
  }
  return { pending: { ...base, policy: { id: record.policyId }, target: { id: record.targetId, type: targetKindOf(record.targetId) } } };
}

/** Completes the verdict once Organizations has (or has not) told the policy's type and names. */
export function completeClassification(
  pending: Extract<Preclassified, { pending: unknown }>['pending'],
  enrichment: Enrichment,
  rules: ProtectionRules,
): Incident {
  const policy: PolicyRef = { ...pending.policy, ...enrichment.policy };
  const target: TargetRef = { ...pending.target, ...enrichment.target };
  const incident = { ...pending, policy, target, ...(enrichment.errors.length > 0 ? { enrichmentErrors: enrichment.errors } : {}) };

  if (policy.type !== undefined && !(rules.policyTypes as string[]).includes(policy.type)) {
    return {
      ...incident,
      verdict: Verdict.NOT_SCP,
      reason: `${policy.id} is a ${policy.type}, and policyTypes protects only ${rules.policyTypes.join(', ')}`,
      notify: false,
    };
  }
  const rule = findProtectionRule(rules, pending.policy.id, pending.target.id);
  if (rule === undefined) {
    return {
      ...incident,
      verdict: Verdict.UNPROTECTED,
      reason: `no rule protects ${pending.policy.id} on ${pending.target.id}`,
      notify: rules.notify.unprotected,
    };
  }
  return {
    ...incident,
    verdict: Verdict.PROTECTED,
    reason: rule.explanation,
    mode: rule.mode,
    rule,
    ...(rule.mode === Mode.APPROVAL
      ? { approval: { timeoutSeconds: rules.approval.timeoutMinutes * 60, onTimeout: rules.approval.onTimeout } }
      : {}),
    notify: true,
  };
}

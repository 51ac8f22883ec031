import { actorOf, detailOf, isObject, stringAt, textAt, TEXT_LIMITS } from '../shared/cloudtrail';
import { DRIFT_OF_KINDS, type DriftDetail, type DriftOfKind } from '../shared/drift';
import type { Actor, Incident, PolicyRef } from '../shared/incident';
import { isEventId, isPolicyId, targetKindOf } from '../shared/rules/id-formats';
import { isTargetRule } from '../shared/rules/rule-kind';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { Kind, Mode, Priority, Source, Verdict } from '../shared/vocabulary';
import { ignoredDetach, ignoredPrincipal, invalid, type ClassifyInput, type Preclassified } from './classify';

const KINDS: readonly string[] = Object.values(Kind);
const UNKNOWN_ACTOR: Actor = { type: 'Unknown', console: false };

/**
 * A drift the sweep found (functions/shared/drift.ts): read like a CloudTrail record, trusted no
 * more than one. Its id, kind and pair decide; the actor is the CloudTrail record's when the
 * event history had the change, else unknown. A change the history shows was made by an ignored
 * principal is released, not restored.
 */
export function preclassifyDrift(input: ClassifyInput, rules: ProtectionRules): Preclassified {
  const detail = detailOf(input.event);
  const driftOf = stringAt(detail, 'driftOf');
  if (driftOf !== undefined) return { final: classifyKindDrift(input, rules, detail, driftOf) };
  const incidentId = stringAt(detail, 'incidentId');
  const kind = stringAt(detail, 'kind');
  const policyId = stringAt(detail, 'policyId');
  const targetId = stringAt(detail, 'targetId');
  const problem =
    incidentId === undefined || !isEventId(incidentId)
      ? 'detail.incidentId is missing or not an incident id'
      : kind === undefined || !KINDS.includes(kind)
        ? `detail.kind is not one of ${KINDS.join(', ')}`
        : policyId === undefined || !isPolicyId(policyId)
          ? 'detail.policyId is missing or not a policy id'
          : targetId === undefined || targetKindOf(targetId) === undefined
            ? 'detail.targetId is missing or not a root, OU or account id'
            : undefined;
  if (problem !== undefined || incidentId === undefined || policyId === undefined || targetId === undefined) {
    return { final: invalid(input, `a drift event from the sweep: ${problem}`, { ...(incidentId !== undefined && isEventId(incidentId) ? { eventId: incidentId } : {}) }) };
  }

  const found = isObject(detail?.found) ? detail.found : undefined;
  const actor = found !== undefined && isObject(found.userIdentity) ? actorOf(found) : UNKNOWN_ACTOR;
  const eventTime = textAt(found, 'eventTime', TEXT_LIMITS.short);
  const reason = textAt(detail, 'reason', TEXT_LIMITS.long) ?? 'the sweep found the pair missing';
  const overrideExpired = isObject(detail?.overrideExpired) ? (detail.overrideExpired as DriftDetail['overrideExpired']) : undefined;
  const follows = stringAt(detail, 'follows');
  const known = {
    incidentId,
    kind: kind as Kind,
    source: Source.SWEEP,
    detectedAt: input.receivedAt,
    ...(found !== undefined ? { eventId: stringAt(found, 'eventId'), eventTime } : {}),
    actor,
    drift: { reason, lastDesiredAt: stringAt(detail, 'lastDesiredAt'), ...(overrideExpired === undefined ? {} : { overrideExpired }) },
    ...(follows !== undefined && isEventId(follows) ? { follows } : {}),
  } satisfies Partial<Incident>;
  const policy = { id: policyId };
  const target = { id: targetId, type: targetKindOf(targetId) };
  const principal = actor === UNKNOWN_ACTOR ? undefined : ignoredPrincipal(actor, rules);
  if (principal !== undefined) return { final: ignoredDetach({ ...known, policy, target }, principal, rules) };
  return { pending: { ...known, policy, target } };
}

type Detail = ReturnType<typeof detailOf>;
const isRoot = (id: string | undefined): id is string => id !== undefined && targetKindOf(id) === 'ROOT';
const isAccount = (id: string | undefined): id is string => id !== undefined && targetKindOf(id) === 'ACCOUNT';
const isContainer = (id: string | undefined): id is string => id !== undefined && (targetKindOf(id) === 'ROOT' || targetKindOf(id) === 'ORGANIZATIONAL_UNIT');
const HASH = /^[0-9a-f]{64}$/;

/** Whether any protect rule (or the canary) may cover the policy on some target: it is protected. */
function policyIsProtected(rules: ProtectionRules, policyId: string): boolean {
  if (rules.canary?.policyId === policyId) return true;
  return rules.protect.some((rule) => (isTargetRule(rule) ? rule.policies === '*' || rule.policies.includes(policyId) : rule.policyId === policyId));
}

/**
 * A drift of another kind than a missing pair (DriftDetail.driftOf): protected, in the mode the
 * rules give that kind (policyTypeDisabled, accountMoves, policyContent — auto when it does not
 * restore, since then it only reports —, auto for a deleted policy, the forbid rule's), carrying
 * the kind's own field. Each field is checked like an event's; a malformed one is INVALID.
 */
function classifyKindDrift(input: ClassifyInput, rules: ProtectionRules, detail: Detail, driftOf: string): Incident {
  const incidentId = stringAt(detail, 'incidentId');
  const bad = (problem: string) => invalid(input, `a drift event from the sweep: ${problem}`, incidentId !== undefined && isEventId(incidentId) ? { eventId: incidentId } : {});
  if (incidentId === undefined || !isEventId(incidentId)) return bad('detail.incidentId is missing or not an incident id');
  if (stringAt(detail, 'kind') !== Kind.DRIFT) return bad(`detail.kind must be ${Kind.DRIFT} with detail.driftOf`);
  if (!(DRIFT_OF_KINDS as readonly string[]).includes(driftOf)) return bad(`detail.driftOf is not one of ${DRIFT_OF_KINDS.join(', ')}`);
  const policyId = stringAt(detail, 'policyId');
  const targetId = stringAt(detail, 'targetId');
  if (policyId !== undefined && !isPolicyId(policyId)) return bad('detail.policyId is not a policy id');
  if (targetId !== undefined && targetKindOf(targetId) === undefined) return bad('detail.targetId is not a root, OU or account id');
  const follows = stringAt(detail, 'follows');
  const policyName = textAt(detail, 'policyName', TEXT_LIMITS.medium);
  const base = {
    incidentId,
    kind: Kind.DRIFT,
    driftOf: driftOf as DriftOfKind,
    source: Source.SWEEP,
    detectedAt: input.receivedAt,
    actor: UNKNOWN_ACTOR,
    policy: { ...(policyId === undefined ? {} : { id: policyId }), ...(policyName === undefined ? {} : { name: policyName }) } as PolicyRef,
    target: targetId === undefined ? {} : { id: targetId, type: targetKindOf(targetId) },
    drift: { reason: textAt(detail, 'reason', TEXT_LIMITS.long) ?? `the sweep found ${driftOf}`, lastDesiredAt: stringAt(detail, 'lastDesiredAt') },
    ...(follows !== undefined && isEventId(follows) ? { follows } : {}),
  } satisfies Partial<Incident>;
  const protect = (mode: Mode, why: string, field: Partial<Incident>): Incident => ({
    ...base,
    ...field,
    verdict: Verdict.PROTECTED,
    reason: why,
    mode,
    ...(mode === Mode.APPROVAL ? { approval: { timeoutSeconds: rules.approval.timeoutMinutes * 60, onTimeout: rules.approval.onTimeout } } : {}),
    notify: true,
  });
  const unprotected = (why: string, field: Partial<Incident>): Incident => ({ ...base, ...field, verdict: Verdict.UNPROTECTED, reason: why, notify: rules.notify.unprotected });

  switch (driftOf) {
    case Kind.POLICY_TYPE_DISABLED: {
      const disabled = isObject(detail?.disabledType) ? detail.disabledType : undefined;
      const rootId = stringAt(disabled, 'rootId');
      const policyType = stringAt(disabled, 'policyType');
      if (!isRoot(rootId) || policyType === undefined) return bad('detail.disabledType needs a root id and a policy type');
      if (targetId !== undefined && targetId !== rootId) return bad('detail.targetId is not detail.disabledType.rootId');
      const field = { disabledType: { rootId, policyType }, target: { id: rootId, type: targetKindOf(rootId) }, policy: { type: policyType } };
      if (!(rules.policyTypes as readonly string[]).includes(policyType)) return unprotected(`${policyType} is not a protected type (policyTypes: ${rules.policyTypes.join(', ')})`, field);
      return protect(rules.policyTypeDisabled.mode, `${policyType} is a protected type (policyTypes); policyTypeDisabled.mode is ${rules.policyTypeDisabled.mode}`, field);
    }
    case Kind.ACCOUNT_MOVED: {
      const move = isObject(detail?.move) ? detail.move : undefined;
      const accountId = stringAt(move, 'accountId');
      const sourceParentId = stringAt(move, 'sourceParentId');
      const destinationParentId = stringAt(move, 'destinationParentId');
      if (!isAccount(accountId) || !isContainer(sourceParentId) || !isContainer(destinationParentId)) {
        return bad('detail.move needs an account id and its source and destination parents (root or OU ids)');
      }
      if (targetId !== undefined && targetId !== accountId) return bad('detail.targetId is not detail.move.accountId');
      const field = { move: { accountId, sourceParentId, destinationParentId }, target: { id: accountId, type: targetKindOf(accountId) } };
      return protect(rules.accountMoves.mode, `the account no longer inherits protected policies it inherited under ${sourceParentId}; accountMoves.mode is ${rules.accountMoves.mode}`, field);
    }
    case Kind.POLICY_CHANGED: {
      const change = isObject(detail?.change) ? detail.change : undefined;
      const content = typeof change?.content === 'string' ? change.content : undefined;
      const contentHash = stringAt(change, 'contentHash');
      if (policyId === undefined) return bad('detail.policyId is missing');
      if (content === undefined || contentHash === undefined || !HASH.test(contentHash)) return bad('detail.change needs the content and its SHA-256 (hex)');
      const field = { change: { content, contentHash } };
      if (!policyIsProtected(rules, policyId)) return unprotected(`no rule protects ${policyId} any more`, field);
      const mode = rules.policyContent.restore ? rules.policyContent.mode : Mode.AUTO;
      const why = rules.policyContent.restore
        ? `${policyId} is protected; policyContent.restore is true and policyContent.mode is ${mode}`
        : `${policyId} is protected; policyContent.restore is false, so the change is reported (auto), not undone`;
      return protect(mode, why, field);
    }
    case Kind.POLICY_DELETED: {
      if (policyId === undefined) return bad('detail.policyId is missing');
      if (!policyIsProtected(rules, policyId)) return unprotected(`no rule protects ${policyId} any more`, {});
      return protect(Mode.AUTO, `${policyId} is protected; a deleted policy cannot return under its id, so it is reported at once (auto)`, { priority: Priority.CRITICAL });
    }
    case Kind.FORBIDDEN_ATTACHED: {
      const forbid = isObject(detail?.forbid) ? detail.forbid : undefined;
      const index = typeof forbid?.index === 'number' && Number.isInteger(forbid.index) ? forbid.index : undefined;
      if (policyId === undefined || targetId === undefined) return bad('detail.policyId and detail.targetId are required');
      if (index === undefined) return bad('detail.forbid.index is missing or not an integer');
      // The rules may have changed since the sweep: the rule at the index, else any that forbids the pair.
      const at = rules.forbid[index];
      const matching = at !== undefined && at.policyId === policyId && at.targets.includes(targetId) ? index : rules.forbid.findIndex((rule) => rule.policyId === policyId && rule.targets.includes(targetId));
      if (matching < 0) return unprotected(`no forbid rule keeps ${policyId} off ${targetId} any more`, { forbid: { index } });
      const rule = rules.forbid[matching];
      const field = { forbid: { index: matching, ...(rule.description === undefined ? {} : { description: rule.description }) } };
      return protect(rule.mode, `forbid[${matching}] keeps ${policyId} off ${targetId}${rule.description === undefined ? '' : ` (${rule.description})`}; its mode is ${rule.mode}`, field);
    }
    default:
      return bad(`detail.driftOf is not one of ${DRIFT_OF_KINDS.join(', ')}`);
  }
}

/** The reason a drift incident gives: what the sweep found, then what the rules say. */
export function driftReason(incident: Incident): string {
  return incident.drift === undefined ? incident.reason : `found by the sweep: ${incident.drift.reason}; ${incident.reason}`;
}

import { actorOf, detailOf, isObject, stringAt, textAt, TEXT_LIMITS } from '../shared/cloudtrail';
import type { DriftDetail } from '../shared/drift';
import type { Actor, Incident } from '../shared/incident';
import { isEventId, isPolicyId, targetKindOf } from '../shared/rules/id-formats';
import type { ProtectionRules } from '../shared/rules/schema';
import { Kind, Source } from '../shared/vocabulary';
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

/** The reason a drift incident gives: what the sweep found, then what the rules say. */
export function driftReason(incident: Incident): string {
  return incident.drift === undefined ? incident.reason : `found by the sweep: ${incident.drift.reason}; ${incident.reason}`;
}

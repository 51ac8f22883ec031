import type { Actor } from './incident';
import { isEventId } from './rules/id-formats';

/**
 * Reading CloudTrail records as EventBridge delivers them. Nothing here trusts the input:
 * every field is checked for its type, only own properties are read, and text that ends up in
 * the incident is bounded, because the workflow must classify junk, not crash on it (a huge
 * field would overflow the 256 KB Step Functions payload or a DynamoDB key).
 */

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const own = (object: JsonObject | undefined, key: string): unknown =>
  object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;

export const stringAt = (object: JsonObject | undefined, key: string): string | undefined => {
  const value = own(object, key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

const objectAt = (object: JsonObject | undefined, key: string): JsonObject | undefined => {
  const value = own(object, key);
  return isObject(value) ? value : undefined;
};

/** Limits on text copied from the record into the incident (characters). */
export const TEXT_LIMITS = { short: 128, medium: 256, long: 1024 } as const;

/** A string field, cut to `max` characters (marked with …) when longer. */
export function textAt(object: JsonObject | undefined, key: string, max: number): string | undefined {
  const value = stringAt(object, key);
  if (value === undefined) return undefined;
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

const ARN = /^arn:[\x21-\x7e]{1,1020}$/;

/** An ARN field; anything that is not a printable-ASCII ARN of sane length is left out. */
function arnAt(object: JsonObject | undefined, key: string): string | undefined {
  const value = stringAt(object, key);
  return value !== undefined && ARN.test(value) ? value : undefined;
}

/**
 * The parts of an Organizations call's record the workflow relies on, whatever the call (the
 * name is from when only DetachPolicy was read; `readRequestParameters` reads the rest of the
 * request). `policyId` and `targetId` are read for the calls that have them.
 */
export interface DetachRecord {
  eventId: string;
  eventTime?: string;
  eventSource?: string;
  eventName?: string;
  region?: string;
  errorCode?: string;
  errorMessage?: string;
  /** Set when `errorCode` is present but not an error code: whether the call failed is unknown. */
  malformedErrorCode?: boolean;
  policyId?: string;
  targetId?: string;
  actor: Actor;
}

/** The EventBridge envelope's `detail`, when the input has one. */
export function detailOf(envelope: unknown): JsonObject | undefined {
  return isObject(envelope) ? objectAt(envelope, 'detail') : undefined;
}

/**
 * Roles that IAM Identity Center creates in each account for a permission set, with or without
 * a region segment: `role/aws-reserved/sso.amazonaws.com/[REGION/]AWSReservedSSO_NAME_ID`.
 */
const IDENTITY_CENTER_ROLE = /:role\/aws-reserved\/sso\.amazonaws\.com\/(?:[a-z0-9-]+\/)?AWSReservedSSO_[^/]+$/;

/** The session name of an assumed-role or federated-user ARN (for Identity Center: the user). */
function sessionNameOf(arn: string | undefined): string | undefined {
  const match = arn === undefined ? null : /:sts::[^:]*:(?:assumed-role\/[^/]+|federated-user)\/(.+)$/.exec(arn);
  return match?.[1];
}

/** CloudTrail writes booleans in session attributes as the strings "true" and "false". */
function flagAt(object: JsonObject | undefined, key: string): boolean | undefined {
  const value = own(object, key);
  if (value === 'true' || value === true) return true;
  if (value === 'false' || value === false) return false;
  return undefined;
}

/** The caller, from `userIdentity` and the request's origin. */
export function actorOf(detail: JsonObject): Actor {
  const identity = objectAt(detail, 'userIdentity');
  const sessionContext = objectAt(identity, 'sessionContext');
  const issuer = objectAt(sessionContext, 'sessionIssuer');
  const attributes = objectAt(sessionContext, 'attributes');
  const arn = arnAt(identity, 'arn');
  const sessionIssuerArn = arnAt(issuer, 'arn');
  let type = textAt(identity, 'type', TEXT_LIMITS.short) ?? 'Unknown';
  if (type === 'AssumedRole' && sessionIssuerArn !== undefined && IDENTITY_CENTER_ROLE.test(sessionIssuerArn)) type = 'IdentityCenter';
  if (type === 'IdentityCenterUser') type = 'IdentityCenter';
  const sessionName = sessionNameOf(arn);
  return {
    type,
    arn,
    sessionIssuerArn,
    principalArn: sessionIssuerArn ?? arn,
    ...(sessionName === undefined ? {} : { sessionName: sessionName.slice(0, TEXT_LIMITS.short) }),
    accountId: textAt(identity, 'accountId', TEXT_LIMITS.short),
    sourceIp: textAt(detail, 'sourceIPAddress', TEXT_LIMITS.medium),
    userAgent: textAt(detail, 'userAgent', TEXT_LIMITS.long),
    console: flagAt(detail, 'sessionCredentialFromConsole') === true,
    mfa: flagAt(attributes, 'mfaAuthenticated'),
    invokedBy: textAt(identity, 'invokedBy', TEXT_LIMITS.medium),
  };
}

/** The record's fields, or a sentence saying why it cannot be read as an Organizations call. */
export function readCallRecord(envelope: unknown): DetachRecord | { problem: string } {
  if (!isObject(envelope)) return { problem: 'the event is not a JSON object' };
  const detail = detailOf(envelope);
  if (detail === undefined) return { problem: 'the event has no "detail" object (not an EventBridge CloudTrail event)' };
  const eventId = stringAt(detail, 'eventID');
  if (eventId === undefined) return { problem: 'detail.eventID is missing' };
  if (!isEventId(eventId)) return { problem: 'detail.eventID is not a CloudTrail event id' };
  const request = objectAt(detail, 'requestParameters');
  const errorCode = own(detail, 'errorCode');
  return {
    eventId,
    eventTime: textAt(detail, 'eventTime', TEXT_LIMITS.short),
    eventSource: textAt(detail, 'eventSource', TEXT_LIMITS.short),
    eventName: textAt(detail, 'eventName', TEXT_LIMITS.short),
    region: textAt(detail, 'awsRegion', TEXT_LIMITS.short),
    errorCode: textAt(detail, 'errorCode', TEXT_LIMITS.medium),
    errorMessage: textAt(detail, 'errorMessage', TEXT_LIMITS.long),
    ...(errorCode !== undefined && (typeof errorCode !== 'string' || errorCode === '') ? { malformedErrorCode: true } : {}),
    policyId: textAt(request, 'policyId', TEXT_LIMITS.medium),
    targetId: textAt(request, 'targetId', TEXT_LIMITS.medium),
    actor: actorOf(detail),
  };
}

/** @deprecated Every call is read so now: use readCallRecord. */
export const readDetachRecord = readCallRecord;
export type CallRecord = DetachRecord;

/**
 * Whether `detail.requestParameters` holds `key` with a value (null counts as absent): tells a
 * field that was sent but is unreadable (wrong type, too long) from one that was not sent.
 */
export function requestFieldPresent(envelope: unknown, key: string): boolean {
  const request = objectAt(detailOf(envelope), 'requestParameters');
  const value = own(request, key);
  return value !== undefined && value !== null;
}

/**
 * Policy documents longer than this are not copied from a record: no policy type allows one
 * (SCPs, the largest, hold 10,240 characters since May 2026), so AWS cannot have accepted it.
 */
export const POLICY_CONTENT_MAX_CHARS = 10_240;

/** The Organizations calls that change what protects an account, with their CloudTrail `requestParameters`. */
export type RequestParameters =
  | { eventName: 'AttachPolicy' | 'DetachPolicy'; policyId?: string; targetId?: string }
  | { eventName: 'EnablePolicyType' | 'DisablePolicyType'; rootId?: string; policyType?: string }
  | { eventName: 'MoveAccount'; accountId?: string; sourceParentId?: string; destinationParentId?: string }
  | {
      eventName: 'UpdatePolicy';
      policyId?: string;
      name?: string;
      description?: string;
      /** The new document as the call sent it (a JSON string), when at most POLICY_CONTENT_MAX_CHARS. */
      content?: string;
    }
  | { eventName: 'DeletePolicy'; policyId?: string }
  | {
      eventName: 'CreatePolicy';
      name?: string;
      description?: string;
      type?: string;
      content?: string;
      /** The new policy's id, from `responseElements.policy.policySummary.id`. */
      createdPolicyId?: string;
    };

export type ChangeEventName = RequestParameters['eventName'];

/** Every eventName readRequestParameters reads. */
export const CHANGE_EVENT_NAMES: readonly ChangeEventName[] = [
  'AttachPolicy',
  'DetachPolicy',
  'EnablePolicyType',
  'DisablePolicyType',
  'MoveAccount',
  'UpdatePolicy',
  'DeletePolicy',
  'CreatePolicy',
];

/**
 * The calls whose successful records start the workflow (the EventBridge rule matches these
 * and Classify reads them): each weakens a protection in its own way (docs/contracts.md, "Watched calls").
 */
export const WATCHED_EVENT_NAMES = ['DetachPolicy', 'DisablePolicyType', 'MoveAccount', 'UpdatePolicy', 'DeletePolicy', 'AttachPolicy'] as const;
export type WatchedEventName = (typeof WATCHED_EVENT_NAMES)[number];
export const isWatchedEventName = (name: string | undefined): name is WatchedEventName => (WATCHED_EVENT_NAMES as readonly (string | undefined)[]).includes(name);

const isChangeEventName = (name: string | undefined): name is ChangeEventName => CHANGE_EVENT_NAMES.includes(name as ChangeEventName);

/** A policy document field: a string within POLICY_CONTENT_MAX_CHARS, never cut (a cut document is no document). */
function contentAt(object: JsonObject | undefined, key: string): string | undefined {
  const value = stringAt(object, key);
  return value !== undefined && value.length <= POLICY_CONTENT_MAX_CHARS ? value : undefined;
}

/** A description: an empty one is a value too (UpdatePolicy may clear it). */
const descriptionAt = (object: JsonObject | undefined, key: string): string | undefined =>
  own(object, key) === '' ? '' : textAt(object, key, TEXT_LIMITS.long);

/**
 * The `requestParameters` of an Organizations call that changes protection, by `eventName`
 * (shapes: docs/contracts.md; AttachPolicy and DetachPolicy as readDetachRecord reads them),
 * or a sentence saying why there are none to read. Every field is checked for its type and
 * bounded like the rest of the record; a field missing or of the wrong type is left out, for the
 * caller to refuse. It says nothing about whether the call succeeded: see `errorCode`.
 */
export function readRequestParameters(envelope: unknown): RequestParameters | { problem: string } {
  const detail = detailOf(envelope);
  if (detail === undefined) return { problem: 'the event has no "detail" object (not an EventBridge CloudTrail event)' };
  const eventName = textAt(detail, 'eventName', TEXT_LIMITS.short);
  if (!isChangeEventName(eventName)) return { problem: `${eventName === undefined ? 'a call with no eventName' : eventName} is not a call that changes what protects an account` };
  const request = objectAt(detail, 'requestParameters');
  const id = (key: string) => textAt(request, key, TEXT_LIMITS.medium);
  switch (eventName) {
    case 'AttachPolicy':
    case 'DetachPolicy':
      return { eventName, policyId: id('policyId'), targetId: id('targetId') };
    case 'EnablePolicyType':
    case 'DisablePolicyType':
      return { eventName, rootId: id('rootId'), policyType: id('policyType') };
    case 'MoveAccount':
      return { eventName, accountId: id('accountId'), sourceParentId: id('sourceParentId'), destinationParentId: id('destinationParentId') };
    case 'UpdatePolicy':
      return {
        eventName,
        policyId: id('policyId'),
        name: textAt(request, 'name', TEXT_LIMITS.medium),
        description: descriptionAt(request, 'description'),
        content: contentAt(request, 'content'),
      };
    case 'DeletePolicy':
      return { eventName, policyId: id('policyId') };
    case 'CreatePolicy': {
      const summary = objectAt(objectAt(objectAt(detail, 'responseElements'), 'policy'), 'policySummary');
      return {
        eventName,
        name: textAt(request, 'name', TEXT_LIMITS.medium),
        description: descriptionAt(request, 'description'),
        type: id('type'),
        content: contentAt(request, 'content'),
        createdPolicyId: textAt(summary, 'id', TEXT_LIMITS.medium),
      };
    }
  }
}

/** The first characters of the input, safe to store and show; never throws. */
export function excerptOf(value: unknown, max = 2000): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // Cycles and BigInts defeat JSON; an object without a prototype defeats String().
    try {
      text = String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

import type { Actor } from './incident';

/**
 * Reading CloudTrail records as EventBridge delivers them. Nothing here trusts the input:
 * every field is checked for its type, because the workflow must classify junk, not crash on it.
 */

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const stringAt = (object: JsonObject | undefined, key: string): string | undefined => {
  const value = object?.[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

const objectAt = (object: JsonObject | undefined, key: string): JsonObject | undefined => {
  const value = object?.[key];
  return isObject(value) ? value : undefined;
};

/** The parts of a DetachPolicy record the workflow relies on. */
export interface DetachRecord {
  eventId: string;
  eventTime?: string;
  eventSource?: string;
  eventName?: string;
  region?: string;
  errorCode?: string;
  errorMessage?: string;
  policyId?: string;
  targetId?: string;
  actor: Actor;
}

/** The EventBridge envelope's `detail`, when the input has one. */
export function detailOf(envelope: unknown): JsonObject | undefined {
  return isObject(envelope) ? objectAt(envelope, 'detail') : undefined;
}

const IDENTITY_CENTER_ROLE = /:role\/aws-reserved\/sso\.amazonaws\.com\//;

/** The caller, from `userIdentity` and the request's origin. */
export function actorOf(detail: JsonObject): Actor {
  const identity = objectAt(detail, 'userIdentity');
  const sessionContext = objectAt(identity, 'sessionContext');
  const issuer = objectAt(sessionContext, 'sessionIssuer');
  const attributes = objectAt(sessionContext, 'attributes');
  const arn = stringAt(identity, 'arn');
  const sessionIssuerArn = stringAt(issuer, 'arn');
  let type = stringAt(identity, 'type') ?? 'Unknown';
  if (type === 'AssumedRole' && sessionIssuerArn !== undefined && IDENTITY_CENTER_ROLE.test(sessionIssuerArn)) type = 'IdentityCenter';
  if (type === 'IdentityCenterUser') type = 'IdentityCenter';
  const mfa = stringAt(attributes, 'mfaAuthenticated');
  const userAgent = stringAt(detail, 'userAgent');
  return {
    type,
    arn,
    sessionIssuerArn,
    principalArn: sessionIssuerArn ?? arn,
    accountId: stringAt(identity, 'accountId'),
    sourceIp: stringAt(detail, 'sourceIPAddress'),
    userAgent,
    console: stringAt(detail, 'sessionCredentialFromConsole') === 'true',
    mfa: mfa === undefined ? undefined : mfa === 'true',
    invokedBy: stringAt(identity, 'invokedBy'),
  };
}

/** The record's fields, or a sentence saying why it cannot be read as an Organizations call. */
export function readDetachRecord(envelope: unknown): DetachRecord | { problem: string } {
  if (!isObject(envelope)) return { problem: 'the event is not a JSON object' };
  const detail = objectAt(envelope, 'detail');
  if (detail === undefined) return { problem: 'the event has no "detail" object (not an EventBridge CloudTrail event)' };
  const eventId = stringAt(detail, 'eventID');
  if (eventId === undefined) return { problem: 'detail.eventID is missing' };
  const request = objectAt(detail, 'requestParameters');
  return {
    eventId,
    eventTime: stringAt(detail, 'eventTime'),
    eventSource: stringAt(detail, 'eventSource'),
    eventName: stringAt(detail, 'eventName'),
    region: stringAt(detail, 'awsRegion'),
    errorCode: stringAt(detail, 'errorCode'),
    errorMessage: stringAt(detail, 'errorMessage'),
    policyId: stringAt(request, 'policyId'),
    targetId: stringAt(request, 'targetId'),
    actor: actorOf(detail),
  };
}

/** The first characters of the input, safe to store and show. */
export function excerptOf(value: unknown, max = 2000): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

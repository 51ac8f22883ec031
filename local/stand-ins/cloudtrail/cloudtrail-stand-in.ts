import { AwsServiceError } from '../aws-json-protocol/errors';
import { AwsJsonServer, type JsonObject } from '../aws-json-protocol/server';
import type { ServerAddress } from '../stand-in-server';
import { detailOf, isObject } from '../../../functions/shared/cloudtrail';

/**
 * CloudTrail's event history, locally (docs/architecture.md, "Where code lives"): LookupEvents answered from the
 * CloudTrail records the runner replayed (every envelope `LocalEnvironment.run` receives), on the
 * awsJson1_1 protocol, so the sweep's real `@aws-sdk/client-cloudtrail` talks to it unchanged.
 *
 * The X-Amz-Target prefix is the one the SDK sends (`CloudTrail_20131101.LookupEvents`, from the
 * service's Smithy `serviceTarget`); AWS's API reference writes it with the namespace in front
 * (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`), which the service accepts too.
 */
export const CLOUDTRAIL_TARGET_PREFIX = 'CloudTrail_20131101';

/** LookupEvents' largest page, also its default. */
const MAX_RESULTS = 50;

/** The lookup attributes this stand-in answers (AWS has a few more: AccessKeyId, ResourceType, ...). */
const ATTRIBUTES: Record<string, (event: StoredEvent) => string | undefined> = {
  EventName: (event) => event.eventName,
  EventId: (event) => event.eventId,
  EventSource: (event) => event.eventSource,
  Username: (event) => event.username,
  ReadOnly: (event) => String(event.readOnly),
};

interface StoredEvent {
  eventId: string;
  eventName: string;
  eventSource: string;
  eventTime: number;
  username?: string;
  readOnly: boolean;
  record: JsonObject;
}

const seconds = (value: unknown, member: string): number | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw new AwsServiceError('InvalidTimeRangeException', `${member} must be a timestamp`);
  return value;
};

export class CloudTrailStandIn {
  private readonly events: StoredEvent[] = [];
  private readonly failures: string[] = [];
  private readonly server: AwsJsonServer;
  /** LookupEvents requests received, for assertions. */
  lookups = 0;

  constructor() {
    this.server = new AwsJsonServer({ targetPrefix: CLOUDTRAIL_TARGET_PREFIX, jsonVersion: '1.1', operations: { LookupEvents: (input) => this.lookup(input) } });
  }

  start(): Promise<ServerAddress> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  get url(): string {
    return this.server.url;
  }

  /** Keeps an EventBridge envelope's CloudTrail record (anything else is ignored); true when kept. */
  record(envelope: unknown): boolean {
    const detail = detailOf(envelope);
    if (!isObject(envelope) || envelope['detail-type'] !== 'AWS API Call via CloudTrail' || !isObject(detail)) return false;
    const { eventID, eventName, eventSource, eventTime } = detail;
    const time = typeof eventTime === 'string' ? Date.parse(eventTime) : NaN;
    if (typeof eventID !== 'string' || typeof eventName !== 'string' || typeof eventSource !== 'string' || Number.isNaN(time)) return false;
    if (this.events.some((event) => event.eventId === eventID)) return false;
    const identity = isObject(detail.userIdentity) ? detail.userIdentity : {};
    const username = typeof identity.userName === 'string' ? identity.userName : typeof identity.arn === 'string' ? identity.arn.split('/').pop() : undefined;
    this.events.push({ eventId: eventID, eventName, eventSource, eventTime: time, username, readOnly: detail.readOnly === true, record: detail });
    return true;
  }

  /** The next `count` LookupEvents calls fail with `name` (a 400, or a 5xx for InternalFailure-like names). */
  failNext(count: number, name = 'ThrottlingException'): void {
    for (let i = 0; i < count; i++) this.failures.push(name);
  }

  private lookup(input: JsonObject): JsonObject {
    this.lookups++;
    const failure = this.failures.shift();
    if (failure !== undefined) throw new AwsServiceError(failure, `${failure} (injected)`, { statusCode: failure === 'ThrottlingException' ? 400 : 500 });
    const attributes = Array.isArray(input.LookupAttributes) ? (input.LookupAttributes as JsonObject[]) : [];
    if (attributes.length > 1) throw new AwsServiceError('InvalidLookupAttributesException', 'You can specify only one lookup attribute.');
    const [attribute] = attributes;
    const read = attribute === undefined ? undefined : ATTRIBUTES[String(attribute.AttributeKey)];
    if (attribute !== undefined && read === undefined) throw new AwsServiceError('InvalidLookupAttributesException', `${String(attribute.AttributeKey)} is not a lookup attribute this stand-in knows.`);
    const start = seconds(input.StartTime, 'StartTime');
    const end = seconds(input.EndTime, 'EndTime');
    if (start !== undefined && end !== undefined && start > end) throw new AwsServiceError('InvalidTimeRangeException', 'StartTime must be before EndTime.');
    const max = input.MaxResults ?? MAX_RESULTS;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_RESULTS) throw new AwsServiceError('InvalidMaxResultsException', `MaxResults must be from 1 to ${MAX_RESULTS}.`);
    const matching = this.events
      .filter((event) => (start === undefined || event.eventTime >= start * 1000) && (end === undefined || event.eventTime <= end * 1000))
      .filter((event) => read === undefined || read(event) === attribute.AttributeValue)
      .sort((a, b) => b.eventTime - a.eventTime);
    const offset = input.NextToken === undefined || input.NextToken === null ? 0 : Number.parseInt(Buffer.from(String(input.NextToken), 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(offset) || offset < 0 || offset > matching.length) throw new AwsServiceError('InvalidNextTokenException', 'The NextToken is not valid.');
    const page = matching.slice(offset, offset + max);
    const next = offset + max < matching.length ? Buffer.from(String(offset + max), 'utf8').toString('base64url') : undefined;
    return {
      Events: page.map((event) => ({
        EventId: event.eventId,
        EventName: event.eventName,
        EventSource: event.eventSource,
        EventTime: event.eventTime / 1000,
        Username: event.username,
        ReadOnly: String(event.readOnly),
        Resources: [],
        CloudTrailEvent: JSON.stringify(event.record),
      })),
      ...(next === undefined ? {} : { NextToken: next }),
    };
  }
}

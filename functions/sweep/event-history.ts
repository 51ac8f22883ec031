import { LookupEventsCommand, type CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { isObject } from '../shared/cloudtrail';
import { pairKey } from '../shared/desired/desired-state';
import type { DriftDetail } from '../shared/drift';
import { describeError } from '../shared/errors';
import type { ApiCalls } from './calls';

/**
 * Best effort (contract: the incident id of a drift): the DetachPolicy that CloudTrail's event
 * history holds for a missing pair, whose eventID then names the incident and whose caller is
 * its actor. LookupEvents allows two requests per second per account and lags up to about 15
 * minutes, so a sweep makes one paginated lookup for all its drifts, of a bounded number of
 * pages, and a lookup that fails only leaves the drifts to their hash ids.
 */

export type FoundDetach = NonNullable<DriftDetail['found']>;

/** A pair to look for, and since when its detachment counts (its last desired entry). */
export interface WantedPair {
  policyId: string;
  targetId: string;
  since: string;
}

export interface LookupOptions {
  /** Pages of 50 events read at most. @default 10 */
  maxPages?: number;
  /** Milliseconds the whole lookup may take. @default 15 000 */
  timeoutMs?: number;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** A CloudTrail record of a successful DetachPolicy, read from `CloudTrailEvent`; undefined for anything else. */
function detachOf(cloudTrailEvent: string | undefined): (FoundDetach & { policyId: string; targetId: string }) | undefined {
  let record: unknown;
  try {
    record = JSON.parse(cloudTrailEvent ?? '');
  } catch {
    return undefined;
  }
  if (!isObject(record) || record.eventSource !== 'organizations.amazonaws.com' || record.eventName !== 'DetachPolicy' || record.errorCode !== undefined) return undefined;
  const parameters = isObject(record.requestParameters) ? record.requestParameters : {};
  const [eventId, eventTime, policyId, targetId] = [text(record.eventID), text(record.eventTime), text(parameters.policyId), text(parameters.targetId)];
  if (eventId === undefined || eventTime === undefined || policyId === undefined || targetId === undefined) return undefined;
  return {
    eventId,
    eventTime,
    policyId,
    targetId,
    ...(isObject(record.userIdentity) ? { userIdentity: record.userIdentity } : {}),
    ...(text(record.sourceIPAddress) === undefined ? {} : { sourceIPAddress: text(record.sourceIPAddress) }),
    ...(text(record.userAgent) === undefined ? {} : { userAgent: text(record.userAgent) }),
  };
}

/** The newest DetachPolicy of each wanted pair since its `since`, and a note when the lookup fell short. */
export async function findDetachments(
  client: CloudTrailClient,
  calls: ApiCalls,
  wanted: readonly WantedPair[],
  now: Date,
  options: LookupOptions = {},
): Promise<{ found: Map<string, FoundDetach>; note?: string }> {
  const found = new Map<string, FoundDetach>();
  if (wanted.length === 0) return { found };
  const since = new Map(wanted.map((pair) => [pairKey(pair.policyId, pair.targetId), Date.parse(pair.since)]));
  const start = new Date(Math.min(...since.values()));
  const maxPages = options.maxPages ?? 10;
  const giveUp = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  let token: string | undefined;
  try {
    for (let page = 0; page < maxPages; page++) {
      const answer = await calls.call('LookupEvents', (abortSignal) =>
        client.send(
          new LookupEventsCommand({
            LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'DetachPolicy' }],
            StartTime: start,
            EndTime: now,
            MaxResults: 50,
            NextToken: token,
          }),
          { abortSignal: AbortSignal.any([abortSignal, giveUp]) },
        ),
        0,
      );
      // Newest first: the first match of a pair is its latest detachment.
      for (const event of answer.Events ?? []) {
        const detach = detachOf(event.CloudTrailEvent);
        if (detach === undefined) continue;
        const key = pairKey(detach.policyId, detach.targetId);
        const from = since.get(key);
        if (from === undefined || found.has(key) || Date.parse(detach.eventTime) < from) continue;
        const { policyId: _p, targetId: _t, ...rest } = detach;
        found.set(key, rest);
      }
      token = answer.NextToken;
      if (token === undefined || found.size === since.size) return { found };
    }
    return { found, note: `the event history holds more DetachPolicy calls since ${start.toISOString()} than ${maxPages} pages: older ones were not searched` };
  } catch (error) {
    // The sweep's own deadline is not the lookup's to swallow.
    if ((error as Error).name === 'SweepDeadlinePassed') throw error;
    return { found, note: `CloudTrail LookupEvents failed (${describeError(error)}): drifts not found in it are named by their hash` };
  }
}

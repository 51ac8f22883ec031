import { readFileSync } from 'node:fs';
import { isObject } from '../functions/shared/cloudtrail';

/** One event to replay, and where it came from. */
export interface ReplayEvent {
  source: string;
  envelope: unknown;
}

/** Wraps a bare CloudTrail record the way EventBridge delivers it. */
export function toEnvelope(record: Record<string, unknown>, id: string): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.organizations',
    account: typeof record.recipientAccountId === 'string' ? record.recipientAccountId : '000000000000',
    time: typeof record.eventTime === 'string' ? record.eventTime : new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}

/**
 * Reads an event file: an EventBridge envelope (what the deployed rule delivers), a single
 * CloudTrail record, or a CloudTrail log file ({"Records": [...]}). Anything else is replayed
 * as it is, and the workflow records it as INVALID: unreadable input is evidence too.
 */
export function readEventFile(path: string): ReplayEvent[] {
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [{ source: path, envelope: text }];
  }
  if (isObject(json) && Array.isArray(json.Records)) {
    return json.Records.map((record, i) => ({
      source: `${path}#Records[${i}]`,
      envelope: isObject(record) ? toEnvelope(record, `${path}#${i}`) : record,
    }));
  }
  if (isObject(json) && !('detail' in json) && typeof json.eventID === 'string' && typeof json.eventSource === 'string') {
    return [{ source: path, envelope: toEnvelope(json, `replay-${json.eventID}`) }];
  }
  return [{ source: path, envelope: json }];
}

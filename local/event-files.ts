import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isObject } from '../functions/shared/cloudtrail';

/** A path given to replay that cannot be read: the message names it. */
export class EventPathError extends Error {
  constructor(readonly path: string, why: string) {
    super(`${path}: ${why}`);
    this.name = 'EventPathError';
  }
}

/** What Node's error code means, in words. */
function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}

/**
 * The files the given paths name: a file as it is, a directory as its `*.json` files in name
 * order. A path that does not exist, cannot be read, or is a directory without any `.json` file
 * is an EventPathError naming it, before anything is replayed.
 */
export function eventFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    let names: string[];
    try {
      if (!statSync(path).isDirectory()) return [path];
      names = readdirSync(path).filter((name) => name.endsWith('.json')).sort();
    } catch (error) {
      throw new EventPathError(path, reason(error));
    }
    if (names.length === 0) throw new EventPathError(path, 'a directory with no .json file in it');
    return names.map((name) => join(path, name));
  });
}

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
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EventPathError(path, reason(error));
  }
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

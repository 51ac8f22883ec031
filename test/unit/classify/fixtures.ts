import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from '../../support/paths';

/** Real-format CloudTrail fixtures (see test/support/fixtures/cloudtrail/README.md for where each comes from). */
export const CLOUDTRAIL_FIXTURES = join(FIXTURES, 'cloudtrail');

type Json = Record<string, unknown>;

/** Every fixture file name, for tests that run over all of them. */
export const fixtureNames = (): string[] => readdirSync(CLOUDTRAIL_FIXTURES).filter((name) => name.endsWith('.json'));

/** The bare CloudTrail record of a fixture (`record`, or the `detail` of its envelope). */
export function fixtureRecord(name: string): Json {
  const file = JSON.parse(readFileSync(join(CLOUDTRAIL_FIXTURES, name), 'utf8')) as { record?: Json; event?: { detail: Json } };
  const record = file.record ?? file.event?.detail;
  if (record === undefined) throw new Error(`${name} has neither "record" nor "event"`);
  return record;
}

/**
 * A fixture as the deployed EventBridge rule delivers it. Reference records are bare CloudTrail
 * records; they are wrapped in the envelope their own "about" describes.
 */
export function fixtureEnvelope(name: string): Json {
  const file = JSON.parse(readFileSync(join(CLOUDTRAIL_FIXTURES, name), 'utf8')) as { record?: Json; event?: Json };
  if (file.event !== undefined) return file.event;
  const record = fixtureRecord(name);
  return {
    version: '0',
    id: '4f3c2b1a-0e9d-4c8b-a7f6-e5d4c3b2a100',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.organizations',
    account: typeof record.recipientAccountId === 'string' ? record.recipientAccountId : '111122223333',
    time: record.eventTime,
    region: 'us-east-1',
    resources: [],
    detail: record,
  };
}

import { isObject } from './cloudtrail';
import type { Incident } from './incident';

/**
 * The scheduled self-test: a synthetic DetachPolicy of a policy that cannot exist, which the
 * workflow classifies (asking Organizations for names, which proves its read access), records,
 * and notifies (email subscriptions filter it out), and which it routes past any
 * reattachment. Its closing is the daily proof that the deployed pipeline still works.
 */
export const SELF_TEST_SOURCE = 'scp-guardian.self-test';
export const SELF_TEST_DETAIL_TYPE = 'scp-guardian scheduled self-test';
/** Valid in form, never a real policy: AWS policy ids are random lower-case characters. */
export const SELF_TEST_POLICY_ID = 'p-SCPGUARDIAN_SELF_TEST';
/** The SNS message attribute that marks a self-test notice (email subscriptions drop it). */
export const SELF_TEST_ATTRIBUTE = 'selfTest';

/** The EventBridge envelope the schedule sends; `id` (unique per run) and `time` are filled by EventBridge. */
export function selfTestEnvelope(id: string, time: string): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': SELF_TEST_DETAIL_TYPE,
    source: SELF_TEST_SOURCE,
    time,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: { type: 'AWSService', invokedBy: 'events.amazonaws.com' },
      eventTime: time,
      eventSource: 'organizations.amazonaws.com',
      eventName: 'DetachPolicy',
      awsRegion: 'us-east-1',
      sourceIPAddress: 'events.amazonaws.com',
      userAgent: 'scp-guardian self-test',
      requestParameters: { policyId: SELF_TEST_POLICY_ID, targetId: 'r-0000' },
      eventID: id,
      eventType: 'AwsApiCall',
    },
  };
}

export const isSelfTestEvent = (event: unknown): boolean => isObject(event) && event.source === SELF_TEST_SOURCE;

/** The classified synthetic incident, marked so that nothing in the workflow acts on it. */
export function markSelfTest(incident: Incident): Incident {
  return { ...incident, selfTest: true, notify: true, reason: `scheduled self-test: ${incident.reason}` };
}

/**
 * Whether the self-test proved what it is for: Organizations answered classify's lookups (a
 * "not found" for the synthetic policy is the expected answer; access denied or no answer is
 * a broken deployment).
 */
export function selfTestPassed(incident: Incident): boolean {
  return !(incident.enrichmentErrors ?? []).some((error) => /AccessDenied|no answer within|Credentials|ENOTFOUND|ECONNREFUSED/i.test(error));
}

/**
 * The scheduled self-test: a synthetic event the workflow recognises by its source, classifies
 * and records like any other, notifies (email subscribers filter it out), and never reattaches.
 * It proves, daily, that the deployed pipeline still works before a real detachment needs it.
 */
export const SELF_TEST_SOURCE = 'scp-guardian.self-test';
export const SELF_TEST_DETAIL_TYPE = 'scp-guardian scheduled self-test';

/** The EventBridge envelope the schedule sends; `id` and `time` are filled per run. */
export function selfTestEnvelope(id: string, time: string): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': SELF_TEST_DETAIL_TYPE,
    source: SELF_TEST_SOURCE,
    time,
    region: 'us-east-1',
    resources: [],
    detail: { selfTest: true },
  };
}

import { stormScenario } from '../../bench/storm/scenario';
import { ADMISSION_PK_PREFIX } from '../../functions/shared/audit/table-schema';
import { stderrLog } from '../../local/local-log';
import { LocalEnvironment } from '../../local/environment';
import { DetachmentReplayer } from '../../local/replay';
import type { ExecutionRecord } from '../../local/workflow/local-workflow';
import { dynamoDbEndpoint } from '../support/local-harness';

/** Starts the local components under the storm's limits, detaches every pair, and runs one execution per event. */
async function runStorm(scenario: ReturnType<typeof stormScenario>, options: Partial<Parameters<typeof LocalEnvironment.start>[0]> = {}) {
  const env = await LocalEnvironment.start({
    rules: scenario.rules,
    organization: scenario.organization,
    dynamoDbEndpoint: dynamoDbEndpoint(),
    faults: { rateLimit: { requestsPerSecond: 10 }, serviceErrorProbability: 0.05, seed: 7 },
    log: stderrLog('silent'),
    ...options,
  });
  const replayer = new DetachmentReplayer(env.organization!);
  for (const event of scenario.events) replayer.apply(event);
  const executions: ExecutionRecord[] = await Promise.all(scenario.events.map((event) => env.run(event).result));
  return { env, executions };
}

/**
 * A small detachment storm through the real ASL with its own backoff (no retry interval
 * overrides), against the local endpoint's rate limit and random 503s. It checks that nothing
 * is lost; how fast is the benchmark's business (`npm run bench:storm`).
 */
describe('a storm of 40 detachments at once, 10 requests/s per operation, 5% 503s', () => {
  const scenario = stormScenario(40);
  let env: LocalEnvironment;
  let executions: ExecutionRecord[];

  beforeAll(async () => {
    ({ env, executions } = await runStorm(scenario));
  });
  afterAll(() => env.stop());

  // Throttling depends on how fast the executions arrive (a loaded machine spreads them out); the
  // seeded 503s do not: either way the retries are exercised.
  it('answers some reattachments with faults, so the storm exercises the retries', () => {
    expect(env.organizationsEndpoint?.faults.injectedCount()).toBeGreaterThan(0);
  });

  it('loses no remediation: every protected attachment is back', () => {
    const detached = scenario.pairs.filter((pair) => !env.organization?.isAttached(pair.policyId, pair.targetId));

    expect(detached).toEqual([]);
  });

  it('sends every reattachment through the shared admission schedule', async () => {
    const schedule = await env.admissionStore.read();

    // Classify takes each one's first ticket; a throttled attempt takes another.
    expect(executions.some((execution) => execution.statesEntered.includes('AttachPolicy'))).toBe(true);
    expect(schedule?.ticket).toBeGreaterThanOrEqual(scenario.pairs.length);
  });

  it('ends every execution SUCCEEDED with a REATTACHED incident', async () => {
    const outcomes = await Promise.all(scenario.events.map(async (event) => (await env.audit.getIncident((event.detail as { eventID: string }).eventID))?.outcome));

    expect(executions.map((execution) => execution.status)).toEqual(scenario.events.map(() => 'SUCCEEDED'));
    expect(outcomes).toEqual(scenario.events.map(() => 'REATTACHED'));
  });
});

/** The same storm with the admission store hanging: every execution goes on without a slot, and still nothing is lost. */
describe('a storm of 40 detachments while the admission store never answers', () => {
  const scenario = stormScenario(40);
  let env: LocalEnvironment;
  let executions: ExecutionRecord[];

  beforeAll(async () => {
    ({ env, executions } = await runStorm(scenario, { dynamoDbFaults: { mode: 'hang', only: ADMISSION_PK_PREFIX } }));
  });
  afterAll(() => env.stop());

  it('loses no remediation: every protected attachment is back, unadmitted', () => {
    const detached = scenario.pairs.filter((pair) => !env.organization?.isAttached(pair.policyId, pair.targetId));

    expect(detached).toEqual([]);
    expect(executions.every((execution) => execution.statesEntered.includes('ReattachUnadmitted'))).toBe(true);
  });
});

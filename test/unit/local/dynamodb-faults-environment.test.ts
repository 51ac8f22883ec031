import { ErrorName } from '../../../functions/shared/errors';
import { DynamoDbFaultProxy } from '../../../local/dynamodb/fault-proxy';
import type { LocalEnvironment } from '../../../local/environment';
import { startEnvironment } from '../../support/local-harness';

/** `dynamoDbFaults` on the local environment: the workflow's stores go through the proxy, `trueAudit` does not. */
describe('local environment with DynamoDB faults', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
    jest.restoreAllMocks();
  });

  it("sends the workflow's audit and decision stores through the proxy", async () => {
    env = await startEnvironment({ dynamoDbFaults: { mode: 'unavailable' } });

    const [incident, decision] = await Promise.allSettled([env.audit.getIncident('no-such-incident'), env.decisions.get('no-such-decision')]);

    expect([incident, decision]).toMatchObject([
      { status: 'rejected', reason: { name: ErrorName.AUDIT_UNAVAILABLE } },
      { status: 'rejected', reason: { name: ErrorName.AUDIT_UNAVAILABLE } },
    ]);
    expect(env.dynamoDbFaultProxy?.counts.injected.unavailable).toBeGreaterThanOrEqual(2);
  });

  it('reads what was really written through trueAudit, past the proxy', async () => {
    env = await startEnvironment({ dynamoDbFaults: { mode: 'unavailable' } });

    const incident = await env.trueAudit.getIncident('no-such-incident');

    expect(incident).toBeUndefined();
    expect(env.dynamoDbFaultProxy?.counts.requests).toBe(0);
  });

  it('uses one store for both without faults', async () => {
    env = await startEnvironment();

    expect(env.trueAudit).toBe(env.audit);
    expect(env.dynamoDbFaultProxy).toBeUndefined();
  });

  it('stops the proxy with the environment', async () => {
    env = await startEnvironment({ dynamoDbFaults: { mode: 'throttle', probability: 0.5 } });
    const url = env.dynamoDbFaultProxy?.url ?? '';

    await env.stop();
    env = undefined;

    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('stops the proxy when the environment fails to start', async () => {
    const stop = jest.spyOn(DynamoDbFaultProxy.prototype, 'stop');

    const start = startEnvironment({ dynamoDbFaults: { mode: 'unavailable' }, organization: undefined, organizationsEndpoint: undefined });

    await expect(start).rejects.toThrow(/an organization file or an Organizations endpoint is required/);
    expect(stop).toHaveBeenCalledTimes(1);
  });
});

import {
  AccessDeniedException,
  AttachPolicyCommand,
  ConcurrentModificationException,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { FaultInjector, mulberry32, type FaultOptions } from '../../../local/organizations/fault-injector';
import { DENY_LEAVE, PROD_OU, UNATTACHED_SCP, sdkErrorOf, startHarness, type Harness } from './harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** Status of each call, 200 for success; calls are sequential so the PRNG sees them in order. */
async function statusesOf(harness: Harness, calls: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < calls; i += 1) {
    try {
      await harness.client.send(new DescribeOrganizationCommand({}));
      statuses.push(200);
    } catch (error) {
      statuses.push((error as TooManyRequestsException).$metadata.httpStatusCode ?? 0);
    }
  }
  return statuses;
}

async function randomRun(faults: FaultOptions, calls: number): Promise<number[]> {
  const harness = await startHarness({ faults });
  try {
    return await statusesOf(harness, calls);
  } finally {
    await harness.stop();
  }
}

describe('scripted faults', () => {
  it('answers AttachPolicy with the scripted 429 and serves the next call', async () => {
    h = await startHarness();
    h.endpoint.faults.script('AttachPolicy', ['TooManyRequestsException']);

    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU })));
    await h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU }));

    expect(error).toBeInstanceOf(TooManyRequestsException);
    expect(error.message).toBe('Rate exceeded');
    expect(error.$metadata.httpStatusCode).toBe(429);
    expect(h.endpoint.callCount('AttachPolicy')).toBe(2);
    expect(h.endpoint.successCount('AttachPolicy')).toBe(1);
    expect(h.org.isAttached(UNATTACHED_SCP, PROD_OU)).toBe(true);
  });

  it('answers a scripted ServiceException with status 503 and leaves the organization unchanged', async () => {
    h = await startHarness();
    h.endpoint.faults.script('AttachPolicy', ['ServiceException']);

    const error = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU })));

    expect(error.name).toBe('ServiceException');
    expect(error.$metadata.httpStatusCode).toBe(503);
    expect(h.org.isAttached(UNATTACHED_SCP, PROD_OU)).toBe(false);
  });

  it('answers scripted AccessDeniedException and ConcurrentModificationException with status 400', async () => {
    h = await startHarness();
    h.endpoint.faults.script('DetachPolicy', ['AccessDeniedException', 'ConcurrentModificationException']);
    const detach = () => h!.client.send(new DetachPolicyCommand({ PolicyId: DENY_LEAVE, TargetId: PROD_OU }));

    const denied = await sdkErrorOf(detach());
    const concurrent = await sdkErrorOf(detach());

    expect(denied).toBeInstanceOf(AccessDeniedException);
    expect(concurrent).toBeInstanceOf(ConcurrentModificationException);
    expect([denied.$metadata.httpStatusCode, concurrent.$metadata.httpStatusCode]).toEqual([400, 400]);
    expect(h.org.isAttached(DENY_LEAVE, PROD_OU)).toBe(true);
  });

  it('consumes the script in order: 429, 503, then a call served normally', async () => {
    h = await startHarness();
    h.endpoint.faults.script('AttachPolicy', ['TooManyRequestsException', 'ServiceException', 'ok']);
    const attach = () => h!.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU }));

    const first = await sdkErrorOf(attach());
    const second = await sdkErrorOf(attach());
    await attach();

    expect([first.name, second.name]).toEqual(['TooManyRequestsException', 'ServiceException']);
    expect(h.endpoint.faults.pending('AttachPolicy')).toEqual([]);
    expect(h.endpoint.requestLog.map((e) => [e.status, e.injected])).toEqual([
      [429, true],
      [503, true],
      [200, false],
    ]);
  });

  it('applies a script only to the operation it names', async () => {
    h = await startHarness();
    h.endpoint.faults.script('AttachPolicy', ['ServiceException']);

    await h.client.send(new DescribeOrganizationCommand({}));

    expect(h.endpoint.faults.pending('AttachPolicy')).toEqual(['ServiceException']);
  });
});

describe('random faults', () => {
  const faults: FaultOptions = { throttleProbability: 0.3, serviceErrorProbability: 0.2, seed: 42 };

  it('injects the same faults, call for call, for the same seed', async () => {
    const first = await randomRun(faults, 30);
    const second = await randomRun(faults, 30);

    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 429, 503]));
  });

  it('injects other faults for another seed', async () => {
    const first = await randomRun(faults, 30);
    const other = await randomRun({ ...faults, seed: 7 }, 30);

    expect(other).not.toEqual(first);
  });

  it('spares the operations left out of `operations`', async () => {
    h = await startHarness({ faults: { throttleProbability: 1, operations: ['AttachPolicy'] } });

    const reads = await statusesOf(h, 3);
    const attach = await sdkErrorOf(h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU })));

    expect(reads).toEqual([200, 200, 200]);
    expect(attach.$metadata.httpStatusCode).toBe(429);
  });
});

describe('rate limit', () => {
  it('throttles every request of a concurrent burst beyond the bucket size', async () => {
    const now = 0;
    h = await startHarness({ faults: { rateLimit: { requestsPerSecond: 2, burst: 3 }, clock: () => now } });
    const harness = h;

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => harness.client.send(new DescribeOrganizationCommand({}))));

    const throttled = results.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'TooManyRequestsException');
    expect(throttled).toHaveLength(7);
    expect(h.endpoint.faults.injectedCount('TooManyRequestsException')).toBe(7);
  });

  it('refills the bucket at requestsPerSecond as the clock moves', async () => {
    let now = 0;
    h = await startHarness({ faults: { rateLimit: { requestsPerSecond: 2 }, clock: () => now } });
    const drained = await statusesOf(h, 3);

    now += 1000;
    const refilled = await statusesOf(h, 3);

    expect(drained).toEqual([200, 200, 429]);
    expect(refilled).toEqual([200, 200, 429]);
  });

  it("keeps a bucket per operation, so reads do not spend AttachPolicy's budget", async () => {
    const now = 0;
    h = await startHarness({ faults: { rateLimit: { requestsPerSecond: 2 }, clock: () => now } });
    const reads = await statusesOf(h, 3);

    await h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU }));

    expect(reads).toEqual([200, 200, 429]);
    expect(h.org.isAttached(UNATTACHED_SCP, PROD_OU)).toBe(true);
    expect(h.endpoint.faults.injectedCount('TooManyRequestsException')).toBe(1);
  });
});

describe('FaultInjector', () => {
  it('draws the same numbers from mulberry32 for the same seed', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);

    const drawsA = [a(), a(), a()];

    expect([b(), b(), b()]).toEqual(drawsA);
    expect(drawsA.every((n) => n >= 0 && n < 1)).toBe(true);
  });

  it('refuses probabilities outside 0..1 or adding up beyond 1', () => {
    expect(() => new FaultInjector({ throttleProbability: 1.5 })).toThrow(/throttleProbability/);
    expect(() => new FaultInjector({ throttleProbability: 0.6, serviceErrorProbability: 0.6 })).toThrow(/must not exceed 1/);
  });

  it('refuses a scripted step it cannot answer with', () => {
    const injector = new FaultInjector();

    expect(() => injector.script('AttachPolicy', ['NoSuchException' as 'ok'])).toThrow(/unknown scripted step/);
  });
});

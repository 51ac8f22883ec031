import {
  AccessDeniedException,
  AttachPolicyCommand,
  ConcurrentModificationException,
  DescribeOrganizationCommand,
  DetachPolicyCommand,
  DisablePolicyTypeCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  PolicyChangesInProgressException,
  TooManyRequestsException,
} from '@aws-sdk/client-organizations';
import { FaultInjector, mulberry32, type FaultOptions } from '../../../../local/stand-ins/organizations/fault-injector';
import { DENY_LEAVE, PROD_OU, UNATTACHED_SCP, sdkErrorOf, startHarness, waitUntil, type Harness } from './harness';

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

  it('answers a scripted PolicyChangesInProgressException to EnablePolicyType with status 400, then enables the type', async () => {
    h = await startHarness();
    const [root] = (await h.client.send(new ListRootsCommand({}))).Roots ?? [];
    await h.client.send(new DisablePolicyTypeCommand({ RootId: root.Id, PolicyType: 'SERVICE_CONTROL_POLICY' }));
    h.endpoint.faults.script('EnablePolicyType', ['PolicyChangesInProgressException']);
    const enable = () => h!.client.send(new EnablePolicyTypeCommand({ RootId: root.Id, PolicyType: 'SERVICE_CONTROL_POLICY' }));

    const error = await sdkErrorOf(enable());
    expect(h.org.isPolicyTypeEnabled('SERVICE_CONTROL_POLICY')).toBe(false);
    await enable();

    expect(error).toBeInstanceOf(PolicyChangesInProgressException);
    expect(error.message).toMatch(/try the operation again later/i);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(h.org.isPolicyTypeEnabled('SERVICE_CONTROL_POLICY')).toBe(true);
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

describe('hung calls', () => {
  /** Short, so a hang costs the test a fraction of a second; the production figure is tested with the clients. */
  const REQUEST_TIMEOUT_MS = 250;

  /** Milliseconds a call took to settle, and its error (undefined when it succeeded). */
  async function timed(call: Promise<unknown>): Promise<{ ms: number; error?: Error }> {
    const started = performance.now();
    try {
      await call;
      return { ms: performance.now() - started };
    } catch (error) {
      return { ms: performance.now() - started, error: error as Error };
    }
  }

  it('never answers a scripted hang: the client gives up at its request timeout and the next call is served', async () => {
    h = await startHarness({}, { requestTimeoutMs: REQUEST_TIMEOUT_MS });
    h.endpoint.faults.script('AttachPolicy', ['hang']);
    const attach = () => h!.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU }));

    const hung = await timed(attach());
    const attachedByHungCall = h.org.isAttached(UNATTACHED_SCP, PROD_OU);
    await attach();

    expect(hung.error?.name).toBe('TimeoutError');
    expect(hung.ms).toBeLessThan(3 * REQUEST_TIMEOUT_MS);
    expect(attachedByHungCall).toBe(false);
    expect(h.org.isAttached(UNATTACHED_SCP, PROD_OU)).toBe(true);
    expect(h.endpoint.requestLog.map((e) => [e.operation, e.status, e.injected, e.hung])).toEqual([
      ['AttachPolicy', 0, true, true],
      ['AttachPolicy', 200, false, undefined],
    ]);
    expect(h.endpoint.faults.injectedCount('hang')).toBe(1);
    expect(h.endpoint.successCount('AttachPolicy')).toBe(1);
  });

  it('stops promptly with a hung request open, and the waiting client fails at once', async () => {
    h = await startHarness({ faults: { hangProbability: 1 } });
    const pending = timed(h.client.send(new DescribeOrganizationCommand({})));
    const endpoint = h.endpoint;
    await waitUntil(() => endpoint.openHungCount === 1, 'the request is held open');

    const stopping = await timed(endpoint.stop());
    const call = await pending;

    // The client's own request timeout is the production 5 s: both settle long before it.
    expect(stopping.error).toBeUndefined();
    expect(stopping.ms).toBeLessThan(1_000);
    expect(call.error).toBeDefined();
    expect(call.ms).toBeLessThan(2_500);
    expect(endpoint.openHungCount).toBe(0);
  });

  it('counts a hung request as a call, never as a success', async () => {
    h = await startHarness({ faults: { hangProbability: 1, operations: ['AttachPolicy'] } }, { requestTimeoutMs: REQUEST_TIMEOUT_MS });

    await timed(h.client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU })));
    await h.client.send(new DescribeOrganizationCommand({}));

    expect(h.endpoint.callCount('AttachPolicy')).toBe(1);
    expect(h.endpoint.successCount('AttachPolicy')).toBe(0);
    expect(h.endpoint.faults.injectedCount()).toBe(1);
  });
});

describe('random hangs', () => {
  /** What the injector decides for each of `calls` requests: a fault's name, 'hang', or 'ok'. */
  function decisions(options: FaultOptions, calls: number): string[] {
    const injector = new FaultInjector(options);
    return Array.from({ length: calls }, () => injector.check('AttachPolicy')?.fault ?? 'ok');
  }
  const faults: FaultOptions = { throttleProbability: 0.2, serviceErrorProbability: 0.1, hangProbability: 0.3, seed: 42 };

  it('hangs the same calls, call for call, for the same seed', () => {
    const first = decisions(faults, 200);
    const second = decisions(faults, 200);

    expect(second).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['ok', 'hang', 'TooManyRequestsException', 'ServiceException']));
  });

  it('hangs other calls for another seed', () => {
    const first = decisions(faults, 200);

    const other = decisions({ ...faults, seed: 7 }, 200);

    expect(other).not.toEqual(first);
  });

  it("leaves a seed's 429s and 503s where they were: hangs take only calls that were served", () => {
    const without = decisions({ ...faults, hangProbability: 0 }, 200);

    const withHangs = decisions(faults, 200);

    const hungAt = withHangs.flatMap((decision, i) => (decision === 'hang' ? [i] : []));
    expect(hungAt.length).toBeGreaterThan(0);
    expect(hungAt.every((i) => without[i] === 'ok')).toBe(true);
    expect(withHangs.map((decision) => (decision === 'hang' ? 'ok' : decision))).toEqual(without);
  });

  it('hangs a fraction of the calls near the probability', () => {
    const hangs = decisions({ hangProbability: 0.25, seed: 3 }, 2_000).filter((decision) => decision === 'hang').length;

    expect(hangs / 2_000).toBeGreaterThan(0.2);
    expect(hangs / 2_000).toBeLessThan(0.3);
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

  it('refuses a hang probability outside 0..1 or adding up with the others beyond 1', () => {
    expect(() => new FaultInjector({ hangProbability: -0.1 })).toThrow(/hangProbability/);
    expect(() => new FaultInjector({ throttleProbability: 0.5, serviceErrorProbability: 0.3, hangProbability: 0.3 })).toThrow(/must not exceed 1/);
  });

  it('takes a scripted hang and counts it', () => {
    const injector = new FaultInjector().script('AttachPolicy', ['hang', 'ok']);

    const answers = [injector.check('AttachPolicy')?.fault, injector.check('AttachPolicy')?.fault];

    expect(answers).toEqual(['hang', undefined]);
    expect(injector.injectedCount('hang')).toBe(1);
  });

  it('refuses a scripted step it cannot answer with', () => {
    const injector = new FaultInjector();

    expect(() => injector.script('AttachPolicy', ['NoSuchException' as 'ok'])).toThrow(/unknown scripted step/);
  });
});

import { availableParallelism, loadavg } from 'node:os';
import type { SweepChange, SweepResult } from '../../functions/sweep/result';
import { LocalEnvironment } from '../../local/environment';
import { stderrLog } from '../../local/local-log';
import type { LocalOrganizationsEndpoint } from '../../local/stand-ins/organizations/endpoint';
import type { CoveredPair, SweepScenario } from './organization';

/** The calls of a sweep that are not Organizations', by the name ApiCalls counts them under. */
const OTHER_SERVICES: Readonly<Record<string, string>> = { LookupEvents: 'CloudTrail', StartExecution: 'Step Functions' };

/** What one sweep cost. */
export interface SweepFigures {
  readonly sweep: 'first' | 'steady' | 'drift';
  /** Wall time of the sweep function's handler, start to result. */
  readonly seconds: number;
  readonly organizations: {
    /** Calls the sweep made (ApiCalls' count: one per call, its SDK retries not included). */
    readonly calls: number;
    readonly byOperation: Readonly<Record<string, number>>;
    /** Requests the endpoint received from the sweep: the calls plus the SDK's retries of 429s. */
    readonly requests: number;
    /** The sweep started executions, whose calls reach the same endpoint: requests are counted only until the first one started. */
    readonly requestsCutAtFirstExecution: boolean;
    /** Of those, answered 429 by the endpoint's token buckets. */
    readonly throttled: number;
    /** When each operation's first and last request were answered, in seconds from the sweep's start: the sweep's phases. */
    readonly timeline: Readonly<Record<string, { readonly from: number; readonly to: number }>>;
  };
  /** CloudTrail and Step Functions calls. */
  readonly otherCalls: Readonly<Record<string, number>>;
  /** The floors, with a rate limit: each operation has its own bucket, so the busiest one bounds the sweep. */
  readonly floor: { readonly busiestOperation: string; readonly busiestSeconds: number; readonly totalSeconds: number } | null;
  readonly ratio: { readonly toBusiest: number; readonly toTotal: number } | null;
  readonly dynamodb: {
    /** Items the sweep added to the table: its desired-state entries, and new registry items. */
    readonly itemsWritten: number;
    readonly byType: Readonly<Record<string, number>>;
    /** PutItem requests, the registry's conditional puts that found their item included. */
    readonly putRequests: number;
  };
  readonly drift: {
    readonly detachedSilently: number;
    readonly found: number;
    readonly started: number;
    /** Of the silently detached pairs, attached again once the drift executions ended. */
    readonly restored?: number;
    /** From the sweep's start to the last drift execution's end. */
    readonly restoredAfterSeconds?: number;
  };
  readonly desiredPairs: number;
  readonly warnings: number;
  readonly notes: number;
  /** The 1-minute load average when the sweep ended, and the cores: the seconds depend on both. */
  readonly machine: { readonly loadAverage: number; readonly cores: number };
}

export const machine = () => ({ loadAverage: Number(loadavg()[0].toFixed(2)), cores: availableParallelism() });
const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The sweep's writes, read off its changes: one entry each, and a pair entry's registry put. */
function writesOf(changes: readonly SweepChange[], newRegistryItems: number): SweepFigures['dynamodb'] {
  const byType: Record<string, number> = {};
  for (const change of changes) byType[`desired-${change.type}`] = (byType[`desired-${change.type}`] ?? 0) + 1;
  if (newRegistryItems > 0) byType['desired-policy'] = newRegistryItems;
  const pairs = changes.filter((change) => change.type === 'pair').length;
  return { itemsWritten: changes.length + newRegistryItems, byType, putRequests: changes.length + pairs };
}

function floorOf(byOperation: Readonly<Record<string, number>>, calls: number, rate: number | undefined, seconds: number): Pick<SweepFigures, 'floor' | 'ratio'> {
  if (rate === undefined || calls === 0) return { floor: null, ratio: null };
  const [busiestOperation, busiest] = Object.entries(byOperation).sort(([, a], [, b]) => b - a)[0];
  const floor = { busiestOperation, busiestSeconds: round(busiest / rate), totalSeconds: round(calls / rate) };
  return { floor, ratio: { toBusiest: round(seconds / floor.busiestSeconds, 2), toTotal: round(seconds / floor.totalSeconds, 2) } };
}

interface SweepRunOptions {
  readonly rate?: number;
  readonly detached?: readonly CoveredPair[];
}

/** Runs one sweep through the local environment and reads what it cost off its result and the endpoint. */
async function measuredSweep(env: LocalEnvironment, endpoint: LocalOrganizationsEndpoint, sweep: SweepFigures['sweep'], options: SweepRunOptions): Promise<SweepFigures> {
  const registryBefore = (await env.desired.policies()).length;
  const logStart = endpoint.requestLog.length;
  // The sweep's Organizations reads all come before its first StartExecution; the drift
  // executions' own calls (classify, reattach) come after, and are not the sweep's.
  let firstStart: number | undefined;
  const start = env.stepFunctions.executions;
  env.stepFunctions.executions = (request) => {
    firstStart ??= Date.now();
    if (start === undefined) throw new Error('the local Step Functions endpoint has no execution starter');
    return start(request);
  };
  const startedAt = Date.now();
  let result: SweepResult;
  let executions: Awaited<ReturnType<LocalEnvironment['sweep']>>['executions'];
  try {
    ({ result, executions } = await env.sweep());
  } finally {
    env.stepFunctions.executions = start;
  }
  const seconds = (Date.now() - startedAt) / 1000;
  const ended = Date.now();
  const requests = endpoint.requestLog.slice(logStart).filter((entry) => entry.at <= (firstStart ?? ended));
  const registryAfter = (await env.desired.policies()).length;

  const organizationsOps = Object.entries(result.calls.byOperation).filter(([operation]) => OTHER_SERVICES[operation] === undefined);
  const byOperation = Object.fromEntries(organizationsOps);
  const calls = organizationsOps.reduce((sum, [, n]) => sum + n, 0);
  const otherCalls = Object.fromEntries(Object.entries(result.calls.byOperation).filter(([operation]) => OTHER_SERVICES[operation] !== undefined));

  const timeline: Record<string, { from: number; to: number }> = {};
  for (const entry of requests) {
    const at = round((entry.at - startedAt) / 1000, 2);
    const span = (timeline[entry.operation] ??= { from: at, to: at });
    span.to = at;
  }

  let restored: number | undefined;
  let restoredAfterSeconds: number | undefined;
  if (options.detached !== undefined && options.detached.length > 0) {
    await Promise.all(executions);
    restoredAfterSeconds = round((Date.now() - startedAt) / 1000, 1);
    restored = options.detached.filter((pair) => endpoint.organization.isAttached(pair.policyId, pair.targetId)).length;
  }
  return {
    sweep,
    seconds: round(seconds, 2),
    organizations: { calls, byOperation, requests: requests.length, requestsCutAtFirstExecution: firstStart !== undefined, throttled: requests.filter((entry) => entry.status === 429).length, timeline },
    otherCalls,
    ...floorOf(byOperation, calls, options.rate, seconds),
    dynamodb: writesOf(result.changes, registryAfter - registryBefore),
    drift: {
      detachedSilently: options.detached?.length ?? 0,
      found: result.drift.length,
      started: result.incidents.length,
      ...(restored === undefined ? {} : { restored, restoredAfterSeconds }),
    },
    desiredPairs: result.desiredPairs,
    warnings: result.warnings.length,
    notes: result.notes.length,
    machine: machine(),
  };
}

export interface SweepSeriesOptions {
  /** Requests per second per operation; none for the local pace. */
  readonly rate?: number;
  readonly dynamoDbEndpoint: string;
  /** Pairs to detach silently before a third sweep; none or empty for no drift sweep. */
  readonly detach?: readonly CoveredPair[];
  readonly progress: (line: string) => void;
}

/**
 * A first sweep (it records the desired state), a steady-state sweep (nothing changed: the one
 * paid every 15 minutes), and with `detach`, a sweep after those pairs were detached straight on
 * the organization, with no event (the drift it must find), whose executions restore them.
 */
export async function sweepSeries(scenario: SweepScenario, options: SweepSeriesOptions): Promise<SweepFigures[]> {
  const { rate } = options;
  const env = await LocalEnvironment.start({
    rules: scenario.rules,
    organization: scenario.organization,
    dynamoDbEndpoint: options.dynamoDbEndpoint,
    faults: rate === undefined ? undefined : { rateLimit: { requestsPerSecond: rate } },
    log: stderrLog('silent'),
  });
  try {
    const endpoint = env.organizationsEndpoint;
    if (endpoint === undefined) throw new Error('the sweep bench needs the built-in Organizations endpoint');
    // Sweeps are 15 minutes apart: each starts with every operation's bucket full again.
    const refill = () => (rate === undefined ? Promise.resolve() : sleep((Math.max(1, rate) / rate) * 1000 + 50));
    const label = rate === undefined ? 'no rate limit' : `${rate} requests/s per operation`;
    const figures: SweepFigures[] = [];
    options.progress(`  first sweep (${label}) ...`);
    figures.push(await measuredSweep(env, endpoint, 'first', { rate }));
    await refill();
    options.progress(`  steady-state sweep (${label}) ...`);
    figures.push(await measuredSweep(env, endpoint, 'steady', { rate }));
    if (options.detach !== undefined && options.detach.length > 0) {
      for (const pair of options.detach) endpoint.organization.detachPolicy(pair.policyId, pair.targetId);
      await refill();
      options.progress(`  sweep after ${options.detach.length} silent detachments (${label}) ...`);
      figures.push(await measuredSweep(env, endpoint, 'drift', { rate, detached: options.detach }));
    }
    return figures;
  } finally {
    await env.stop();
  }
}

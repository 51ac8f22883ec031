import { admissionSettings } from '../../functions/admit/schedule';
import { LocalEnvironment } from '../../local/environment';
import { stderrLog } from '../../local/local-log';
import { DetachmentReplayer } from '../../local/replay';
import { figuresOf, type StormFigures, type StormLimits } from './figures';
import type { StormScenario } from './scenario';
import { StormTracer, type StormTrace } from './trace';

/** What running scp-guardian on a storm gave, beyond the shared figures. */
export interface GuardianStormResult extends StormFigures {
  /** Protected pairs still detached once every event's execution ended: the event path alone. */
  readonly lostAfterEventPath: number;
  /** Protected pairs still detached after one sweep and the executions it started (`lost` is this). */
  readonly lostAfterSweep: number;
  /** Drift incidents the sweep opened. */
  readonly sweepIncidents: number;
  /** Executions that ended FAILED (each one a FAILED incident and an alarm). */
  readonly failedExecutions: number;
  /** FAILED executions by the error they ended with (RemediationFailed, NoticeNotSent, ...). */
  readonly failedBy: Readonly<Record<string, number>>;
  /** Retries Step Functions made, over every execution. */
  readonly retries: number;
  /** The states retried most, with their retries (at most three). */
  readonly mostRetried: readonly { readonly state: string; readonly retries: number }[];
  /** Per event execution that attached, on the way to its first AttachPolicy (that call's own Lambda included): mean and max. */
  readonly beforeFirstAttach: {
    readonly lambdaInvocations: { readonly mean: number; readonly max: number };
    readonly stateTransitions: { readonly mean: number; readonly max: number };
  } | null;
  /** AttachPolicy attempts the endpoint throttled (429), over the event path. */
  readonly throttledAttempts: number;
  /** The admission the rules gave: on or off, and the expected rate it started from. */
  readonly admission: { readonly enabled: boolean; readonly expectedRate: number; readonly maxRate: number };
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function sumRetriesByState(executions: readonly { retriesByState: Record<string, number> }[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const execution of executions) for (const [state, retries] of Object.entries(execution.retriesByState)) sums[state] = (sums[state] ?? 0) + retries;
  return sums;
}

function meanAndMax(values: readonly number[]) {
  return { mean: Number((values.reduce((sum, value) => sum + value, 0) / values.length).toFixed(2)), max: Math.max(...values) };
}

/** How to run scp-guardian on a storm. */
export interface GuardianStormOptions {
  /** The endpoint's limits; without them, the run shows the local workflow's own pace. */
  readonly limits?: StormLimits;
  /** R of the N/R floor the figures are compared with. */
  readonly floorRate: number;
  readonly system: string;
  readonly dynamoDbEndpoint?: string;
  /** Records the storm's trace (bench:storm --trace) and hands it over once the event path ended. */
  readonly onTrace?: (trace: StormTrace) => void;
}

/**
 * Runs scp-guardian on a storm: one execution of the real ASL per event, all started at once,
 * with the real handlers, against the local Organizations endpoint and the ASL's own backoff
 * (no retry interval overrides).
 */
export async function runGuardian(scenario: StormScenario, options: GuardianStormOptions): Promise<GuardianStormResult> {
  const { limits } = options;
  const tracer = options.onTrace === undefined ? undefined : new StormTracer();
  const { admission } = scenario.rules.remediation;
  const env = await LocalEnvironment.start({
    rules: scenario.rules,
    organization: scenario.organization,
    dynamoDbEndpoint: options.dynamoDbEndpoint,
    faults:
      limits === undefined
        ? undefined
        : { rateLimit: { requestsPerSecond: limits.rate }, serviceErrorProbability: limits.serviceErrorProbability, seed: limits.seed },
    log: stderrLog('silent'),
    ...(tracer === undefined ? {} : { onAdmission: tracer.onAdmission }),
  });
  try {
    const endpoint = env.organizationsEndpoint;
    if (endpoint === undefined) throw new Error('the storm needs the built-in Organizations endpoint');
    // As a deployment starts: one sweep, so the desired state knows what is attached.
    await env.sweep();
    endpoint.clearLog();
    const replayer = new DetachmentReplayer(endpoint.organization);
    for (const event of scenario.events) replayer.apply(event);
    tracer?.start(env);
    const startedAt = Date.now();
    const executions = await Promise.all(scenario.events.map((event) => env.run(event).result));
    if (tracer !== undefined) options.onTrace?.(await tracer.finish(endpoint.requestLog));
    const eventPath = figuresOf(options.system, endpoint, scenario.pairs, startedAt, Date.now(), options.floorRate);
    const throttledAttempts = endpoint.requestLog.filter((entry) => entry.operation === 'AttachPolicy' && entry.error === 'TooManyRequestsException').length;
    const onTheWay = executions.flatMap((execution) => (execution.beforeFirstAttach === undefined ? [] : [execution.beforeFirstAttach]));
    // The safety net: one sweep, and the drift executions it starts.
    const sweep = await env.sweep();
    const drift = await Promise.all(sweep.executions);
    const afterSweep = figuresOf(options.system, endpoint, scenario.pairs, startedAt, Date.now(), options.floorRate);
    const all = [...executions, ...drift];
    const failed = all.filter((execution) => execution.status === 'FAILED');
    return {
      ...eventPath,
      lost: afterSweep.lost,
      restored: afterSweep.restored,
      lostAfterEventPath: eventPath.lost,
      lostAfterSweep: afterSweep.lost,
      sweepIncidents: sweep.result.incidents.length,
      failedExecutions: failed.length,
      failedBy: countBy(failed.map((execution) => execution.error ?? 'unknown')),
      retries: all.reduce((sum, execution) => sum + execution.retries, 0),
      mostRetried: Object.entries(sumRetriesByState(all))
        .sort(([, a], [, b]) => b - a)
        .slice(0, 3)
        .map(([state, retries]) => ({ state, retries })),
      beforeFirstAttach:
        onTheWay.length === 0
          ? null
          : { lambdaInvocations: meanAndMax(onTheWay.map((w) => w.lambdaInvocations)), stateTransitions: meanAndMax(onTheWay.map((w) => w.stateTransitions)) },
      throttledAttempts,
      admission: { enabled: admission.enabled, expectedRate: admission.expectedRate, maxRate: admissionSettings(admission).maxRate },
    };
  } finally {
    await env.stop();
  }
}

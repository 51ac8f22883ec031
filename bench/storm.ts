import { Command, InvalidArgumentError } from 'commander';
import { DynamoDbLocal } from '../local/dynamodb/dynamodb-local';
import { stateRetryBudget } from './retry-budget';
import { runBaseline } from './storm/baseline';
import type { StormLimits } from './storm/figures';
import { runGuardian } from './storm/guardian';
import { formatStormReport, stormReport, type StormReport } from './storm/report';
import { stormScenario, type StormAdmission } from './storm/scenario';
import { stormTimeline, writeStormTrace } from './storm/trace';

/**
 * `npm run bench:storm`: N protected attachments detached at once, restored by scp-guardian
 * and, in the same run, by the seed baseline, against the local Organizations endpoint with a
 * rate limit and 503s. Prints a table, or one JSON object with --json.
 */

interface StormOptions {
  n?: number;
  rate?: number;
  serviceErrorProbability: number;
  seed: number;
  json?: boolean;
  timeout: number;
  /** remediation.admission.expectedRate for scp-guardian's runs; left out, the default (the guard is not told R). */
  expectedRate?: number;
  /** commander's --no-admission: false turns the admission off (each execution retries on its own timer). */
  admission: boolean;
  /** Where to write the limited storm's trace (one file per storm: `-N-R` is added before the extension when there are two). */
  trace?: string;
}

/** A commander parser of a number option within [min, max]. */
export const number = (what: string, min: number, max: number, integer = false) => (text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`${what} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
};

/** The trace file of one storm: `--trace` itself for a single storm, `NAME-N-R.EXT` for each of the standard ones. */
function traceFile(file: string, n: number, rate: number, both: boolean): string {
  if (!both) return file;
  const dot = file.lastIndexOf('.');
  return dot > file.lastIndexOf('/') ? `${file.slice(0, dot)}-${n}-${rate}${file.slice(dot)}` : `${file}-${n}-${rate}`;
}

/** The storms a plain `npm run bench:storm` runs: a short one (N/R = 10 s) and a long one (N/R = 100 s). */
export const STANDARD_STORMS: readonly { n: number; rate: number }[] = [
  { n: 300, rate: 30 },
  { n: 400, rate: 4 },
];

async function oneStorm(n: number, rate: number, options: StormOptions, dynamoDbEndpoint: string, progress: (line: string) => void): Promise<StormReport> {
  const limits: StormLimits = { rate, serviceErrorProbability: options.serviceErrorProbability, seed: options.seed };
  const admission: StormAdmission = {
    ...(options.admission ? {} : { enabled: false }),
    ...(options.expectedRate === undefined ? {} : { expectedRate: options.expectedRate }),
  };
  progress(`bench:storm: N=${n}, R=${rate}/s, ${options.serviceErrorProbability * 100}% 503s, seed ${options.seed}`);
  progress('seed baseline: one AttachPolicy attempt per event, errors swallowed ...');
  const baseline = await runBaseline(stormScenario(n), limits);
  // First without limits: it warms DynamoDB Local's JVM and Node's JIT, which would otherwise be
  // measured as the workflow's latency, and shows the local workflow's own pace for N executions.
  progress(`scp-guardian: ${n} executions of the real ASL at once, no API limits (local pace) ...`);
  const unlimited = await runGuardian(stormScenario(n, admission), { floorRate: rate, system: 'scp-guardian, no API limits (local pace)', dynamoDbEndpoint });
  progress(`scp-guardian: ${n} executions of the real ASL at once, with the limits ...`);
  const onTrace =
    options.trace === undefined
      ? undefined
      : (trace: Parameters<typeof stormTimeline>[0]) => {
          const file = traceFile(options.trace as string, n, rate, options.n === undefined && options.rate === undefined);
          writeStormTrace(file, trace);
          progress(`trace of the storm with the limits written to ${file}:\n${stormTimeline(trace)}`);
        };
  const guardian = await runGuardian(stormScenario(n, admission), { limits, floorRate: rate, system: 'scp-guardian', dynamoDbEndpoint, onTrace });
  return stormReport(n, limits, guardian, unlimited, baseline, stateRetryBudget('ReattachPolicy'));
}

async function storm(options: StormOptions): Promise<void> {
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const storms = options.n === undefined && options.rate === undefined ? STANDARD_STORMS : [{ n: options.n ?? 300, rate: options.rate ?? 30 }];
  progress('bench:storm: starting DynamoDB Local ...');
  const dynamo = await DynamoDbLocal.start();
  const deadline = setTimeout(() => {
    progress(`bench:storm: did not finish within --timeout ${options.timeout} s; stopping`);
    dynamo.stop();
    process.exit(1);
  }, options.timeout * 1000);
  try {
    const reports: StormReport[] = [];
    for (const { n, rate } of storms) {
      const report = await oneStorm(n, rate, options, dynamo.endpoint, progress);
      reports.push(report);
      if (!options.json) process.stdout.write(`${formatStormReport(report)}\n\n`);
    }
    if (options.json) process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : { storms: reports })}\n`);
  } finally {
    clearTimeout(deadline);
    dynamo.stop();
  }
}

/** Parses the command line and runs the benchmark. */
export async function main(argv: string[]): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  await new Command('bench:storm')
    .description('a detachment storm restored by scp-guardian and by the seed baseline, side by side')
    .option('--n <count>', 'protected attachments detached at once (default: the two standard storms, 300 at 30/s and 400 at 4/s)', number('--n', 1, 100000, true))
    .option('--rate <rps>', 'requests per second the local Organizations endpoint allows, per operation', number('--rate', 0.1, 100000))
    .option('--service-error-probability <p>', 'probability of a 503 ServiceException on any request', number('--service-error-probability', 0, 1), 0.05)
    .option('--seed <n>', 'seed of the injected faults', number('--seed', 0, 2 ** 32, true), 1)
    .option('--expected-rate <rps>', "remediation.admission.expectedRate: the AttachPolicy rate the admission starts from (default: the rules' default, 10; the guard is never told R)", number('--expected-rate', 0.05, 1000))
    .option('--no-admission', 'remediation.admission.enabled false: every execution retries on its own timer, as before the admission')
    .option('--json', 'print one JSON object instead of the table')
    .option('--trace <file>', 'write the limited storm\'s trace (every AttachPolicy answer, the schedule every 200 ms, every admission step) to FILE and print it by 10 s window on stderr')
    .option('--timeout <seconds>', 'give up (exit 1) when the run has not finished by then', number('--timeout', 1, 86400), 3600)
    .action(storm)
    .parseAsync(argv);
}

if (require.main === module) {
  main(process.argv).catch((error: unknown) => {
    process.stderr.write(`bench:storm: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}

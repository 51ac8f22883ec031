import { Command, InvalidArgumentError } from 'commander';
import { DynamoDbLocal } from '../local/dynamodb-local';
import { stateRetryBudget } from './retry-budget';
import { runBaseline } from './storm/baseline';
import type { StormLimits } from './storm/figures';
import { runGuardian } from './storm/guardian';
import { formatStormReport, stormReport } from './storm/report';
import { stormScenario } from './storm/scenario';

/**
 * `npm run bench:storm`: N protected attachments detached at once, restored by scp-guardian
 * and, in the same run, by the seed baseline, against the local Organizations endpoint with a
 * rate limit and 503s. Prints a table, or one JSON object with --json.
 */

interface StormOptions {
  n: number;
  rate: number;
  serviceErrorProbability: number;
  seed: number;
  json?: boolean;
  timeout: number;
}

const number = (what: string, min: number, max: number, integer = false) => (text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new InvalidArgumentError(`${what} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
};

async function storm(options: StormOptions): Promise<void> {
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const limits: StormLimits = { rate: options.rate, serviceErrorProbability: options.serviceErrorProbability, seed: options.seed };
  const budget = stateRetryBudget('ReattachPolicy');
  progress(`bench:storm: N=${options.n}, R=${options.rate}/s, ${options.serviceErrorProbability * 100}% 503s, seed ${options.seed}`);

  progress('seed baseline: one AttachPolicy attempt per event, errors swallowed ...');
  const baseline = await runBaseline(stormScenario(options.n), limits);

  progress('scp-guardian: starting DynamoDB Local ...');
  const dynamo = await DynamoDbLocal.start();
  const deadline = setTimeout(() => {
    progress(`bench:storm: scp-guardian did not finish within --timeout ${options.timeout} s; stopping`);
    dynamo.stop();
    process.exit(1);
  }, options.timeout * 1000);
  try {
    // First without limits: it warms DynamoDB Local's JVM and Node's JIT, which would otherwise be
    // measured as the workflow's latency, and shows the local workflow's own pace for N executions.
    progress(`scp-guardian: ${options.n} executions of the real ASL at once, no API limits (local pace) ...`);
    const unlimited = await runGuardian(stormScenario(options.n), {
      floorRate: limits.rate,
      system: 'scp-guardian, no API limits (local pace)',
      dynamoDbEndpoint: dynamo.endpoint,
    });
    progress(`scp-guardian: ${options.n} executions of the real ASL at once, with the limits ...`);
    const guardian = await runGuardian(stormScenario(options.n), { limits, floorRate: limits.rate, system: 'scp-guardian', dynamoDbEndpoint: dynamo.endpoint });
    const report = stormReport(options.n, limits, guardian, unlimited, baseline, budget);
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatStormReport(report)}\n`);
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
    .option('--n <count>', 'protected attachments detached at once', number('--n', 1, 100000, true), 300)
    .option('--rate <rps>', 'requests per second the local Organizations endpoint allows, per operation', number('--rate', 0.1, 100000), 30)
    .option('--service-error-probability <p>', 'probability of a 503 ServiceException on any request', number('--service-error-probability', 0, 1), 0.05)
    .option('--seed <n>', 'seed of the injected faults', number('--seed', 0, 2 ** 32, true), 1)
    .option('--json', 'print one JSON object instead of the table')
    .option('--timeout <seconds>', 'give up (exit 1) when scp-guardian has not finished by then', number('--timeout', 1, 86400), 900)
    .action(storm)
    .parseAsync(argv);
}

if (require.main === module) {
  main(process.argv).catch((error: unknown) => {
    process.stderr.write(`bench:storm: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}

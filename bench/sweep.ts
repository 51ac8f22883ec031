import { Command, InvalidArgumentError } from 'commander';
import { DynamoDbLocal } from '../local/dynamodb/dynamodb-local';
import { sweepSeries } from './sweep/measure';
import { silentDetachments, sweepScenario } from './sweep/organization';
import { formatSweepReport, sweepBenchReport } from './sweep/report';

/**
 * `npm run bench:sweep`: the sweep function's handler, through the local environment, over a
 * generated organization, against the local Organizations endpoint's per-operation rate limit:
 * a first sweep, a steady-state sweep, and a sweep after a few silent detachments. For each,
 * the API calls by operation and the seconds, against the floor (calls ÷ rate) of the same run;
 * the same first and steady-state sweeps with no limit give the local pace. Prints a table, or
 * one JSON object with --json.
 */

interface SweepBenchOptions {
  accounts: number;
  ous: number;
  policies: number;
  rate: number;
  detach: number;
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

async function bench(options: SweepBenchOptions): Promise<void> {
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const scenario = sweepScenario({ accounts: options.accounts, ous: options.ous, policies: options.policies }, options.seed);
  const detach = silentDetachments(scenario, options.detach, options.seed);
  progress(
    `bench:sweep: ${options.accounts} accounts, ${options.ous} OUs, ${options.policies} protected SCPs, ` +
      `${scenario.rules.protect.length} rules, ${scenario.coveredPairs.length} covered attachments; seed ${options.seed}`,
  );
  progress('bench:sweep: starting DynamoDB Local ...');
  const dynamo = await DynamoDbLocal.start();
  const deadline = setTimeout(() => {
    progress(`bench:sweep: did not finish within --timeout ${options.timeout} s; stopping`);
    dynamo.stop();
    process.exit(1);
  }, options.timeout * 1000);
  try {
    // First without a limit: it warms DynamoDB Local's JVM and Node's JIT, and shows what of a
    // sweep's time is not the rate limit's.
    progress('no rate limit (local pace):');
    const localPace = await sweepSeries(scenario, { dynamoDbEndpoint: dynamo.endpoint, progress });
    progress(`${options.rate} requests/s per operation:`);
    const sweeps = await sweepSeries(scenario, { rate: options.rate, dynamoDbEndpoint: dynamo.endpoint, detach, progress });
    const report = sweepBenchReport(scenario, options.rate, options.seed, sweeps, localPace, detach);
    process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : `${formatSweepReport(report)}\n`);
  } finally {
    clearTimeout(deadline);
    dynamo.stop();
  }
}

/** Parses the command line and runs the benchmark. */
export async function main(argv: string[]): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  await new Command('bench:sweep')
    .description('time the sweep of a generated organization against a per-operation rate limit, against the floor calls ÷ rate')
    .option('--accounts <n>', 'accounts in the organization, the management account included', number('--accounts', 2, 100_000, true), 1000)
    .option('--ous <n>', 'OUs, up to three deep under the root', number('--ous', 0, 10_000, true), 200)
    .option('--policies <n>', 'protected SCPs', number('--policies', 1, 10_000, true), 20)
    .option('--rate <rps>', 'requests per second the local Organizations endpoint allows, per operation', number('--rate', 0.1, 100_000), 10)
    .option('--detach <n>', 'covered pairs detached with no event before the third sweep (0: no drift sweep)', number('--detach', 0, 1000, true), 5)
    .option('--seed <n>', 'seed of the generated organization', number('--seed', 0, 2 ** 32, true), 1)
    .option('--json', 'print one JSON object instead of the table')
    .option('--timeout <seconds>', 'give up (exit 1) when the run has not finished by then', number('--timeout', 1, 86_400), 3600)
    .action(bench)
    .parseAsync(argv);
}

if (require.main === module) {
  main(process.argv).catch((error: unknown) => {
    process.stderr.write(`bench:sweep: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}

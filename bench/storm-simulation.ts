import { Command } from 'commander';
import { number, STANDARD_STORMS } from './storm';
import { simulateStorm, type SimulationFigures } from './storm/simulation';

/**
 * `npm run bench:storm-simulation`: the standard storms (or one) in simulated time, on several
 * seeds, through the real admission steps against a model of the workflow (bench/storm/simulation.ts).
 * A design aid that runs in seconds; `npm run bench:storm` measures the real workflow.
 */

const program = new Command('bench:storm-simulation')
  .description('the admission in simulated time: each storm on several seeds against a model of the workflow')
  .option('--n <count>', 'executions (default: the two standard storms)', number('--n', 1, 100000, true))
  .option('--rate <rps>', 'requests per second the token bucket allows', number('--rate', 0.1, 100000))
  .option('--expected-rate <rps>', 'remediation.admission.expectedRate (default: the rules\' default)', number('--expected-rate', 0.05, 1000))
  .option('--seeds <count>', 'seeds 1..count', number('--seeds', 1, 1_000, true), 8)
  .option('--json', 'one JSON object instead of the table');

async function main(): Promise<void> {
  program.parse();
  const options = program.opts<{ n?: number; rate?: number; expectedRate?: number; seeds: number; json?: boolean }>();
  if ((options.n === undefined) !== (options.rate === undefined)) program.error('bench:storm-simulation: give --n and --rate together, or neither');
  const storms = options.n === undefined ? STANDARD_STORMS : [{ n: options.n, rate: options.rate! }];
  const results: { n: number; rate: number; expectedRate?: number; seeds: SimulationFigures[] }[] = [];
  for (const storm of storms) {
    const seeds: SimulationFigures[] = [];
    for (let seed = 1; seed <= options.seeds; seed++) seeds.push(await simulateStorm({ ...storm, expectedRate: options.expectedRate, seed }));
    results.push({ ...storm, ...(options.expectedRate === undefined ? {} : { expectedRate: options.expectedRate }), seeds });
  }
  if (options.json) return void console.log(JSON.stringify({ storms: results }, null, 2));
  for (const { n, rate, seeds } of results) {
    console.log(`N=${n}, R=${rate}/s, expected rate ${options.expectedRate ?? 'default'}, ${seeds.length} seeds (simulated: the model's figures, not the guard's)`);
    console.log('seed  restored  last restored  ÷ N/R  attempts/remediation  throttled  cuts  round pauses  p50 / p95');
    seeds.forEach((f, i) =>
      console.log(
        `${String(i + 1).padStart(4)}  ${String(f.restored).padStart(8)}  ${f.lastRestoredSeconds.toFixed(1).padStart(11)} s  ${f.paceRatio.toFixed(2).padStart(5)}  ${f.attemptsPerRemediation.toFixed(2).padStart(20)}  ${String(f.throttled).padStart(9)}  ${String(f.cuts).padStart(4)}  ${String(f.roundPauses).padStart(12)}  ${f.p50Seconds.toFixed(1)} s / ${f.p95Seconds.toFixed(1)} s`,
      ),
    );
    const ratios = seeds.map((f) => f.paceRatio);
    console.log(`÷ N/R from ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(`bench:storm-simulation: ${(error as Error).message}`);
  process.exitCode = 1;
});

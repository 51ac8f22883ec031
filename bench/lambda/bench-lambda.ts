import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { buildApp, PROJECT_ROOT } from '../../infra/app';

/**
 * `npm run bench:lambda`: each Lambda bundle exactly as `cdk synth` builds it — its size, and
 * how long a fresh Node process takes to load it and have the handler ready (median of several
 * runs), against an empty Node process measured in the same run.
 */

const RUNS = Number(process.env.BENCH_RUNS ?? process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 9);
const JSON_OUTPUT = process.argv.includes('--json');
/**
 * The budget from issue 7: every handler under 100 KB, the two that carry @slack/web-api
 * (slack-interactions and slack-relay) under 500 KB.
 */
const SLACK_BUNDLES: readonly string[] = ['slack-interactions', 'slack-relay'];
const BUDGET_BYTES = (name: string) => (SLACK_BUNDLES.includes(name) ? 500_000 : 100_000);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Wall time of one fresh `node` process that loads `bundle` (or nothing) and exits. */
function processMs(bundle?: string): { wallMs: number; loadMs: number } {
  // The Lambda runtime provides the AWS SDK; NODE_PATH plays that part here.
  const script = bundle === undefined
    ? 'process.stdout.write("0")'
    : `const t=process.hrtime.bigint();const m=require(${JSON.stringify(bundle)});if(typeof m.handler!=='function')throw new Error('no handler');process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH, NODE_PATH: join(PROJECT_ROOT, 'node_modules'), AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`loading ${bundle} failed: ${result.stderr}`);
  return { wallMs, loadMs: Number(result.stdout) };
}

/** `ScpGuardian/Handlers/SlackInteractions` → `slack-interactions`, `ScpGuardian/Sweep/Function` → `sweep`. */
function functionName(constructPath: string): string {
  const segments = constructPath.split('/').slice(1).filter((segment) => segment !== 'Function' && segment !== 'Handlers');
  return segments.map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()).join('/');
}

function main(): void {
  const outdir = mkdtempSync(join(tmpdir(), 'scp-guardian-bench-lambda-'));
  try {
    const context = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
    const { app, stack } = buildApp({ outdir, env: {}, context });
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }> };
    // Every function the stack deploys (the workflow's, Slack's, the sweep, a canary when the rules have one).
    const functions = stack.node
      .findAll()
      .filter((construct): construct is LambdaFunction => construct instanceof LambdaFunction)
      .map((fn) => {
        const resource = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)];
        const asset = join(assembly.directory, `asset.${String(resource.Properties.Code?.S3Key).replace(/\.zip$/, '')}`, 'index.js');
        return { name: functionName(fn.node.path), bundle: asset, bytes: statSync(asset).size, sourceMapBytes: statSync(`${asset}.map`).size };
      });

    processMs(); // the first process of a run pays for cold file caches; it is not the baseline
    const baseline = median(Array.from({ length: RUNS }, () => processMs().wallMs));
    const rows = functions.map((fn) => {
      processMs(fn.bundle); // warm the file cache, not the process
      const samples = Array.from({ length: RUNS }, () => processMs(fn.bundle));
      const wall = median(samples.map((s) => s.wallMs));
      return {
        function: fn.name,
        bytes: fn.bytes,
        budgetBytes: BUDGET_BYTES(fn.name),
        withinBudget: fn.bytes <= BUDGET_BYTES(fn.name),
        loadMs: Number(median(samples.map((s) => s.loadMs)).toFixed(1)),
        processMs: Number(wall.toFixed(1)),
        processVsEmptyNode: Number((wall / baseline).toFixed(2)),
      };
    });
    const result = { runs: RUNS, emptyNodeProcessMs: Number(baseline.toFixed(1)), node: process.version, functions: rows };
    if (JSON_OUTPUT) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
      process.stdout.write(`Lambda bundles (as cdk synth builds them), median of ${RUNS} fresh processes; empty node process: ${result.emptyNodeProcessMs} ms\n\n`);
      process.stdout.write(`${'function'.padEnd(20)}${'size'.padStart(11)}${'budget'.padStart(11)}${'require'.padStart(11)}${'process'.padStart(11)}${'x empty'.padStart(9)}\n`);
      for (const row of rows) {
        process.stdout.write(
          `${row.function.padEnd(20)}${kb(row.bytes).padStart(11)}${`${row.withinBudget ? '' : '> '}${(row.budgetBytes / 1000).toFixed(0)} KB`.padStart(11)}${`${row.loadMs} ms`.padStart(11)}${`${row.processMs} ms`.padStart(11)}${row.processVsEmptyNode.toFixed(2).padStart(9)}\n`,
        );
      }
    }
    const over = rows.filter((row) => !row.withinBudget).map((row) => row.function);
    if (!JSON_OUTPUT) process.stdout.write(over.length === 0 ? '\nevery bundle is within its budget\n' : `\nover budget: ${over.join(', ')}\n`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main();

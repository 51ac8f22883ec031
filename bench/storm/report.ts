import { availableParallelism, loadavg } from 'node:os';
import type { RetryBudget } from '../retry-budget';
import { floorSeconds, type StormFigures, type StormLimits } from './figures';
import type { GuardianStormResult } from './guardian';

/** Everything one `bench:storm` run measured, as `--json` prints it. */
export interface StormReport {
  readonly n: number;
  readonly rate: number;
  readonly serviceErrorProbability: number;
  readonly seed: number;
  readonly floorSeconds: number;
  readonly scpGuardian: GuardianStormResult;
  /** The same storm without any API limit: how fast the local workflow itself goes. */
  readonly scpGuardianUnlimited: GuardianStormResult;
  readonly baseline: StormFigures;
  /** The machine's 1-minute load average when the run ended, and its cores: the figures depend on both. */
  readonly machine: { readonly loadAverage: number; readonly cores: number };
  /** ReattachPolicy's retry budget, read from the ASL that ran. */
  readonly retryBudget: { readonly retries: number; readonly attempts: number; readonly worstCaseDelaySeconds: number };
}

/** The FAILED executions by their error, as " (NoticeNotSent 3, RemediationFailed 1)". */
const failedText = (g: GuardianStormResult) => {
  const entries = Object.entries(g.failedBy).sort(([, a], [, b]) => b - a);
  return entries.length === 0 ? '' : ` (${entries.map(([error, count]) => `${error} ${count}`).join(', ')})`;
};

/** The most retried states, as " (most: ReattachPolicy 900, ConfirmAttachment 40)". */
const retriedText = (g: GuardianStormResult) => (g.mostRetried.length === 0 ? '' : ` (most: ${g.mostRetried.map(({ state, retries }) => `${state} ${retries}`).join(', ')})`);

/** Assembles the report of one run. */
export function stormReport(
  n: number,
  limits: StormLimits,
  guardian: GuardianStormResult,
  unlimited: GuardianStormResult,
  baseline: StormFigures,
  budget: RetryBudget,
): StormReport {
  return {
    n,
    rate: limits.rate,
    serviceErrorProbability: limits.serviceErrorProbability,
    seed: limits.seed,
    floorSeconds: floorSeconds(n, limits.rate),
    scpGuardian: guardian,
    scpGuardianUnlimited: unlimited,
    baseline,
    machine: { loadAverage: Number(loadavg()[0].toFixed(2)), cores: availableParallelism() },
    retryBudget: { retries: budget.retries, attempts: budget.attempts, worstCaseDelaySeconds: budget.worstCaseDelaySeconds },
  };
}

const admissionText = (g: GuardianStormResult) =>
  g.admission.enabled ? `on, started at the expected ${g.admission.expectedRate}/s (maxRate ${g.admission.maxRate}/s), not told R` : 'off (every execution retries on its own timer)';
const onTheWay = (g: GuardianStormResult) =>
  g.beforeFirstAttach === null
    ? 'none attached'
    : `${g.beforeFirstAttach.lambdaInvocations.mean} Lambda invocations (max ${g.beforeFirstAttach.lambdaInvocations.max}), ${g.beforeFirstAttach.stateTransitions.mean} states (max ${g.beforeFirstAttach.stateTransitions.max})`;

const fixed = (value: number | null, digits: number, unit = '') => (value === null ? 'never' : `${value.toFixed(digits)}${unit}`);

/** The report as a table for people. */
export function formatStormReport(report: StormReport): string {
  const { scpGuardian: guardian, baseline, scpGuardianUnlimited: unlimited } = report;
  const row = (figures: StormFigures, lostEvents: string, lostSweep: string, failed: string) => [
    figures.system,
    lostEvents,
    lostSweep,
    failed,
    fixed(figures.lastRestoredSeconds, 1, ' s'),
    fixed(figures.ratioToFloor, 2),
    figures.attemptsPerRemediation.toFixed(2),
    fixed(figures.p50RestoreSeconds, 1, ' s'),
    fixed(figures.p95RestoreSeconds, 1, ' s'),
  ];
  const rows: string[][] = [
    row(guardian, String(guardian.lostAfterEventPath), String(guardian.lostAfterSweep), String(guardian.failedExecutions)),
    row(baseline, String(baseline.lost), 'no sweep', '-'),
    row(unlimited, String(unlimited.lostAfterEventPath), String(unlimited.lostAfterSweep), String(unlimited.failedExecutions)),
  ];
  const header = ['system', 'lost (events)', 'lost (+sweep)', 'FAILED', 'last restored', '÷ N/R', 'attempts/remediation', 'p50', 'p95'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [
    `storm: N=${report.n} protected SCP attachments detached at once; the local Organizations endpoint allows R=${report.rate} requests/s per operation,`,
    `answers ${(report.serviceErrorProbability * 100).toFixed(1)}% of requests with 503, seed ${report.seed}. Floor N/R = ${report.floorSeconds.toFixed(1)} s.`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `scp-guardian: lost (events) counts pairs still detached when every event's execution ended; lost (+sweep) after one sweep and the ${guardian.sweepIncidents} drift incident(s) it opened.`,
    `scp-guardian: ${guardian.failedExecutions} execution(s) FAILED${failedText(guardian)}, ${guardian.retries} Step Functions retries${retriedText(guardian)}; the event path ended after ${guardian.wallSeconds.toFixed(1)} s.`,
    `admission: ${admissionText(guardian)}; ${guardian.throttledAttempts} AttachPolicy attempts throttled (429).`,
    `to the first AttachPolicy, per execution (its own Lambda included): ${onTheWay(guardian)}.`,
    `no API limits: the same ${report.n} executions with no rate limit and no 503s restore everything in ${fixed(unlimited.lastRestoredSeconds, 1, ' s')}: the local workflow's own pace${unlimited.admission.enabled ? `, and the admission's, which never goes above maxRate ${unlimited.admission.maxRate}/s` : ''}.`,
    `seed baseline: ${baseline.lost} of ${report.n} never restored; its time is that of the ${baseline.restored} it restored.`,
    `machine: load average ${report.machine.loadAverage} on ${report.machine.cores} cores (the local workflow shares them with DynamoDB Local).`,
    `ReattachPolicy retry budget (from the ASL): at most ${report.retryBudget.worstCaseDelaySeconds} s of backoff over ${report.retryBudget.retries} retries (${report.retryBudget.attempts} attempts) per round; rounds go on until the remediation deadline.`,
  ].join('\n');
}

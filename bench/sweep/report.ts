import { isTargetRule } from '../../functions/shared/rules/rule-kind';
import { machine, type SweepFigures } from './measure';
import { RuleShape, type CoveredPair, type SweepScenario } from './organization';

/** Everything one `bench:sweep` run measured, as `--json` prints it. */
export interface SweepBenchReport {
  readonly organization: {
    readonly accounts: number;
    readonly ous: number;
    /** OUs at depth 1, 2, 3 under the root. */
    readonly ousByDepth: readonly number[];
    readonly protectedPolicies: number;
    readonly unprotectedPolicies: number;
    readonly rules: number;
    readonly rulesByShape: Readonly<Record<string, number>>;
    /** Attachments a rule covers: what the first sweep should record as desired. */
    readonly coveredPairs: number;
  };
  readonly rate: number;
  readonly seed: number;
  /** The sweeps against the rate limit. */
  readonly sweeps: readonly SweepFigures[];
  /** The same first and steady-state sweeps with no rate limit: the local pace, what is not the limit's. */
  readonly localPace: readonly SweepFigures[];
  readonly detached: readonly CoveredPair[];
  /** The 1-minute load average when the run ended, and the cores. */
  readonly machine: { readonly loadAverage: number; readonly cores: number };
}

function ruleShapeCounts(scenario: SweepScenario): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const rule of scenario.rules.protect) {
    const shape = isTargetRule(rule)
      ? rule.policies === '*' ? RuleShape.TARGET_EVERY_POLICY : RuleShape.TARGET_LISTED
      : rule.targets === '*' ? RuleShape.POLICY_EVERYWHERE : RuleShape.POLICY_LISTED;
    counts[shape] = (counts[shape] ?? 0) + 1;
  }
  return counts;
}

export function sweepBenchReport(scenario: SweepScenario, rate: number, seed: number, sweeps: SweepFigures[], localPace: SweepFigures[], detached: CoveredPair[]): SweepBenchReport {
  return {
    organization: {
      accounts: scenario.organization.accounts.length,
      ous: scenario.organization.organizationalUnits.length,
      ousByDepth: scenario.ousByDepth,
      protectedPolicies: scenario.protectedPolicies.length,
      unprotectedPolicies: scenario.unprotectedPolicies.length,
      rules: scenario.rules.protect.length,
      rulesByShape: ruleShapeCounts(scenario),
      coveredPairs: scenario.coveredPairs.length,
    },
    rate,
    seed,
    sweeps,
    localPace,
    detached,
    machine: machine(),
  };
}

const LABEL = 30;
const WIDTH = 80;

/** Prose broken into lines of at most 80 columns, at spaces. */
function wrap(text: string, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}
const COLUMN = 12;

/** The report as a table for people, 80 columns wide. */
export function formatSweepReport(report: SweepBenchReport): string {
  const { sweeps, organization: org } = report;
  const cell = (values: (string | number | undefined)[]) => values.map((value) => String(value ?? '-').padStart(COLUMN)).join('');
  const row = (label: string, values: (string | number | undefined)[]) => `${label.padEnd(LABEL)}${cell(values)}`;
  const each = (read: (figures: SweepFigures) => string | number | undefined) => sweeps.map(read);
  const fixed = (value: number | undefined, digits: number) => (value === undefined ? undefined : value.toFixed(digits));

  const operations = [...new Set(sweeps.flatMap((figures) => Object.keys(figures.organizations.byOperation)))].sort(
    (a, b) => (sweeps[0].organizations.byOperation[b] ?? 0) - (sweeps[0].organizations.byOperation[a] ?? 0) || a.localeCompare(b),
  );
  const pace = (name: SweepFigures['sweep']) => report.localPace.find((figures) => figures.sweep === name)?.seconds;
  const busiest = [...new Set(sweeps.flatMap((figures) => (figures.floor === null ? [] : [figures.floor.busiestOperation])))].join(', ');
  const drift = sweeps.find((figures) => figures.sweep === 'drift');
  const shapes = Object.entries(org.rulesByShape).map(([shape, n]) => `${n} ${shape}`).join(', ');

  const items = Object.entries(sweeps[0].dynamodb.byType).map(([type, n]) => `${n} ${type}`).join(', ') || 'none';
  const lines = [
    ...wrap(
      `sweep: ${org.accounts} accounts, ${org.ous} OUs (${org.ousByDepth.join(' / ')} at depth 1 / 2 / 3), ${org.protectedPolicies} protected SCPs, ` +
        `${org.unprotectedPolicies} unprotected, FullAWSAccess on every target; ${org.rules} rules (${shapes}) covering ${org.coveredPairs} attachments. ` +
        `${report.rate} requests/s per operation, seed ${report.seed}.`,
    ),
    '',
    row('', sweeps.map((figures) => figures.sweep)),
    row('seconds', each((f) => f.seconds.toFixed(1))),
    row('Organizations calls', each((f) => f.organizations.calls)),
    ...operations.map((operation) => row(`  ${operation}`, each((f) => f.organizations.byOperation[operation] ?? 0))),
    row('requests received', each((f) => `${f.organizations.requests}${f.organizations.requestsCutAtFirstExecution ? '*' : ''}`)),
    row('  of which 429', each((f) => `${f.organizations.throttled}${f.organizations.requestsCutAtFirstExecution ? '*' : ''}`)),
    row('floor, busiest op ÷ rate (s)', each((f) => fixed(f.floor?.busiestSeconds, 1))),
    row('floor, calls ÷ rate (s)', each((f) => fixed(f.floor?.totalSeconds, 1))),
    row('seconds ÷ busiest-op floor', each((f) => fixed(f.ratio?.toBusiest, 2))),
    row('seconds ÷ (calls ÷ rate)', each((f) => fixed(f.ratio?.toTotal, 2))),
    row('LookupEvents, StartExecution', each((f) => `${f.otherCalls.LookupEvents ?? 0}, ${f.otherCalls.StartExecution ?? 0}`)),
    row('DynamoDB items written', each((f) => f.dynamodb.itemsWritten)),
    row('drift found', each((f) => f.drift.found)),
    row('desired pairs after', each((f) => f.desiredPairs)),
    row('seconds, no rate limit', each((f) => fixed(pace(f.sweep), 1))),
    row('load average (1 min)', each((f) => f.machine.loadAverage.toFixed(2))),
    '',
    ...wrap(
      `Busiest operation: ${busiest || '-'}. Each operation has its own bucket of ${Math.max(1, report.rate)} tokens, full at each sweep's start, ` +
        'so a sweep can beat calls ÷ rate by the burst of each operation.',
    ),
    ...(sweeps.some((f) => f.organizations.requestsCutAtFirstExecution)
      ? wrap('* Counted only until the sweep started its first drift execution: the executions call the same endpoint, so later requests are not the sweep\'s alone.')
      : []),
    ...wrap(`Items written by the first sweep: ${items} (${sweeps[0].dynamodb.putRequests} PutItem requests).`),
    ...(drift === undefined
      ? []
      : wrap(
          `Drift: ${drift.drift.detachedSilently} pairs detached with no event; the sweep found ${drift.drift.found} and started ${drift.drift.started} executions, ` +
            `which restored ${drift.drift.restored ?? 0} of them ${drift.drift.restoredAfterSeconds ?? '-'} s after the sweep began.`,
        )),
    `Machine: load average ${report.machine.loadAverage} at the end, on ${report.machine.cores} cores.`,
  ];
  return lines.join('\n');
}

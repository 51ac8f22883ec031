import { humanDuration } from '../functions/shared/duration';
import type { SweepResult } from '../functions/sweep/result';
import type { LocalRunReport } from './runner';

// The run as people read it is the CLI's: cli/local/run-text.ts.

/** One sweep in a line: the desired pairs, what changed, what drifted, what it cost. */
export function sweepLine(result: SweepResult): string {
  const drift = result.drift.length === 0 ? 'no drift' : `${result.drift.length} drift (${result.incidents.length} incident${result.incidents.length === 1 ? '' : 's'} started)`;
  const warned = result.declaredNotAttached.length + result.warnings.length;
  return `${result.desiredPairs} desired pairs, ${result.changes.length} entries recorded, ${drift}${warned > 0 ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}; ${result.calls.total} calls in ${humanDuration(result.seconds)}`;
}

/** The documented JSON document (docs/contracts.md, "`local --json`"), with each incident's extra detail beside it. */
export function toJsonDocument(report: LocalRunReport): Record<string, unknown> {
  return {
    incidents: report.incidents.map(({ record: _record, ...incident }) => incident),
    attachCalls: report.attachCalls,
    organization: report.organization,
    notes: report.notes,
    // The events replayed, and how many were not JSON (each replayed all the same, as INVALID).
    inputs: report.inputs,
    // Each sweep of the run; its drift incidents are in `incidents` like any other.
    sweeps: report.sweeps.map(({ drift, incidents, declaredNotAttached, warnings, desiredPairs, changes, calls, seconds }) => ({
      drift,
      incidents,
      declaredNotAttached,
      warnings,
      desiredPairs,
      changes: changes.length,
      calls,
      seconds,
    })),
  };
}

import type { SweepResult } from '../../functions/sweep/result';
import { CheckGroup, checksOf, type Check } from './check';

const check = checksOf(CheckGroup.DESIRED_STATE);

export const NAMES = {
  DRIFT: 'no drift',
  DECLARED: 'declared pairs attached',
  SWEEP: 'sweep complete',
  WARNING: 'sweep warning',
} as const;

/** The sweep's warnings about what it could not compare end so (functions/sweep/reconcile.ts, sweep.ts). */
const isUncompared = (warning: string) => /\bnot compared$/.test(warning);

/** What starts a drift's remediation, against AWS or against `local --serve` at `url`. */
const reconcileFix = (localUrl?: string) =>
  localUrl === undefined
    ? 'scp-guardian reconcile starts its remediation (--dry-run to look first); the scheduled sweep does it too'
    : `scp-guardian reconcile --local ${localUrl} starts its remediation (--dry-run to look first)`;

/**
 * The desired state against the organization, as a dry-run sweep computed it (the sweep's own code:
 * functions/sweep/sweep.ts): one line per drift no open incident explains ("no drift" passes only
 * when the sweep completed and compared everything), one per pair a rule
 * names that was never seen attached, one per error that left the sweep incomplete, one per
 * warning (save those about ids the rules checks already found missing). `localUrl`: the
 * `local --serve` it came from, for the fix.
 */
export function desiredStateChecks(result: SweepResult, alreadyMissing: ReadonlySet<string> = new Set(), localUrl?: string): Check[] {
  const checks: Check[] = [];
  for (const drift of result.drift) {
    const what = drift.driftOf === undefined ? `${drift.policyId} on ${drift.targetId}: desired, not attached, no open incident` : drift.reason;
    checks.push(check.fail(NAMES.DRIFT, `${what} (${drift.incidentId})`, reconcileFix(localUrl)));
  }
  const uncompared = result.warnings.filter(isUncompared);
  if (result.drift.length === 0 && (result.errors.length > 0 || uncompared.length > 0)) {
    const why = [
      result.errors.length > 0 ? `the sweep is incomplete (${result.errors.length} ${result.errors.length === 1 ? 'error' : 'errors'}, below)` : undefined,
      uncompared.length > 0 ? `${uncompared.length} ${uncompared.length === 1 ? 'warning says' : 'warnings say'} "not compared" (below)` : undefined,
    ].filter(Boolean).join('; ');
    checks.push(check.fail(NAMES.DRIFT, `drift cannot be known: ${why}`, 'fix what the lines below name, then run doctor again'));
  } else if (result.drift.length === 0) {
    const pairs = `${result.desiredPairs} desired ${result.desiredPairs === 1 ? 'pair' : 'pairs'}`;
    const explained = result.explained.length;
    checks.push(check.ok(NAMES.DRIFT, explained === 0 ? `${pairs}, all attached` : `${pairs}; ${explained} missing, each with an open incident restoring it`));
  }
  for (const pair of result.declaredNotAttached) {
    checks.push(
      check.warn(
        NAMES.DECLARED,
        `${pair.policyId} on ${pair.targetId}: protect[${pair.rule}] names it, never seen attached, so never attached by the guard`,
        `attach it once (the guard keeps it from then on), or remove it from protect[${pair.rule}]`,
      ),
    );
  }
  if (result.declaredNotAttached.length === 0) checks.push(check.ok(NAMES.DECLARED, 'every pair the rules name was seen attached'));
  for (const error of result.errors) checks.push(check.fail(NAMES.SWEEP, error, 'fix what the message names; the drift above may be incomplete'));
  const mentionsMissing = (warning: string) => [...alreadyMissing].some((id) => warning.startsWith(`${id} `) || warning.startsWith(`${id}:`));
  for (const warning of result.warnings.filter((warning) => !mentionsMissing(warning))) checks.push(check.warn(NAMES.WARNING, warning, 'scp-guardian reconcile --dry-run shows the sweep\'s view'));
  return checks;
}

/** The desired state could not be compared: one line saying why. */
export const desiredStateFailed = (detail: string, fix: string): Check[] => [check.fail(NAMES.DRIFT, detail, fix)];

/** The organization could not be read, so there is nothing to compare. */
export const desiredStateSkipped = (why: string): Check[] => [check.skip(NAMES.DRIFT, why), check.skip(NAMES.DECLARED, why)];

import { loadDefinition } from '../local/workflow/local-workflow';

/** A Retry entry of an ASL Task state. */
export interface RetrierDefinition {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
}

/** What one retrier may spend before it gives up. */
export interface RetrierBudget {
  readonly errors: readonly string[];
  readonly retries: number;
  /** The sum of its capped delays: what full jitter waits at most. */
  readonly worstCaseDelaySeconds: number;
}

/** What a state's retriers may spend, together, before its Catch sends the incident to FAILED. */
export interface RetryBudget {
  readonly retriers: readonly RetrierBudget[];
  readonly retries: number;
  /** Attempts in all: the first one and every retry. */
  readonly attempts: number;
  readonly worstCaseDelaySeconds: number;
}

/** Step Functions' defaults for a retrier's missing fields. */
const RETRIER_DEFAULTS = { IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 } as const;

/**
 * The delay before each retry with the jitter at its largest:
 * min(MaxDelaySeconds, IntervalSeconds × BackoffRate^k) for k = 0 .. MaxAttempts-1.
 */
export function cappedDelays(retrier: RetrierDefinition): number[] {
  const interval = retrier.IntervalSeconds ?? RETRIER_DEFAULTS.IntervalSeconds;
  const rate = retrier.BackoffRate ?? RETRIER_DEFAULTS.BackoffRate;
  const cap = retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY;
  return Array.from({ length: retrier.MaxAttempts ?? RETRIER_DEFAULTS.MaxAttempts }, (_, k) => Math.min(cap, interval * rate ** k));
}

/**
 * Each retrier keeps its own count, so the worst case is every retrier used up before the last
 * error goes to Catch: the sum of all capped delays, and one attempt more than all retries.
 */
export function retryBudget(retriers: readonly RetrierDefinition[]): RetryBudget {
  const budgets = retriers.map((retrier) => {
    const delays = cappedDelays(retrier);
    return { errors: retrier.ErrorEquals, retries: delays.length, worstCaseDelaySeconds: delays.reduce((sum, d) => sum + d, 0) };
  });
  const retries = budgets.reduce((sum, b) => sum + b.retries, 0);
  return { retriers: budgets, retries, attempts: retries + 1, worstCaseDelaySeconds: budgets.reduce((sum, b) => sum + b.worstCaseDelaySeconds, 0) };
}

type StateLike = { Type: string; Retry?: RetrierDefinition[]; Branches?: { States: Record<string, StateLike> }[] };

function findState(states: Record<string, StateLike>, name: string): StateLike | undefined {
  for (const [stateName, state] of Object.entries(states)) {
    if (stateName === name) return state;
    for (const branch of state.Branches ?? []) {
      const found = findState(branch.States, name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/** The retry budget of a Task state of statemachine/remediation.asl.json. */
export function stateRetryBudget(stateName = 'ReattachPolicy', root?: string): RetryBudget {
  const { definition } = loadDefinition(root);
  const state = findState((definition as { States: Record<string, StateLike> }).States, stateName);
  if (state === undefined) throw new Error(`no state ${stateName} in the ASL`);
  return retryBudget(state.Retry ?? []);
}

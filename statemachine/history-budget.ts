import { MAX_CHECKS_PER_ROUND } from '../functions/admit/admit';
import { retryBudget, type RetrierDefinition } from '../bench/retry-budget';

/**
 * The execution history of a STANDARD workflow, counted as Step Functions counts it. An execution
 * is limited to 25,000 history events: past them it fails, whatever it was doing, so a remediation
 * that retries until a long deadline must fit. The local runner counts its executions with these
 * figures (ExecutionRecord.historyEvents), and test/unit/statemachine/history-budget.test.ts checks that
 * the longest deadline the rules allow fits under a persisting throttle.
 */
export const HISTORY_EVENT_LIMIT = 25_000;

export type StateDefinition = {
  Type: string;
  Resource?: string;
  Retry?: RetrierDefinition[];
  Choices?: Record<string, unknown>[];
  Branches?: { States: Record<string, StateDefinition> }[];
};

/** ExecutionStarted and ExecutionSucceeded (or Failed). */
const EXECUTION_EVENTS = 2;
/** Each retry of a Task: Scheduled, Started, Failed once more. */
export const EVENTS_PER_RETRY = 3;

/**
 * The events one entry of a state writes: a Task its Entered, Scheduled, Started, Succeeded (or
 * Failed) and Exited, a callback Task also Submitted; a Parallel its Entered, Started, Succeeded
 * and Exited (its branches' states count on their own); every other state Entered and Exited.
 */
export function eventsPerEntry(state: StateDefinition): number {
  if (state.Type === 'Task') return state.Resource?.endsWith('.waitForTaskToken') === true ? 6 : 5;
  if (state.Type === 'Parallel') return 4;
  return 2;
}

/** Every state by name, Parallel branches included. */
export function statesByName(definition: { States: Record<string, StateDefinition> }): Map<string, StateDefinition> {
  const into = new Map<string, StateDefinition>();
  const walk = (states: Record<string, StateDefinition>) => {
    for (const [name, state] of Object.entries(states)) {
      into.set(name, state);
      for (const branch of state.Branches ?? []) walk(branch.States);
    }
  };
  walk(definition.States);
  return into;
}

/** The history events of a run: the states it entered, in order, and its retries. */
export function historyEvents(states: Map<string, StateDefinition>, statesEntered: readonly string[], retries: number): number {
  return EXECUTION_EVENTS + statesEntered.reduce((sum, name) => sum + eventsPerEntry(states.get(name) ?? { Type: 'Pass' }), 0) + retries * EVENTS_PER_RETRY;
}

/** The readmissions a round allows (IsReadmissionDue ends the round at this many). */
export function readmissionLimit(states: Map<string, StateDefinition>): number {
  const rule = JSON.stringify(states.get('IsReadmissionDue')?.Choices ?? []);
  const limit = /"NumericGreaterThanEquals":(\d+)/.exec(rule)?.[1];
  if (limit === undefined) throw new Error('IsReadmissionDue names no readmission limit');
  return Number(limit);
}

/**
 * The most events one round of retries writes while every AttachPolicy is throttled (the worse of
 * the two ways through it):
 * - admitted: the round's admission, then each readmission's attempt, report and new slot, the
 *   attempt that ends the round, and at most MAX_CHECKS_PER_ROUND naps with their checks, plus
 *   one for each admission after them (it sleeps until its slot, and its check admits it);
 * - unadmitted (the admission store down): ReattachUnadmitted with every throttle retry used.
 * Both end with the note, the limit check and the pause.
 */
export function roundEventsUnderThrottle(states: Map<string, StateDefinition>): number {
  const entries = (...names: string[]) => names.reduce((sum, name) => {
    const state = states.get(name);
    if (state === undefined) throw new Error(`no state ${name} in the ASL`);
    return sum + eventsPerEntry(state);
  }, 0);
  const throttleRetries = (name: string) => {
    const retriers = (states.get(name)?.Retry ?? []).filter((retrier) => retrier.ErrorEquals.includes('Organizations.TooManyRequestsException'));
    return retryBudget(retriers).retries;
  };
  const opening = entries('ChooseRestore', 'IsAdmissionHeld', 'AdmitAttachment', 'IsAdmitted');
  const closing = entries('IsReadmissionDue', 'NoteRetryRound', 'IsPastTheRoundLimit', 'PauseAMinute', 'WaitBeforeRetrying');
  const readmissions = readmissionLimit(states);
  const attempt = entries('ReattachPolicy', 'IsReadmissionDue', 'ReadmitAttachment', 'IsAdmitted');
  const firstAttempt = entries('AttachPolicy', 'NoteFirstAttemptError', 'WasFirstAttemptThrottled') - entries('ReattachPolicy');
  const nap = entries('WaitForSlot', 'CheckAdmission', 'IsAdmitted');
  // The round's reads of the schedule, and past them one nap per admission that goes at its slot unasked.
  const naps = MAX_CHECKS_PER_ROUND + readmissions + 1;
  const admitted = opening + Math.max(0, firstAttempt) + readmissions * attempt + entries('ReattachPolicy') + naps * nap + closing;
  const unadmitted = opening + entries('ReattachUnadmitted') + throttleRetries('ReattachUnadmitted') * EVENTS_PER_RETRY + closing;
  return Math.max(admitted, unadmitted);
}

/**
 * Everything outside the rounds, as an upper bound: every state of the ASL entered once with
 * every one of its retries used.
 */
export function eventsOutsideRounds(states: Map<string, StateDefinition>): number {
  let sum = EXECUTION_EVENTS;
  for (const state of states.values()) sum += eventsPerEntry(state) + retryBudget(state.Retry ?? []).retries * EVENTS_PER_RETRY;
  return sum;
}

import { AdmissionUnavailableError, ErrorName } from '../shared/errors';
import type { Incident } from '../shared/incident';
import { remediationDeadline, type RemediationRequest } from '../shared/remediation-deadline';
import type { AdmissionStore, Ticket } from './admission-store';
import { rateAt, type AdmissionSettings } from './schedule';

/**
 * What the workflow keeps in `$.admission`: the ticket, and either `admitted` (go now) or
 * `waitUntil` (the Wait state's TimestampPath), then ask again.
 */
export interface Admission {
  ticket: number;
  admitted: boolean;
  /** ISO time to wait until before asking again (only when not admitted). */
  waitUntil?: string;
  /** When the ticket is due, epoch milliseconds, under the schedule last read. */
  dueAt: number;
  /** When the admission said go, and the schedule's rate then: a throttle of this attempt reports both. */
  admittedAt?: number;
  admittedRate?: number;
  /** Tickets taken again in this round after a throttle (the ASL ends the round at a limit). */
  readmissions: number;
  /** CheckAdmission steps in this round (absent: none): past MAX_CHECKS_PER_ROUND the attempt is admitted. */
  checks?: number;
  /** Whether this ticket's throttle cut the shared rate (for the report). */
  cut?: boolean;
}

/**
 * What the ASL passes besides the phase: the execution's start and the decision (as to
 * ReattachPolicy), from which the remediation deadline is counted (shared/remediation-deadline.ts).
 */
export type AdmitContext = Pick<RemediationRequest, 'startedAt' | 'decision'> & { incident?: Partial<Pick<Incident, 'approval'>> };

/** AdmitAttachment and classify (`take`), CheckAdmission (`check`) and ReadmitAttachment (`readmit`, after a throttled attempt). */
export type AdmitInput = AdmitContext &
  ({ phase: 'take' } | { phase: 'check'; admission: Admission } | { phase: 'readmit'; admission: Admission; error?: string });

export interface AdmitDependencies {
  /** The schedule's store: DynamoDB in the function (admission-store.ts), in memory in the storm simulation. */
  store: Pick<AdmissionStore, 'take' | 'due' | 'reportThrottle'>;
  settings: AdmissionSettings;
  /** The remediation deadline (rules: remediation.deadlineMinutes); without it only `maxWaitMs` bounds a wait. */
  deadlineSeconds?: number;
  /** A slot further ahead than this is not waited for (MAX_WAIT_MS by default). */
  maxWaitMs?: number;
  clock?: () => number;
  /** How CheckAdmission sleeps the rest of a second before the slot (tests pass one that moves their clock). */
  sleep?: (ms: number) => Promise<void>;
  /** Where a check that went on without the store says so. */
  warn?: (message: string) => void;
}

/**
 * CheckAdmission reads of the schedule one round of retries makes at most. Past them a waiting
 * execution no longer asks whether a cut pushed its slot: it goes at the slot it was last given
 * (the check that follows each nap sleeps the rest of the second and admits), so a round's
 * history events stay bounded however often cuts come (statemachine/history-budget.ts counts
 * them), without an attempt going before its slot.
 */
export const MAX_CHECKS_PER_ROUND = 20;

/** A ticket due within this much is admitted now (the Wait state and the call add more than that). */
const EARLY_MS = 25;

/**
 * No slot further ahead than this is waited for: the attempt is admitted now (act first), and a
 * throttle then goes to the readmissions and the rounds, which the deadline ends.
 */
export const MAX_WAIT_MS = 5 * 60_000;

/**
 * A Wait on a TimestampPath drops the milliseconds, so naps that ended on the slot's whole second
 * sent every ticket of a second in one burst, which a token bucket only takes when it is full.
 * Instead a nap ends on the whole second at or before the slot, and CheckAdmission sleeps the
 * rest (under a second, well inside the function's timeout) and goes at the slot itself: the
 * attempts of a second are spaced as the schedule spaces them. Slots only move later (a cut
 * re-spaces the schedule slower from now; schedule.ts), so a ticket that wakes before its slot is
 * never late, and one check per nap is all a waiting execution costs.
 */
const wholeSecondBefore = (ms: number) => Math.floor(ms / 1000) * 1000;

/** The longest CheckAdmission sleeps in its own step before the slot (the rest of a second). */
export const SLEEP_IN_STEP_MS = 1_000;

/** The schedule's rate at the ticket: a throttle of its attempt cuts from no more than this. */
const rateOf = (ticket: Ticket, settings: AdmissionSettings) => rateAt(ticket.schedule, settings, ticket.ticket - ticket.schedule.baseTicket);

// A ref'd timer: in Lambda nothing else may hold the event loop open while the check sleeps, and
// a loop with nothing to do ends the invocation without the handler's answer.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function answer(ticket: Ticket, nowMs: number, settings: AdmissionSettings, round: Pick<Admission, 'readmissions' | 'checks'>, latestMs: number): Admission {
  const counts = { readmissions: round.readmissions, ...(round.checks === undefined ? {} : { checks: round.checks }) };
  if (ticket.dueAt <= nowMs + EARLY_MS || ticket.dueAt > latestMs) {
    return { ticket: ticket.ticket, admitted: true, dueAt: ticket.dueAt, admittedAt: nowMs, admittedRate: rateOf(ticket, settings), ...counts };
  }
  const waitUntil = wholeSecondBefore(ticket.dueAt);
  return { ticket: ticket.ticket, admitted: false, waitUntil: new Date(waitUntil).toISOString(), dueAt: ticket.dueAt, ...counts };
}

/**
 * The latest slot this execution waits for: `maxWaitMs` from now, and a whole second before the
 * remediation deadline (a margin for the Wait state and the call).
 */
function latestSlot(input: AdmitInput, deps: AdmitDependencies, nowMs: number): number {
  const bound = nowMs + (deps.maxWaitMs ?? MAX_WAIT_MS);
  if (deps.deadlineSeconds === undefined) return bound;
  const deadline = remediationDeadline({ approval: input.incident?.approval }, input, deps.deadlineSeconds);
  return deadline === undefined ? bound : Math.min(bound, deadline - 1000);
}

/** Sleeps in the step until the admission's slot (under a second away) and admits it then. */
async function admittedAtSlot(admission: Admission, deps: AdmitDependencies, now: () => number, admittedRate?: number): Promise<Admission> {
  const early = admission.dueAt - now();
  if (early > 0) await (deps.sleep ?? sleep)(Math.min(early, SLEEP_IN_STEP_MS));
  const { waitUntil: _nap, ...held } = admission;
  return { ...held, admitted: true, admittedAt: now(), ...(admittedRate === undefined ? {} : { admittedRate }) };
}

/**
 * One step of the admission. Store failures are thrown (AdmissionUnavailableError): the ASL
 * catches them and reattaches without a slot, so the store is never a point whose failure stops
 * a remediation.
 */
export async function admit(input: AdmitInput, deps: AdmitDependencies): Promise<Admission> {
  const now = deps.clock ?? (() => Date.now());
  const respond = (ticket: Ticket, round: Pick<Admission, 'readmissions' | 'checks'>) => {
    const nowMs = now();
    return answer(ticket, nowMs, deps.settings, round, latestSlot(input, deps, nowMs));
  };
  if (input.phase === 'take') return respond(await deps.store.take(now()), { readmissions: 0 });
  if (input.phase === 'check') {
    const checks = input.admission.checks ?? 0;
    // The round's reads are spent: this execution goes at the slot it was last given.
    if (checks >= MAX_CHECKS_PER_ROUND) return admittedAtSlot(input.admission, deps, now);
    let ticket: Ticket;
    try {
      ticket = await deps.store.due(input.admission.ticket, now());
    } catch (error) {
      if (!(error instanceof AdmissionUnavailableError)) throw error;
      // The store cannot say whether a cut moved the slot: the slot held is used, at the slot
      // itself (the nap ended on the whole second before it), never earlier.
      deps.warn?.(`admission check failed, the slot held is used: ${error.message}`);
      return admittedAtSlot({ ...input.admission, checks: checks + 1 }, deps, now);
    }
    const answered = respond(ticket, { readmissions: input.admission.readmissions, checks: checks + 1 });
    if (answered.admitted || answered.dueAt - now() > SLEEP_IN_STEP_MS) return answered;
    return admittedAtSlot(answered, deps, now, rateOf(ticket, deps.settings));
  }
  let cut = false;
  const { admittedAt, admittedRate } = input.admission;
  if (input.error === ErrorName.ORG_THROTTLED && admittedAt !== undefined) {
    cut = await deps.store.reportThrottle(now(), admittedAt, admittedRate ?? deps.settings.maxRate);
  }
  return { ...respond(await deps.store.take(now()), { readmissions: input.admission.readmissions + 1, checks: input.admission.checks }), cut };
}

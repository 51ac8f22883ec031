import { ErrorName } from '../shared/errors';
import type { AdmissionStore, Ticket } from './admission-store';
import { napUntil, rateAt, type AdmissionSettings } from './schedule';

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
  /** Whether this ticket's throttle cut the shared rate (for the report). */
  cut?: boolean;
}

/** AdmitAttachment (`take`), CheckAdmission (`check`) and ReadmitAttachment (`readmit`, after a throttled attempt). */
export type AdmitInput =
  | { phase: 'take' }
  | { phase: 'check'; admission: Admission }
  | { phase: 'readmit'; admission: Admission; error?: string };

export interface AdmitDependencies {
  store: AdmissionStore;
  settings: AdmissionSettings;
  clock?: () => number;
}

/** A ticket due within this much is admitted now (the Wait state and the call add more than that). */
const EARLY_MS = 25;

function answer(ticket: Ticket, nowMs: number, settings: AdmissionSettings, readmissions: number): Admission {
  if (ticket.dueAt <= nowMs + EARLY_MS) {
    const admittedRate = rateAt(ticket.schedule, settings, ticket.ticket - ticket.schedule.baseTicket);
    return { ticket: ticket.ticket, admitted: true, dueAt: ticket.dueAt, admittedAt: nowMs, admittedRate, readmissions };
  }
  return { ticket: ticket.ticket, admitted: false, waitUntil: new Date(napUntil(nowMs, ticket.dueAt)).toISOString(), dueAt: ticket.dueAt, readmissions };
}

/**
 * One step of the admission. Store failures are thrown (AdmissionUnavailableError): the ASL
 * catches them and reattaches without a slot, so the store is never a point whose failure stops
 * a remediation.
 */
export async function admit(input: AdmitInput, deps: AdmitDependencies): Promise<Admission> {
  const now = deps.clock ?? (() => Date.now());
  if (input.phase === 'take') return answer(await deps.store.take(now()), now(), deps.settings, 0);
  if (input.phase === 'check') return answer(await deps.store.due(input.admission.ticket, now()), now(), deps.settings, input.admission.readmissions);
  let cut = false;
  const { admittedAt, admittedRate } = input.admission;
  if (input.error === ErrorName.ORG_THROTTLED && admittedAt !== undefined) {
    cut = await deps.store.reportThrottle(now(), admittedAt, admittedRate ?? deps.settings.maxRate);
  }
  return { ...answer(await deps.store.take(now()), now(), deps.settings, input.admission.readmissions + 1), cut };
}

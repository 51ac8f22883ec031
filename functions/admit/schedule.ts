/**
 * The admission schedule of one write operation, as pure arithmetic (docs/performance.md).
 *
 * Executions take numbered tickets; ticket k is due at a time the schedule gives, the same for
 * every execution that reads it. The schedule is a curve from a base (ticket `baseTicket` is due
 * at `baseAt`, at `baseRate` requests per second) along which the rate grows by a fixed fraction
 * per ticket (fast while `probing` for the limit, slowly after the first throttle), up to
 * `maxRate`. A throttle rebases the curve at "now" with the rate cut (multiplicative decrease),
 * which re-spaces every ticket not yet due, whoever holds it. Growth is per ticket, not per
 * second, so an idle schedule never grows.
 */

/** What the rules set (remediation.admission) and the constants of the curve. */
export interface AdmissionSettings {
  /** Requests per second the schedule starts at. */
  readonly expectedRate: number;
  readonly maxRate: number;
  readonly minRate: number;
  /** Fraction of the rate kept on a throttle. */
  readonly decrease: number;
  /** Growth of the rate per ticket before the first throttle (finding the limit). */
  readonly probingGrowth: number;
  /** Growth of the rate per ticket after a throttle (staying just under it). */
  readonly steadyGrowth: number;
  /** A last ticket due longer ago than this means the schedule was idle: it restarts at now. */
  readonly idleToleranceMs: number;
  /** No ticket taken for this long: the next one starts a new storm, from at least the expected rate. */
  readonly newStormAfterMs: number;
  /** A throttle cuts again this long after the last cut even if its attempt was admitted before it (the overload persists). */
  readonly recutAfterMs: number;
}

/**
 * Figures chosen with a simulation of the two standard storms against a token bucket
 * (docs/performance.md): a cut to 70 % and 1.5 % growth per ticket after it gives a cycle of
 * about 20 tickets between throttles, so about one throttled attempt per 20 successes.
 */
export const CURVE = { decrease: 0.7, probingGrowth: 0.04, steadyGrowth: 0.015, idleToleranceMs: 1_000, newStormAfterMs: 60_000, recutAfterMs: 2_000 } as const;

/** The settings for the rules' `remediation.admission`. */
export function admissionSettings(rules: { expectedRate: number; maxRate?: number; minRate: number }): AdmissionSettings {
  return { ...CURVE, expectedRate: rules.expectedRate, maxRate: rules.maxRate ?? rules.expectedRate * 4, minRate: rules.minRate };
}

/** The shared state, as the admission item holds it. */
export interface Schedule {
  /** The last ticket handed out. */
  readonly ticket: number;
  readonly baseTicket: number;
  /** Epoch milliseconds at which `baseTicket` is due. */
  readonly baseAt: number;
  readonly baseRate: number;
  /** No throttle seen yet: the rate grows fast. */
  readonly probing: boolean;
  /** Epoch milliseconds of the last cut: attempts admitted before it do not cut again. */
  readonly cutAt: number;
  /** Bumped on every rebase (optimistic locking). */
  readonly version: number;
}

function curve(schedule: Schedule, settings: AdmissionSettings) {
  const lambda = Math.log(1 + (schedule.probing ? settings.probingGrowth : settings.steadyGrowth));
  const r0 = Math.min(schedule.baseRate, settings.maxRate);
  // Tickets after the base at which the rate reaches the ceiling, and the seconds until then.
  const toCeiling = r0 < settings.maxRate ? Math.log(settings.maxRate / r0) / lambda : 0;
  const secondsToCeiling = (1 - Math.exp(-lambda * toCeiling)) / (lambda * r0);
  return { lambda, r0, toCeiling, secondsToCeiling };
}

/** Seconds after `baseAt` at which position n (tickets after the base, may be fractional or negative) is due. */
export function secondsAt(schedule: Schedule, settings: AdmissionSettings, n: number): number {
  const { lambda, r0, toCeiling, secondsToCeiling } = curve(schedule, settings);
  if (n <= 0) return n / r0;
  if (n <= toCeiling) return (1 - Math.exp(-lambda * n)) / (lambda * r0);
  return secondsToCeiling + (n - toCeiling) / settings.maxRate;
}

/** The position (tickets after the base) due `seconds` after `baseAt`: the inverse of secondsAt. */
export function positionAt(schedule: Schedule, settings: AdmissionSettings, seconds: number): number {
  const { lambda, r0, toCeiling, secondsToCeiling } = curve(schedule, settings);
  if (seconds <= 0) return seconds * r0;
  if (seconds <= secondsToCeiling) return -Math.log(1 - lambda * r0 * seconds) / lambda;
  return toCeiling + (seconds - secondsToCeiling) * settings.maxRate;
}

/** The rate at position n. */
export function rateAt(schedule: Schedule, settings: AdmissionSettings, n: number): number {
  const { lambda, r0 } = curve(schedule, settings);
  return Math.min(settings.maxRate, r0 * Math.exp(lambda * Math.max(0, n)));
}

/** Epoch milliseconds at which ticket k is due. */
export function dueAt(schedule: Schedule, settings: AdmissionSettings, ticket: number): number {
  return schedule.baseAt + 1000 * secondsAt(schedule, settings, ticket - schedule.baseTicket);
}

/** A fresh schedule whose first ticket is due now. */
export function initialSchedule(settings: AdmissionSettings, nowMs: number): Omit<Schedule, 'ticket'> {
  return { baseTicket: 1, baseAt: nowMs, baseRate: settings.expectedRate, probing: true, cutAt: 0, version: 1 };
}

/**
 * The schedule was behind when ticket k was taken (nobody was waiting): the base moves to k, due
 * now, at the rate reached. After `newStormAfterMs` without any ticket, a rate cut below the
 * expected rate (by the last storm, or by someone else hammering the API then) is not carried
 * into the new storm, which finds the limit again from the expected rate, probing; a rate
 * learned above it is kept. Within a storm (a short gap) the rate learned is kept as it is.
 */
export function restartAt(
  schedule: Schedule,
  settings: AdmissionSettings,
  ticket: number,
  nowMs: number,
  idleMs: number,
): Pick<Schedule, 'baseTicket' | 'baseAt' | 'baseRate' | 'probing'> {
  const reached = Math.min(settings.maxRate, rateAt(schedule, settings, ticket - schedule.baseTicket));
  if (idleMs >= settings.newStormAfterMs && reached < settings.expectedRate) return { baseTicket: ticket, baseAt: nowMs, baseRate: settings.expectedRate, probing: true };
  return { baseTicket: ticket, baseAt: nowMs, baseRate: reached, probing: schedule.probing };
}

/**
 * A throttle at `nowMs` of an attempt admitted at `admittedRate`: the base moves to the position
 * due now, with the rate cut from the lower of the two (the schedule may have grown past what the
 * throttled attempt met). Undefined when the attempt was admitted before the last cut, less than
 * `recutAfterMs` ago: one overload is answered by one cut, not by one per request it throttled,
 * and an overload that persists is cut again.
 */
export function cutAt(
  schedule: Schedule,
  settings: AdmissionSettings,
  nowMs: number,
  admittedAtMs: number,
  admittedRate: number,
): Pick<Schedule, 'baseTicket' | 'baseAt' | 'baseRate' | 'probing' | 'cutAt'> | undefined {
  if (admittedAtMs <= schedule.cutAt && nowMs - schedule.cutAt < settings.recutAfterMs) return undefined;
  const n = positionAt(schedule, settings, (nowMs - schedule.baseAt) / 1000);
  const rate = Math.min(rateAt(schedule, settings, n), admittedRate);
  return { baseTicket: schedule.baseTicket + n, baseAt: nowMs, baseRate: Math.max(settings.minRate, settings.decrease * rate), probing: false, cutAt: nowMs };
}

/**
 * The admission schedule of one write operation, as pure arithmetic (docs/performance.md).
 *
 * Executions take numbered tickets; ticket k is due at a time the schedule gives, the same for
 * every execution that reads it. The schedule is a curve from a base (ticket `baseTicket` is due
 * at `baseAt`, at `baseRate` requests per second) along which the rate grows by a fixed fraction
 * per ticket (fast while `probing` for the limit, slowly after the first throttle), by no more
 * than a fixed fraction per second at high rates, up to `maxRate`. A throttle rebases the curve
 * at "now" with the rate cut (multiplicative decrease, once per overload), which re-spaces every
 * ticket not yet due, whoever holds it. Growth is per ticket, so an idle schedule never grows.
 */

/** What the rules set (remediation.admission) and the constants of the curve. */
export interface AdmissionSettings {
  /** Requests per second the schedule starts at. */
  readonly expectedRate: number;
  readonly maxRate: number;
  readonly minRate: number;
  /** Fraction of the rate kept on a throttle. */
  readonly decrease: number;
  /** Fraction kept on the first throttle, which ends the probing (its overshoot is larger). */
  readonly probingDecrease: number;
  /** Growth of the rate per ticket before the first throttle (finding the limit). */
  readonly probingGrowth: number;
  /** Growth of the rate per ticket after a throttle (staying just under it). */
  readonly steadyGrowth: number;
  /** At most this growth of the rate per second before the first throttle (a doubling). */
  readonly probingGrowthPerSecond: number;
  /** At most this growth of the rate per second after a throttle. */
  readonly steadyGrowthPerSecond: number;
  /** A last ticket due longer ago than this means the schedule was idle: it restarts at now. */
  readonly idleToleranceMs: number;
  /** No ticket taken for this long: the next one starts a new storm, from at least the expected rate. */
  readonly newStormAfterMs: number;
  /** Tickets at the new rate an overload is waited out for before a throttle may cut again, and the longest wait (see cutAt). */
  readonly settleTickets: number;
  readonly maxSettleMs: number;
}

/**
 * Figures chosen with a simulation of the two standard storms against a token bucket
 * (docs/performance.md): a cut to 80 % and 1.5 % growth per ticket after it gives a cycle of
 * about 15 tickets between throttles at a low limit; above 12 requests a second the growth per
 * second (20 %) bounds it instead, so a schedule that runs ahead of its executions cannot race
 * to the ceiling.
 */
export const CURVE = {
  decrease: 0.8,
  probingDecrease: 0.5,
  probingGrowth: 0.04,
  steadyGrowth: 0.015,
  probingGrowthPerSecond: 1,
  steadyGrowthPerSecond: 0.2,
  idleToleranceMs: 1_000,
  newStormAfterMs: 60_000,
  settleTickets: 4,
  maxSettleMs: 5_000,
} as const;

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
  /** Epoch milliseconds of the last cut. */
  readonly cutAt: number;
  /** Attempts admitted before this (epoch milliseconds) were sent into the last overload: their throttles do not cut again. */
  readonly settleUntil: number;
  /** Bumped on every rebase (optimistic locking). */
  readonly version: number;
}

/**
 * The curve from the base: the rate r along the positions n grows as dr/dn = min(λ·r, μ), so by
 * a fixed fraction λ per ticket while that is less than μ per second (dr/dt = r·dr/dn ≤ μ·r), and
 * by at most μ per second above r* = μ/λ, up to maxRate. Three pieces: per ticket (P) from r0 to
 * r*, per second (S) from r* to the ceiling, flat (C) at the ceiling; each piece's tickets and
 * seconds.
 */
function curve(schedule: Pick<Schedule, 'baseRate' | 'probing'>, settings: AdmissionSettings) {
  const lambda = Math.log(1 + (schedule.probing ? settings.probingGrowth : settings.steadyGrowth));
  const mu = Math.log(1 + (schedule.probing ? settings.probingGrowthPerSecond : settings.steadyGrowthPerSecond));
  const ceiling = settings.maxRate;
  const r0 = Math.min(schedule.baseRate, ceiling);
  const rStar = Math.min(mu / lambda, ceiling);
  const perTicket = r0 < rStar ? { tickets: Math.log(rStar / r0) / lambda, seconds: (1 / r0 - 1 / rStar) / lambda } : { tickets: 0, seconds: 0 };
  const s0 = Math.max(r0, rStar);
  const perSecond = s0 < ceiling ? { tickets: (ceiling - s0) / mu, seconds: Math.log(ceiling / s0) / mu } : { tickets: 0, seconds: 0 };
  return { lambda, mu, r0, s0, ceiling, perTicket, perSecond };
}

/** Seconds after `baseAt` at which position n (tickets after the base, may be fractional or negative) is due. */
export function secondsAt(schedule: Schedule, settings: AdmissionSettings, n: number): number {
  const { lambda, mu, r0, s0, ceiling, perTicket, perSecond } = curve(schedule, settings);
  if (n <= 0) return n / r0;
  if (n <= perTicket.tickets) return (1 - Math.exp(-lambda * n)) / (lambda * r0);
  const m = n - perTicket.tickets;
  if (m <= perSecond.tickets) return perTicket.seconds + Math.log((s0 + mu * m) / s0) / mu;
  return perTicket.seconds + perSecond.seconds + (m - perSecond.tickets) / ceiling;
}

/** The position (tickets after the base) due `seconds` after `baseAt`: the inverse of secondsAt. */
export function positionAt(schedule: Schedule, settings: AdmissionSettings, seconds: number): number {
  const { lambda, mu, r0, s0, ceiling, perTicket, perSecond } = curve(schedule, settings);
  if (seconds <= 0) return seconds * r0;
  if (seconds <= perTicket.seconds) return -Math.log(1 - lambda * r0 * seconds) / lambda;
  const t = seconds - perTicket.seconds;
  if (t <= perSecond.seconds) return perTicket.tickets + (s0 * (Math.exp(mu * t) - 1)) / mu;
  return perTicket.tickets + perSecond.tickets + (t - perSecond.seconds) * ceiling;
}

/** The rate at position n. */
export function rateAt(schedule: Schedule, settings: AdmissionSettings, n: number): number {
  const { lambda, mu, r0, s0, ceiling, perTicket, perSecond } = curve(schedule, settings);
  if (n <= perTicket.tickets) return r0 * Math.exp(lambda * Math.max(0, n));
  const m = n - perTicket.tickets;
  return m <= perSecond.tickets ? s0 + mu * m : ceiling;
}

/** Epoch milliseconds at which ticket k is due. */
export function dueAt(schedule: Schedule, settings: AdmissionSettings, ticket: number): number {
  return schedule.baseAt + 1000 * secondsAt(schedule, settings, ticket - schedule.baseTicket);
}

/** A fresh schedule whose first ticket is due now. */
export function initialSchedule(settings: AdmissionSettings, nowMs: number): Omit<Schedule, 'ticket'> {
  return { baseTicket: 1, baseAt: nowMs, baseRate: settings.expectedRate, probing: true, cutAt: 0, settleUntil: 0, version: 1 };
}

/** A base further ahead of now than this is not a schedule anybody set: it restarts at now (a clock skewed ahead). */
export const FUTURE_MARGIN_MS = 5_000;

/**
 * Whether ticket k, just taken at `nowMs`, restarts the schedule: it would be due longer ago than
 * the idle tolerance (nobody was waiting, so an idle guard never owes a burst), or the base is
 * further ahead than FUTURE_MARGIN_MS (a skewed clock), which no ticket should wait for.
 */
export function restartsSchedule(schedule: Schedule, settings: AdmissionSettings, ticket: number, nowMs: number): { restarts: boolean; fromTheFuture: boolean } {
  const fromTheFuture = schedule.baseAt > nowMs + FUTURE_MARGIN_MS;
  return { restarts: fromTheFuture || dueAt(schedule, settings, ticket) < nowMs - settings.idleToleranceMs, fromTheFuture };
}

/**
 * The schedule was behind when ticket k was taken (nobody was waiting): the base moves to k, due
 * now. The rate is the one reached at k, but no more than the tickets since the base showed (their
 * number over the time since the base, or the base's own rate): a schedule that ran ahead of its
 * executions grew along slots nobody used, so the rate it reached was never tried. After
 * `newStormAfterMs` without any ticket, a rate cut below the expected rate (by the last storm, or
 * by someone else hammering the API then) is not carried into the new storm, which finds the
 * limit again from the expected rate, probing; a rate learned above it is kept.
 */
export function restartAt(
  schedule: Schedule,
  settings: AdmissionSettings,
  ticket: number,
  nowMs: number,
  idleMs: number,
): Pick<Schedule, 'baseTicket' | 'baseAt' | 'baseRate' | 'probing'> {
  const elapsedSeconds = (nowMs - schedule.baseAt) / 1000;
  const shown = elapsedSeconds > 0 ? (ticket - schedule.baseTicket) / elapsedSeconds : Infinity;
  const reached = Math.min(rateAt(schedule, settings, ticket - schedule.baseTicket), Math.max(Math.min(schedule.baseRate, settings.maxRate), shown));
  if (idleMs >= settings.newStormAfterMs && reached < settings.expectedRate) return { baseTicket: ticket, baseAt: nowMs, baseRate: settings.expectedRate, probing: true };
  return { baseTicket: ticket, baseAt: nowMs, baseRate: reached, probing: schedule.probing };
}

/** The shortest time since the base over which the tickets' rate bounds the probing cut. */
const PROBING_WINDOW_SECONDS = 1;

/**
 * The rate the throttle that ends the probing cuts to: the lowest of half the rate met, 80 % of
 * the slots' average rate since the base, and half the tickets' average rate since the base.
 * While the schedule paces its executions (tickets taken ahead of their slots) it sent its slots:
 * the positions due since the base. While it runs ahead of them (offering slots faster than
 * executions take tickets) every ticket went when it was taken, so what the API was sent is the
 * tickets' rate, of which a bucket full at the start hid a share: halved, like the rate met
 * (over a second or more, and `settleTickets` or more: a base just restarted holds none).
 */
function probingCut(schedule: Schedule, settings: AdmissionSettings, met: number, position: number, elapsedSeconds: number): number {
  if (!(elapsedSeconds > 0) || !(position > 0)) return settings.probingDecrease * met;
  const cut = Math.min(settings.probingDecrease * met, (settings.decrease * position) / elapsedSeconds);
  // The tickets' rate only over a window that holds a few of them (a base just restarted holds none).
  const taken = schedule.ticket - schedule.baseTicket + 1;
  if (elapsedSeconds < PROBING_WINDOW_SECONDS || taken < settings.settleTickets) return cut;
  return Math.min(cut, (settings.probingDecrease * taken) / elapsedSeconds);
}


/**
 * A throttle at `nowMs` of an attempt admitted at `admittedAtMs` at `admittedRate`: the base moves
 * to the position due now, with the rate cut to `decrease` of the lower of the two (the schedule
 * may have grown past what the throttled attempt met). The throttle that ends the probing cuts
 * deeper (probingCut): growth overshoots the limit before the first throttle comes back.
 *
 * One cut per overload: the attempts admitted until the throttle came back were sent into the
 * same overload, and the bucket they emptied throttles the first attempts after the cut too, at
 * any jitter, until it has refilled a little. So after a cut, throttles of attempts admitted
 * before `settleUntil` do not cut again: the cut plus the throttled attempt's own round trip, or
 * `settleTickets` at the new rate if that is longer (a bucket at 80 % of its rate gains a token
 * per four), at most `maxSettleMs`. The first throttle of an attempt admitted after it cuts, from
 * the rate that attempt met: an overload that persists is cut once per round trip, never by cuts
 * compounding while the bucket drains. Undefined: no cut.
 */
export function cutAt(
  schedule: Schedule,
  settings: AdmissionSettings,
  nowMs: number,
  admittedAtMs: number,
  admittedRate: number,
): Pick<Schedule, 'baseTicket' | 'baseAt' | 'baseRate' | 'probing' | 'cutAt' | 'settleUntil'> | undefined {
  if (admittedAtMs <= schedule.settleUntil) return undefined;
  const elapsedSeconds = (nowMs - schedule.baseAt) / 1000;
  const n = positionAt(schedule, settings, elapsedSeconds);
  const met = Math.min(rateAt(schedule, settings, n), admittedRate);
  const rate = schedule.probing ? probingCut(schedule, settings, met, n, elapsedSeconds) : settings.decrease * met;
  const baseRate = Math.max(settings.minRate, rate);
  const settleMs = Math.min(settings.maxSettleMs, Math.max((1000 * settings.settleTickets) / baseRate, nowMs - admittedAtMs));
  return {
    // A schedule that ran ahead of its tickets is rebased at the next ticket to hand out: the
    // slots between it and the position due now were never taken, and would all be due at once.
    baseTicket: Math.min(schedule.baseTicket + n, schedule.ticket + 1),
    baseAt: nowMs,
    baseRate,
    probing: false,
    cutAt: nowMs,
    settleUntil: nowMs + settleMs,
  };
}

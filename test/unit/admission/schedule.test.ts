import fc from 'fast-check';
import { admissionSettings, cutAt, dueAt, initialSchedule, positionAt, rateAt, restartAt, secondsAt, type Schedule } from '../../../functions/admit/schedule';

const settings = admissionSettings({ expectedRate: 10, minRate: 0.2 });
const T0 = Date.parse('2026-12-01T12:00:00Z');
const fresh = (): Schedule => ({ ...initialSchedule(settings, T0), ticket: 0 });

describe('the admission schedule', () => {
  it('hands the first tickets out about 1/expectedRate apart', () => {
    const schedule = fresh();

    const gap = dueAt(schedule, settings, 2) - dueAt(schedule, settings, 1);

    expect(dueAt(schedule, settings, 1)).toBe(T0);
    expect(gap).toBeGreaterThan(95);
    expect(gap).toBeLessThanOrEqual(100);
  });

  it('finds the position due at a time: positionAt inverts secondsAt, past the ceiling too', () => {
    const schedule = fresh();

    for (const n of [0.5, 3, 40, 500]) expect(positionAt(schedule, settings, secondsAt(schedule, settings, n))).toBeCloseTo(n, 6);
  });

  it('grows the rate per ticket up to maxRate (four times the expected rate by default), never per second of idleness', () => {
    const schedule = fresh();

    expect(rateAt(schedule, settings, 1_000)).toBe(40);
    expect(restartAt(schedule, settings, 1, T0 + 3_600_000, 3_600_000).baseRate).toBe(10);
  });

  it('grows by at most its growth per second at high rates: doubling while probing, 20 % after a throttle', () => {
    const high = admissionSettings({ expectedRate: 60, minRate: 0.2 });
    for (const probing of [true, false]) {
      const schedule: Schedule = { ...initialSchedule(high, T0), ticket: 0, probing };
      const perSecond = probing ? high.probingGrowthPerSecond : high.steadyGrowthPerSecond;
      for (const second of [0, 1, 2, 3]) {
        const from = rateAt(schedule, high, positionAt(schedule, high, second));
        const to = rateAt(schedule, high, positionAt(schedule, high, second + 1));
        expect(to / from).toBeLessThanOrEqual(1 + perSecond + 1e-9);
      }
    }
  });

  it('finds every position again from its time in all three pieces of the curve (per ticket, per second, at the ceiling)', () => {
    const schedule: Schedule = { ...fresh(), baseRate: 2, probing: false };
    const wide = { ...settings, maxRate: 200 };

    for (const n of [0.5, 10, 60, 200, 900, 5_000]) expect(positionAt(schedule, wide, secondsAt(schedule, wide, n))).toBeCloseTo(n, 6);
  });

  it('starts a new storm from the expected rate, probing, after a minute without tickets', () => {
    const floored: Schedule = { ...fresh(), baseRate: 0.2, probing: false };

    expect(restartAt(floored, settings, 1, T0 + 60_000, 60_000)).toMatchObject({ baseRate: 10, probing: true });
  });

  it('restarts a schedule that ran ahead of its executions at the rate its tickets showed, not the rate it grew to along unused slots', () => {
    // 30 tickets in 10 s since the base: the schedule grew toward its ceiling along slots nobody took in time.
    const ahead: Schedule = { ...fresh(), probing: false, baseRate: 8 };

    const restarted = restartAt(ahead, settings, 31, T0 + 10_000, 500);

    expect(rateAt(ahead, settings, 30)).toBeGreaterThan(12);
    expect(restarted.baseRate).toBe(8);
  });

  it('restarts a schedule whose base rate was above what its tickets showed at the rate reached, when the tickets showed more', () => {
    // 60 tickets in 10 s (6/s) on a base of 2/s: the rate reached at ticket 61 bounds the restart, not the base's.
    const slow: Schedule = { ...fresh(), probing: false, baseRate: 2 };
    const reached = rateAt(slow, settings, 60);

    const restarted = restartAt(slow, settings, 61, T0 + 10_000, 500);

    expect(reached).toBeLessThan(6);
    expect(restarted.baseRate).toBeCloseTo(reached, 9);
    // And a base rate above the tickets' rate bounds it from below: shown = 1/s, base 3/s, reached higher.
    expect(restartAt({ ...slow, baseRate: 3 }, settings, 11, T0 + 10_000, 500).baseRate).toBe(3);
  });

  it('keeps the rate learned when the schedule falls behind within a storm', () => {
    const cut: Schedule = { ...fresh(), baseRate: 3, probing: false };

    expect(restartAt(cut, settings, 1, T0 + 5_000, 2_000)).toMatchObject({ baseRate: 3, probing: false });
  });

  it('cuts the rate on a throttle and re-spaces every ticket not yet due, whoever holds it', () => {
    const steady: Schedule = { ...fresh(), probing: false };
    const before = dueAt(steady, settings, 100);

    const cut = cutAt(steady, settings, T0 + 1_000, T0 + 900, 12);
    const after = dueAt({ ...steady, ...cut! }, settings, 100);

    expect(cut?.baseRate).toBeCloseTo(settings.decrease * Math.min(rateAt(steady, settings, positionAt(steady, settings, 1)), 12), 6);
    expect(cut?.probing).toBe(false);
    expect(after).toBeGreaterThan(before);
  });

  it('ends the probing with a deeper cut of the rate it overshot to, but not below the usual cut of the average rate since the base', () => {
    // Executions waiting for their slots: tickets taken far ahead of the positions due.
    const paced: Schedule = { ...fresh(), ticket: 400 };
    const at = (elapsed: number) => {
      const n = positionAt(paced, settings, elapsed);
      return { met: rateAt(paced, settings, n), average: n / elapsed, cut: cutAt(paced, settings, T0 + elapsed * 1000, T0, 1_000)!.baseRate };
    };

    // Early, the rate met is close to the average: the deeper cut decides.
    const early = at(0.5);
    expect(early.cut).toBeCloseTo(settings.probingDecrease * early.met, 6);
    // Two seconds in, the rate has doubled twice over the start: the average bounds the cut.
    const late = at(2);
    expect(late.met).toBeGreaterThan((settings.decrease / settings.probingDecrease) * late.average);
    expect(late.cut).toBeCloseTo(settings.decrease * late.average, 6);
  });

  it('ends the probing of a schedule that ran ahead of its executions from the tickets they took, not the slots it offered', () => {
    // 86 tickets taken in 3.5 s while the schedule offered hundreds of slots: every ticket went
    // when it was taken, so what the API was sent is the tickets' rate.
    const ahead: Schedule = { ...fresh(), ticket: 86 };

    const cut = cutAt(ahead, settings, T0 + 3_500, T0 + 3_000, 1_000)!;

    expect(positionAt(ahead, settings, 3.5)).toBeGreaterThan(86);
    expect(cut.baseRate).toBeCloseTo((settings.probingDecrease * 86) / 3.5, 6);
  });

  it("cuts once per overload: a throttle of an attempt admitted before the cut's settling ends does not cut again", () => {
    const first = cutAt({ ...fresh(), probing: false }, settings, T0 + 3_000, T0 + 1_000, 10)!;
    const cut: Schedule = { ...fresh(), ...first };

    // The throttled attempt took 2 s from its admission to the report: attempts admitted within
    // 2 s after the cut met the bucket the overload emptied.
    expect(first.settleUntil).toBe(T0 + 5_000);
    expect(cutAt(cut, settings, T0 + 6_500, T0 + 2_500, 10)).toBeUndefined();
    expect(cutAt(cut, settings, T0 + 6_500, T0 + 4_900, 10)).toBeUndefined();
    expect(cutAt(cut, settings, T0 + 6_500, T0 + 5_100, 8)?.baseRate).toBeCloseTo(settings.decrease * 8, 6);
  });

  it('waits out a few tickets at the new rate however fast the throttle came back: the bucket the overload emptied refills first', () => {
    const first = cutAt({ ...fresh(), probing: false }, settings, T0 + 1_000, T0 + 980, 5)!;

    expect(first.baseRate).toBeCloseTo(4, 6);
    expect(first.settleUntil).toBeCloseTo(T0 + 1_000 + (1000 * settings.settleTickets) / 4, 6);
  });

  it('rebases a schedule that ran ahead of its tickets at the next ticket to hand out, due now, not at slots nobody took', () => {
    const ahead: Schedule = { ...fresh(), probing: false, ticket: 20 };
    const now = T0 + 5_000;

    const cut = cutAt(ahead, settings, now, T0 + 4_000, 10)!;
    const after: Schedule = { ...ahead, ...cut };

    expect(positionAt(ahead, settings, 5)).toBeGreaterThan(20);
    expect(cut.baseTicket).toBe(21);
    expect(dueAt(after, settings, 21)).toBe(now);
    expect(dueAt(after, settings, 22) - now).toBeCloseTo(1000 * secondsAt(after, settings, 1), 2);
    expect(dueAt(after, settings, 22) - now).toBeGreaterThan(0.98 * (1000 / cut.baseRate));
  });

  it('does not bound the probing cut by the tickets of a base just restarted (one ticket in under a second says nothing)', () => {
    const restarted: Schedule = { ...fresh(), baseRate: 30, ticket: 1 };

    const cut = cutAt(restarted, settings, T0 + 900, T0 + 800, 30)!;

    expect(cut.baseRate).toBeGreaterThan(settings.expectedRate);
  });

  it('waits out at most maxSettleMs of a slow round trip before an overload may be cut again', () => {
    const first = cutAt({ ...fresh(), probing: false }, settings, T0 + 60_000, T0, 10)!;

    expect(first.settleUntil).toBe(T0 + 60_000 + settings.maxSettleMs);
  });

  it('never cuts below minRate', () => {
    const schedule: Schedule = { ...fresh(), baseRate: 0.21 };

    expect(cutAt(schedule, settings, T0 + 100, T0 + 50, 0.21)?.baseRate).toBe(0.2);
  });

  it('never moves a slot earlier on a cut, so a waiting execution may sleep until its slot and check once', () => {
    fc.assert(
      fc.property(
        fc.record({
          baseRate: fc.double({ min: 0.2, max: 40, noNaN: true }),
          probing: fc.boolean(),
          elapsedMs: fc.integer({ min: 0, max: 120_000 }),
          ahead: fc.integer({ min: 1, max: 2_000 }),
          admittedRate: fc.double({ min: 0.2, max: 40, noNaN: true }),
          handedOut: fc.integer({ min: 0, max: 3_000 }),
        }),
        ({ baseRate, probing, elapsedMs, ahead, admittedRate, handedOut }) => {
          const before: Schedule = { ...fresh(), baseRate, probing, ticket: handedOut };
          const now = T0 + elapsedMs;
          const cut = cutAt(before, settings, now, now - 100, admittedRate);
          if (cut === undefined) return;
          const after: Schedule = { ...before, ...cut, version: before.version + 1 };
          // Every ticket not yet due at the cut (the first after the position due now, and on),
          // whether the schedule paced its tickets or ran ahead of them.
          const ticket = Math.ceil(before.baseTicket + positionAt(before, settings, elapsedMs / 1000)) + ahead;
          expect(dueAt(after, settings, ticket)).toBeGreaterThanOrEqual(dueAt(before, settings, ticket) - 1e-6);
        },
      ),
    );
  });
});

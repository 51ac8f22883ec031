import fc from 'fast-check';
import { admissionSettings, cutAt, dueAt, initialSchedule, positionAt, rateAt, restartAt, secondsAt, type Schedule } from '../../functions/admit/schedule';

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

  it('starts a new storm from the expected rate, probing, after a minute without tickets', () => {
    const floored: Schedule = { ...fresh(), baseRate: 0.2, probing: false };

    expect(restartAt(floored, settings, 1, T0 + 60_000, 60_000)).toMatchObject({ baseRate: 10, probing: true });
  });

  it('keeps the rate learned when the schedule falls behind within a storm', () => {
    const cut: Schedule = { ...fresh(), baseRate: 3, probing: false };

    expect(restartAt(cut, settings, 1, T0 + 5_000, 2_000)).toMatchObject({ baseRate: 3, probing: false });
  });

  it('cuts the rate on a throttle and re-spaces every ticket not yet due, whoever holds it', () => {
    const schedule = fresh();
    const before = dueAt(schedule, settings, 100);

    const cut = cutAt(schedule, settings, T0 + 1_000, T0 + 900, 12);
    const after = dueAt({ ...schedule, ...cut! }, settings, 100);

    expect(cut?.baseRate).toBeCloseTo(0.7 * Math.min(rateAt(schedule, settings, positionAt(schedule, settings, 1)), 12), 6);
    expect(cut?.probing).toBe(false);
    expect(after).toBeGreaterThan(before);
  });

  it('cuts once per overload: an attempt admitted before the last cut does not cut again', () => {
    const schedule: Schedule = { ...fresh(), cutAt: T0 + 1_000 };

    expect(cutAt(schedule, settings, T0 + 1_200, T0 + 999, 10)).toBeUndefined();
  });

  it('cuts again when the overload persists past recutAfterMs, whenever its attempt was admitted', () => {
    const schedule: Schedule = { ...fresh(), cutAt: T0 + 1_000 };

    expect(cutAt(schedule, settings, T0 + 3_500, T0 + 500, 10)).toBeDefined();
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
        }),
        ({ baseRate, probing, elapsedMs, ahead, admittedRate }) => {
          const before: Schedule = { ...fresh(), baseRate, probing };
          const now = T0 + elapsedMs;
          const cut = cutAt(before, settings, now, now - 100, admittedRate);
          if (cut === undefined) return;
          const after: Schedule = { ...before, ...cut, version: before.version + 1 };
          // Every ticket not yet due at the cut: the first one after the position due now, and on.
          const ticket = Math.ceil(cut.baseTicket) + ahead;
          expect(dueAt(after, settings, ticket)).toBeGreaterThanOrEqual(dueAt(before, settings, ticket) - 1e-6);
        },
      ),
    );
  });
});

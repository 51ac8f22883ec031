import type { AdmissionStore, Ticket } from '../../../functions/admit/admission-store';
import { admit, MAX_CHECKS_PER_ROUND, MAX_WAIT_MS } from '../../../functions/admit/admit';
import { AdmissionUnavailableError } from '../../../functions/shared/errors';
import { admissionSettings, initialSchedule, rateAt } from '../../../functions/admit/schedule';

const settings = admissionSettings({ expectedRate: 10, minRate: 0.2 });
const NOW = Date.parse('2026-12-01T12:00:00.000Z');

/** A store whose every ticket is due `inMs` after NOW. */
function storeDueIn(inMs: number): AdmissionStore {
  const ticket = (): Ticket => ({ ticket: 7, dueAt: NOW + inMs, schedule: { ...initialSchedule(settings, NOW), ticket: 7 } });
  return { take: async () => ticket(), due: async () => ticket(), reportThrottle: async () => false } as unknown as AdmissionStore;
}

const deps = (inMs: number, extra: { deadlineSeconds?: number } = {}) => ({ store: storeDueIn(inMs), settings, clock: () => NOW, ...extra });

/** Dependencies whose clock starts at `atMs` and moves only when the check sleeps. */
function sleepingDeps(inMs: number, atMs: number) {
  let clock = atMs;
  const slept: number[] = [];
  const sleep = async (ms: number) => {
    slept.push(ms);
    clock += ms;
  };
  return { deps: { store: storeDueIn(inMs), settings, clock: () => clock, sleep }, slept };
}

describe('admit', () => {
  it('naps until the whole second at or before a slot: a Wait on a timestamp drops the milliseconds', async () => {
    const taken = await admit({ phase: 'take' }, deps(1_300));
    const checked = await admit({ phase: 'check', admission: { ticket: 7, admitted: false, dueAt: NOW + 9_100, readmissions: 0 } }, deps(9_100));

    expect(taken).toMatchObject({ admitted: false, waitUntil: '2026-12-01T12:00:01.000Z' });
    expect(checked).toMatchObject({ admitted: false, waitUntil: new Date(NOW + 9_000).toISOString() });
  });

  it('sleeps the rest of the second in the check and goes at the slot itself, so the attempts of a second are spaced, not a burst', async () => {
    const { deps: sleeping, slept } = sleepingDeps(9_340, NOW + 9_000);

    const checked = await admit({ phase: 'check', admission: { ticket: 7, admitted: false, dueAt: NOW + 9_340, readmissions: 0, checks: 1 } }, sleeping);

    expect(slept).toEqual([340]);
    expect(checked).toMatchObject({ admitted: true, ticket: 7, admittedAt: NOW + 9_340, checks: 2, admittedRate: rateAt({ ...initialSchedule(settings, NOW), ticket: 7 }, settings, 6) });
    expect(checked.waitUntil).toBeUndefined();
  });

  it('goes at the slot it holds when the store cannot say whether a cut moved it, never before the slot', async () => {
    const { deps: sleeping, slept } = sleepingDeps(0, NOW + 9_000);
    const warnings: string[] = [];
    const down = { ...sleeping, warn: (message: string) => warnings.push(message), store: { take: sleeping.store.take, reportThrottle: sleeping.store.reportThrottle, due: async () => Promise.reject(new AdmissionUnavailableError('read the admission schedule: timed out')) } };

    const checked = await admit({ phase: 'check', admission: { ticket: 7, admitted: false, dueAt: NOW + 9_600, readmissions: 1, checks: 2 } }, down);

    expect(checked).toMatchObject({ admitted: true, ticket: 7, admittedAt: NOW + 9_600, checks: 3 });
    expect(slept).toEqual([600]);
    expect(warnings).toEqual([expect.stringContaining('timed out')]);
  });

  it('takes a ticket due within the current second with a nap that ends at once, the check sleeping until the slot', async () => {
    const taken = await admit({ phase: 'take' }, deps(400));

    expect(taken).toMatchObject({ admitted: false, waitUntil: new Date(NOW).toISOString(), dueAt: NOW + 400 });
  });

  it("stops reading the schedule after the round's checks, but never goes before the slot it was last given", async () => {
    const admission = { ticket: 7, admitted: false, dueAt: NOW + 9_100, readmissions: 2, checks: MAX_CHECKS_PER_ROUND - 1 };

    const last = await admit({ phase: 'check', admission }, deps(9_100));
    const readmitted = await admit({ phase: 'readmit', admission: { ...last, admittedAt: NOW, admittedRate: 10 }, error: 'Organizations.TooManyRequestsException' }, deps(9_100));
    // The nap ends on the whole second before the slot; the check sleeps the rest without reading.
    const { deps: afterTheNap, slept } = sleepingDeps(60_000, NOW + 9_000);
    const after = await admit({ phase: 'check', admission: last }, afterTheNap);

    expect(last).toMatchObject({ admitted: false, checks: MAX_CHECKS_PER_ROUND, waitUntil: new Date(NOW + 9_000).toISOString() });
    // A new ticket in the same round waits for its slot like any other...
    expect(readmitted).toMatchObject({ admitted: false, checks: MAX_CHECKS_PER_ROUND, readmissions: 3 });
    // ...and the check after the nap admits without asking the store again.
    expect(after).toMatchObject({ admitted: true, ticket: 7, admittedAt: NOW + 9_100 });
    expect(slept).toEqual([100]);
  });

  it('admits now a slot further ahead than the bound, instead of waiting for it', async () => {
    const taken = await admit({ phase: 'take' }, deps(MAX_WAIT_MS + 1_000));

    expect(taken).toMatchObject({ admitted: true, admittedAt: NOW });
  });

  it('admits now a slot after the remediation deadline, counted from the restoration start as ReattachPolicy counts it', async () => {
    const startedAt = new Date(NOW - 59 * 60_000).toISOString();

    const taken = await admit({ phase: 'take', startedAt, decision: { decision: 'APPROVE', at: startedAt } }, deps(90_000, { deadlineSeconds: 3_600 }));
    const withinDeadline = await admit({ phase: 'take', startedAt, decision: {} }, deps(30_000, { deadlineSeconds: 3_600 }));

    expect(taken).toMatchObject({ admitted: true });
    expect(withinDeadline).toMatchObject({ admitted: false });
  });

  it('counts the deadline from the end of an approval window nobody answered', async () => {
    const startedAt = new Date(NOW - 61 * 60_000).toISOString();
    const incident = { approval: { timeoutSeconds: 600, onTimeout: 'REMEDIATE' as never } };

    const taken = await admit({ phase: 'take', startedAt, decision: { decision: 'TIMEOUT' }, incident }, deps(60_000, { deadlineSeconds: 3_600 }));

    expect(taken).toMatchObject({ admitted: false });
  });
});

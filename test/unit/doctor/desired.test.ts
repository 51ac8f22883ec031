import { desiredStateChecks } from '../../../cli/doctor/desired';
import type { SweepResult } from '../../../functions/sweep/result';

/** A sweep's answer with nothing in it; each test adds what it is about. */
const sweep = (overrides: Partial<SweepResult>): SweepResult => ({
  dryRun: true,
  startedAt: '2026-12-01T12:00:00.000Z',
  drift: [],
  incidents: [],
  explained: [],
  declaredNotAttached: [],
  changes: [],
  desiredPairs: 4,
  warnings: [],
  notes: [],
  errors: [],
  calls: { total: 0, byOperation: {}, attempts: 0 },
  seconds: 0.1,
  ...overrides,
});

describe('doctor: the desired state, from the dry-run sweep', () => {
  it('leaves out the sweep\'s warnings about an id the rules checks already found missing, and keeps the others', () => {
    const result = sweep({
      warnings: [
        'p-protectct (protect[1]) does not exist in the organization',
        'p-protectct no longer exists: 2 desired attachment(s) of it cannot be restored by the sweep',
        'ou-a1b2-gone0000: no longer in the organization; the accounts under it were not walked',
      ],
    });

    const warnings = desiredStateChecks(result, new Set(['p-protectct'])).filter((check) => check.status === 'warn');

    expect(warnings.map((check) => check.detail)).toEqual(['ou-a1b2-gone0000: no longer in the organization; the accounts under it were not walked']);
  });

  it('fails on every error that left the sweep incomplete', () => {
    const result = sweep({ errors: ['the roots (ListRoots) could not be read: ServiceException: try again'] });

    const checks = desiredStateChecks(result);

    expect(checks).toContainEqual(expect.objectContaining({ name: 'sweep complete', status: 'fail', detail: 'the roots (ListRoots) could not be read: ServiceException: try again' }));
  });

  it('counts the missing pairs an open incident is already restoring as no drift', () => {
    const result = sweep({ explained: [{ policyId: 'p-denyleave1', targetId: 'r-a1b2', incidentId: 'evt-1' }] });

    const [drift] = desiredStateChecks(result);

    expect(drift).toMatchObject({ name: 'no drift', status: 'ok', detail: '4 desired pairs; 1 missing, each with an open incident restoring it' });
  });
  it('does not say "no drift" when the sweep is incomplete: drift cannot be known', () => {
    const result = sweep({ errors: ['the roots (ListRoots) could not be read: ServiceException: try again'] });

    const [drift] = desiredStateChecks(result);

    expect(drift).toMatchObject({ name: 'no drift', status: 'fail', detail: 'drift cannot be known: the sweep is incomplete (1 error, below)' });
  });

  it('does not say "no drift" when the sweep could not compare some pairs', () => {
    const result = sweep({ warnings: ["p-protectct on ou-a1b2-7hq4vz2n: neither the policy's targets nor the target's policies could be read; not compared"] });

    const checks = desiredStateChecks(result);

    expect(checks[0]).toMatchObject({ name: 'no drift', status: 'fail', detail: 'drift cannot be known: 1 warning says "not compared" (below)' });
    expect(checks).toContainEqual(expect.objectContaining({ name: 'sweep warning', status: 'warn', detail: expect.stringContaining('not compared') }));
  });
});

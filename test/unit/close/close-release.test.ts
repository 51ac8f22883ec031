import { closeIncident } from '../../../functions/close/close';
import type { AuditStore } from '../../../functions/shared/audit/audit-store';
import type { PairEntry } from '../../../functions/shared/desired/desired-state';
import { Outcome, Verdict } from '../../../functions/shared/vocabulary';
import { protectedIncident } from '../slack/incident-fixture';

/** Which closings release a pair from the desired state, so the sweep leaves it detached. */
describe('closing an incident and the desired state', () => {
  const audit = { appendTimeline: async () => ({ recorded: true }), advance: async () => undefined, getIncident: async () => undefined } as unknown as AuditStore;
  const close = async (incident: ReturnType<typeof protectedIncident>, outcome: Outcome) => {
    const released: PairEntry[] = [];
    await closeIncident({ state: { incident, result: { outcome } }, executionArn: 'arn:x' }, { audit, desired: { recordPair: async (entry) => void released.push(entry) } });
    return released;
  };

  it('releases the canary pair when an ignored principal detached it, though no protect rule names it', async () => {
    const incident = { ...protectedIncident(), verdict: Verdict.IGNORED_ACTOR, rule: undefined, coveredPair: true };

    const released = await close(incident, Outcome.OBSERVED);

    expect(released).toEqual([expect.objectContaining({ desired: false, reason: 'ignored-principal' })]);
  });

  it('releases nothing for an ignored principal\'s change of a pair no rule covers', async () => {
    const incident = { ...protectedIncident(), verdict: Verdict.IGNORED_ACTOR, rule: undefined };

    expect(await close(incident, Outcome.OBSERVED)).toEqual([]);
  });

  it('releases nothing when a protected pair was restored', async () => {
    expect(await close(protectedIncident(), Outcome.REATTACHED)).toEqual([]);
  });
});

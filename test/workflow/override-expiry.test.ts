import type { LocalEnvironment, LocalEnvironmentOptions } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment, testRules } from '../support/local-harness';

/**
 * No override is indefinite: the real ASL on local components closes every OVERRIDDEN incident
 * with the time its override ends (`overriddenUntil`), which the sweep restores the pair after.
 */
describe('an OVERRIDDEN incident records when its override ends', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  const overrides = { defaultHours: 6, maxHours: 24 };
  const idOf = (event: Record<string, unknown>) => (event.detail as { eventID: string }).eventID;
  const hoursAfter = (time: string | undefined, hours: number) => new Date(Date.parse(time ?? '') + hours * 3_600_000).toISOString();
  const closingEmail = (local: LocalEnvironment, incidentId: string) =>
    local.sns.published.find((m) => m.attributes.incidentId === incidentId && m.attributes.phase === 'closed');

  async function start(options: Partial<LocalEnvironmentOptions>): Promise<LocalEnvironment> {
    env = await startEnvironment(options);
    return env;
  }

  it('ends a timeout under onTimeout keep-detached (an override by the workflow) overrides.defaultHours after the close', async () => {
    const rules = testRules({ approval: { timeoutMinutes: 15, onTimeout: 'keep-detached', approvers: ['U0APPROVER'] }, overrides });
    const local = await start({ rules, approvalTimeoutSeconds: 1 });
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });

    await replay(local, event);

    const incident = await local.audit.getIncident(idOf(event));
    const overridden = (await local.audit.getTimeline(idOf(event))).find((entry) => entry.step === 'overridden');
    expect(incident).toMatchObject({ decision: 'TIMEOUT', outcome: 'OVERRIDDEN', overriddenUntil: hoursAfter(incident?.closedAt, 6) });
    expect(overridden?.detail).toMatchObject({ decision: 'TIMEOUT', until: incident?.overriddenUntil });
  });

  it("ends an approver's override when they chose, and the closing email says until when", async () => {
    let requested: string | undefined;
    const local = await start({ rules: testRules({ overrides }), onDecisionRequested: ({ decisionId }) => (requested = decisionId) });
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
    const run = replay(local, event);
    const deadline = Date.now() + 20_000;
    while (requested === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));

    const decided = await local.decide({ decisionId: requested ?? '', decision: 'OVERRIDE', by: 'local:test', reason: 'CHG-77', forMinutes: 120, via: 'cli' });
    await run;

    const incident = await local.audit.getIncident(idOf(event));
    const email = closingEmail(local, idOf(event));
    const until = incident?.overriddenUntil ?? '';
    expect(decided.status).toBe('accepted');
    expect(incident).toMatchObject({ decision: 'OVERRIDE', outcome: 'OVERRIDDEN', overriddenUntil: hoursAfter(incident?.decidedAt, 2) });
    expect(email?.message).toContain(`Override ends ${until}; then the policy is restored in its rule's mode`);
    // The subject gives the time alone on the day of the close, with the date on another; with
    // the date (an override ending tomorrow: this test run after 22:00 UTC) the SNS limit may
    // leave out who overrode, never the end.
    expect(email?.subject).toMatch(new RegExp(`kept detached \\(override( by local:test)?\\) until (${until.slice(0, 10)} )?${until.slice(11, 16)} UTC`));
    if (until.slice(0, 10) === incident?.decidedAt?.slice(0, 10)) expect(email?.subject).toContain('(override by local:test)');
  });
});

import { pairKey } from '../../functions/shared/desired/desired-state';
import type { LocalEnvironment } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment } from '../support/local-harness';

/** What the workflow writes to the desired state, after it acted (record after). */
describe('the workflow and the desired state', () => {
  let env: LocalEnvironment;
  let decideWith: (decisionId: string) => Promise<unknown> = async () => undefined;
  beforeAll(async () => {
    env = await startEnvironment({ onDecisionRequested: ({ decisionId }) => void decideWith(decisionId) });
  });
  afterAll(() => env.stop());

  it('makes a pair desired once it confirmed its own reattachment', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.sandboxOu });

    await replay(env, event);

    const latest = (await env.desired.pairs()).get(pairKey(Org.denyLeave, Org.sandboxOu));
    expect(latest).toMatchObject({ desired: true, reason: 'reattached', incidentId: (event.detail as { eventID: string }).eventID });
  });

  it('releases a pair an approver kept detached, until the override ends', async () => {
    decideWith = (decisionId) => env.decide({ decisionId, decision: 'OVERRIDE', by: 'local:test', reason: 'migration CHG-3', forMinutes: 120, via: 'cli' });
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.prodOu });

    await replay(env, event);

    const incident = await env.audit.getIncident((event.detail as { eventID: string }).eventID);
    const latest = (await env.desired.pairs()).get(pairKey(Org.protectCloudTrail, Org.prodOu));
    expect(latest).toMatchObject({ desired: false, reason: 'override', by: 'local:test', until: incident?.overriddenUntil });
    expect(Date.parse(latest?.until ?? '') - Date.now()).toBeGreaterThan(110 * 60_000);
    env.organization?.attachPolicy(Org.protectCloudTrail, Org.prodOu);
  });

  it('releases for good a protected pair the ignored pipeline role detached', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root, principalArn: 'arn:aws:iam::111122223333:role/OrgPipelineRole' });

    await replay(env, event);

    const latest = (await env.desired.pairs()).get(pairKey(Org.denyLeave, Org.root));
    expect(latest).toMatchObject({ desired: false, reason: 'ignored-principal', by: 'arn:aws:iam::111122223333:role/OrgPipelineRole' });
    env.organization?.attachPolicy(Org.denyLeave, Org.root);
  });
});

import { randomUUID } from 'node:crypto';
import { MetricName } from '../../functions/shared/metrics';
import { SELF_TEST_ATTRIBUTE, SELF_TEST_POLICY_ID, selfTestEnvelope } from '../../functions/shared/self-test';
import type { LocalEnvironment } from '../../local/environment';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment } from '../support/local-harness';

/** The daily canary through the real ASL: classify, record, notify — and nothing else. */
describe('scheduled self-test', () => {
  let env: LocalEnvironment;

  beforeAll(async () => {
    env = await startEnvironment();
  });
  afterAll(() => env.stop());

  const run = async () => {
    const id = randomUUID();
    const execution = await env.run(selfTestEnvelope(id, new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'))).result;
    return { id, execution, incident: await env.audit.getIncident(id) };
  };

  it('goes through classify, record and notify without touching the organization', async () => {
    const organizationBefore = JSON.stringify(env.organization?.toJSON());
    const attachCallsBefore = env.attachCalls;

    const { execution, incident } = await run();

    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['ClassifyEvent', 'ClaimIncident', 'MarkObserved', 'CloseIncident', 'NotifyOutcome']));
    expect(execution.statesEntered).not.toContain('Remediate');
    expect(incident).toMatchObject({ outcome: 'OBSERVED', status: 'CLOSED', incident: { selfTest: true, policy: { id: SELF_TEST_POLICY_ID } } });
    expect(env.attachCalls).toBe(attachCallsBefore);
    expect(JSON.stringify(env.organization?.toJSON())).toBe(organizationBefore);
  });

  it('marks its email so subscriptions can drop it, and posts nothing to Slack', async () => {
    const slackCallsBefore = env.slackStandIn?.calls().length ?? 0;

    const { id } = await run();

    const notices = env.sns.published.filter((message) => message.attributes.incidentId === id);
    expect(notices).toHaveLength(1);
    expect(notices[0].attributes[SELF_TEST_ATTRIBUTE]).toBe('true');
    expect(env.slackStandIn?.calls().length).toBe(slackCallsBefore);
  });

  it('reports itself passed when Organizations answered its lookups', async () => {
    const before = env.metrics.length;

    await run();

    expect(env.metrics.slice(before)).toEqual([expect.objectContaining({ name: MetricName.SELF_TEST_PASSED, value: 1 })]);
  });

  it('does not report itself passed when Organizations refuses the lookups, so the alarm fires', async () => {
    env.organizationsEndpoint?.faults.script('DescribePolicy', ['AccessDeniedException']);
    const before = env.metrics.length;

    const { incident } = await run();

    expect(incident?.incident.enrichmentErrors?.join(' ')).toMatch(/AccessDenied/);
    expect(env.metrics.slice(before)).toEqual([]);
  });

  it('does not report itself passed when its closing notice cannot be published, so the alarm fires', async () => {
    // Every attempt NotifyOutcome makes: the first and its three NotificationFailed retries.
    env.sns.failNext(4);
    const before = env.metrics.length;

    await run();

    expect(env.metrics.slice(before)).toEqual([]);
  });

  it('leaves real incidents counted by verdict, outcome and time to remediate', async () => {
    const before = env.metrics.length;

    await replay(env, detachEvent({ policyId: Org.denyLeave, targetId: Org.root }));

    const names = env.metrics.slice(before).map((point) => [point.name, point.dimensions]);
    expect(names).toEqual([
      [MetricName.INCIDENTS, { Verdict: 'PROTECTED' }],
      [MetricName.OUTCOMES, { Outcome: 'REATTACHED' }],
      [MetricName.TIME_TO_REMEDIATE, {}],
      [MetricName.INCIDENTS, { Kind: 'DETACHED' }],
    ]);
  });
});

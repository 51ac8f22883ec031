import { DetachPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DesiredReason } from '../../../functions/shared/desired/desired-state';
import type { MetricPoint } from '../../../functions/shared/incident-metrics';
import { MetricName } from '../../../functions/shared/metrics';
import { Outcome } from '../../../functions/shared/vocabulary';
import { createSweepHandler } from '../../../functions/sweep/handler';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb/dynamodb-local';
import type { LocalEnvironment } from '../../../local/environment';
import { HANG } from '../../../local/stand-ins/organizations/fault-injector';
import { detachEvent } from '../../support/events';
import { Org, startEnvironment, testRules } from '../../support/local-harness';
import { sweepDependencies } from './support';

/** The sweep on local components: the sweep function's handler, the real ASL for each drift. */
describe('the sweep', () => {
  let env: LocalEnvironment;
  let organizations: OrganizationsClient;

  beforeAll(async () => {
    env = await startEnvironment();
    organizations = new OrganizationsClient({ region: 'us-east-1', endpoint: env.organizationsUrl, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    await env.sweep();
  });
  afterAll(async () => {
    organizations.destroy();
    await env.stop();
  });
  beforeEach(() => env.organizationsEndpoint?.faults.clearScripts());

  /** A detachment made straight on the local endpoint with the AWS SDK: no event, as if EventBridge lost it. */
  const detachSilently = (policyId: string, targetId: string) => organizations.send(new DetachPolicyCommand({ PolicyId: policyId, TargetId: targetId }));

  it('records what the organization has attached under the rules as desired, the first time it runs', async () => {
    const pairs = await env.desired.pairs();

    const desired = [...pairs.values()].filter((entry) => entry.desired).map((entry) => `${entry.policyId} ${entry.targetId}`);
    expect(desired.sort()).toEqual(
      [`${Org.denyLeave} ${Org.root}`, `${Org.protectCloudTrail} ${Org.prodOu}`, `${Org.protectCloudTrail} ${Org.sandboxOu}`, `${Org.fullAccess} ${Org.prodOu}`, `${Org.denyRegion} ${Org.prodOu}`].sort(),
    );
    expect([...pairs.values()].every((entry) => entry.reason === DesiredReason.SEEN_ATTACHED)).toBe(true);
  });

  it('finds a silent detachment and reattaches it through the workflow, kind DRIFT, source sweep', async () => {
    await detachSilently(Org.denyLeave, Org.root);

    const { result, executions } = await env.sweep();
    const ended = await Promise.all(executions);

    const [drift] = result.drift;
    const incident = await env.audit.getIncident(drift.incidentId);
    expect(result.drift).toHaveLength(1);
    expect(drift).toMatchObject({ kind: 'DRIFT', policyId: Org.denyLeave, targetId: Org.root, status: 'started' });
    expect(drift.incidentId).toMatch(/^drift-[0-9a-f]{32}$/);
    expect(result.incidents).toEqual([drift.incidentId]);
    expect(ended.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
    expect(incident).toMatchObject({ kind: 'DRIFT', source: 'sweep', outcome: Outcome.REATTACHED });
    expect(env.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
  });

  it('opens one incident for a drift however many sweeps see it before its execution closes', async () => {
    await detachSilently(Org.denyRegion, Org.prodOu);
    // The first AttachPolicy is never answered: the drift stays open until the function's request
    // timeout, well after the second sweep looked (a few 503s would race it).
    env.organizationsEndpoint?.faults.script('AttachPolicy', [HANG]);

    const first = await env.sweep();
    const second = await env.sweep();
    await Promise.all(first.executions);
    const third = await env.sweep();

    expect(first.result.incidents).toHaveLength(1);
    expect(second.result.incidents).toEqual([]);
    expect([...second.result.drift.map((d) => d.incidentId), ...second.result.explained.map((e) => e.incidentId)]).toEqual(first.result.incidents);
    expect(third.result.drift).toEqual([]);
    expect(env.organization?.isAttached(Org.denyRegion, Org.prodOu)).toBe(true);
  });

  it('names the incident after the DetachPolicy that CloudTrail holds for the drift, with its caller', async () => {
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu, principalArn: 'arn:aws:iam::111122223333:role/BreakGlassAdmin' });
    const eventId = (event.detail as { eventID: string }).eventID;
    await detachSilently(Org.protectCloudTrail, Org.sandboxOu);
    env.cloudTrail.record(event);

    const { result } = await env.sweep({ dryRun: true });

    expect(result.drift).toEqual([expect.objectContaining({ incidentId: eventId, found: { eventId, actor: 'arn:aws:iam::111122223333:role/BreakGlassAdmin' }, status: 'dry-run' })]);
    env.organization?.attachPolicy(Org.protectCloudTrail, Org.sandboxOu);
  });

  it('goes on with a hash id when the event history cannot be read', async () => {
    await detachSilently(Org.protectCloudTrail, Org.prodOu);
    env.cloudTrail.failNext(20, 'InternalFailure');

    const { result } = await env.sweep({ dryRun: true });

    expect(result.drift).toEqual([expect.objectContaining({ policyId: Org.protectCloudTrail, targetId: Org.prodOu, incidentId: expect.stringMatching(/^drift-/) })]);
    expect(result.notes).toEqual([expect.stringContaining('CloudTrail LookupEvents failed')]);
    env.organization?.attachPolicy(Org.protectCloudTrail, Org.prodOu);
  });

  it('writes nothing and starts nothing in a dry run', async () => {
    await detachSilently(Org.denyLeave, Org.root);
    const before = await env.desired.pairHistory(Org.denyLeave, Org.root);

    const { result, executions } = await env.sweep({ dryRun: true });

    expect(result.drift).toEqual([expect.objectContaining({ policyId: Org.denyLeave, status: 'dry-run' })]);
    expect(result.incidents).toEqual([]);
    expect(executions).toEqual([]);
    expect(await env.desired.pairHistory(Org.denyLeave, Org.root)).toEqual(before);
    expect(env.organization?.isAttached(Org.denyLeave, Org.root)).toBe(false);
    env.organization?.attachPolicy(Org.denyLeave, Org.root);
  });

  it('counts a completed sweep as SweepCompleted, and neither a dry run nor an incomplete sweep', async () => {
    const completed = () => env.metrics.filter((point) => point.name === MetricName.SWEEP_COMPLETED).length;
    const before = completed();
    await env.sweep({ dryRun: true });
    expect(completed()).toBe(before);

    await env.sweep();
    expect(completed()).toBe(before + 1);

    // StartExecution cannot be reached: the drift is not started, the sweep fails SweepIncomplete.
    await detachSilently(Org.denyLeave, Org.root);
    const metrics: MetricPoint[] = [];
    const unreachable = new SFNClient({ endpoint: 'http://127.0.0.1:1', region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    const sweep = createSweepHandler({ ...sweepDependencies(env, { sfn: unreachable }), metrics: (points) => metrics.push(...points) });
    await expect(sweep({})).rejects.toMatchObject({ name: 'SweepIncomplete' });
    expect(metrics).toEqual([]);
    await sweep({ dryRun: true }).catch(() => undefined);
    expect(metrics).toEqual([]);
    env.organization?.attachPolicy(Org.denyLeave, Org.root);
    unreachable.destroy();
  });

  it('warns of a pair a rule names but that was never attached, and attaches nothing', async () => {
    const rules = testRules({
      protect: [{ policyId: Org.protectCloudTrail, targets: [Org.prodOu, Org.sandboxAccount], mode: 'auto' }],
    });
    const other = await startEnvironment({ rules });
    try {
      const { result } = await other.sweep();

      expect(result.declaredNotAttached).toEqual([{ policyId: Org.protectCloudTrail, targetId: Org.sandboxAccount, rule: 0 }]);
      expect(result.drift).toEqual([]);
      expect(other.organization?.isAttached(Org.protectCloudTrail, Org.sandboxAccount)).toBe(false);
    } finally {
      await other.stop();
    }
  });
});

import { parseProtectionRules } from '../../config/load';
import type { LocalEnvironment } from '../../local/environment';
import { DetachmentReplayer } from '../../local/replay';
import { detachEvent } from '../support/events';
import { Org, replay, startEnvironment } from '../support/local-harness';

const eventIdOf = (event: Record<string, unknown>) => (event.detail as { eventID: string }).eventID;

/** Classification through the real workflow: what each verdict does to the organization. */
describe('classification in the workflow', () => {
  let env: LocalEnvironment;

  beforeAll(async () => {
    env = await startEnvironment({
      rules: parseProtectionRules({
        protect: [
          { policyId: Org.denyRegion, targets: '*', mode: 'auto' },
          { targetId: Org.root, policies: '*', mode: 'auto' },
        ],
      }),
    });
  });
  afterAll(() => env.stop());

  it('classifies a policy deleted after its detachment from the rules, and fails the reattachment with PolicyNotFound', async () => {
    const event = detachEvent({ policyId: Org.denyRegion, targetId: Org.prodOu });
    const organization = env.organization;
    if (organization === undefined) throw new Error('the environment serves no local organization');
    new DetachmentReplayer(organization).apply(event);
    organization.deletePolicy(Org.denyRegion);

    const execution = await env.run(event).result;

    const incident = await env.audit.getIncident(eventIdOf(event));
    expect(execution.status).toBe('FAILED');
    expect(incident).toMatchObject({ verdict: 'PROTECTED', outcome: 'FAILED' });
    expect(incident?.cause).toMatch(/PolicyNotFound/);
  });

  it('leaves a tag policy detached, with no AttachPolicy call, though a rule covers every policy on its target', async () => {
    const event = detachEvent({ policyId: Org.tagPolicy, targetId: Org.root });
    const callsBefore = env.attachCalls;

    const execution = await replay(env, event);

    const incident = await env.audit.getIncident(eventIdOf(event));
    expect(execution.statesEntered).toContain('MarkObserved');
    expect(incident).toMatchObject({ verdict: 'NOT_SCP', outcome: 'OBSERVED' });
    expect(env.attachCalls - callsBefore).toBe(0);
    expect(env.organization?.isAttached(Org.tagPolicy, Org.root)).toBe(false);
  });

  it('records a failed DetachPolicy as FAILED_CALL and changes nothing', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root, errorCode: 'AccessDeniedException' });
    const callsBefore = env.attachCalls;

    const execution = await replay(env, event);

    const incident = await env.audit.getIncident(eventIdOf(event));
    expect(execution.statesEntered).toContain('MarkObserved');
    expect(incident).toMatchObject({ verdict: 'FAILED_CALL', outcome: 'OBSERVED' });
    expect(env.attachCalls - callsBefore).toBe(0);
    expect(env.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
  });
});

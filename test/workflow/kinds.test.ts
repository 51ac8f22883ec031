import { ATTACH_STATES } from '../../local/workflow/local-workflow';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalEnvironment } from '../../local/environment';
import { Big, bigOrganization, bigRules, protectedPairs } from '../unit/restore/big-organization';
import { replay, startEnvironment } from '../support/local-harness';
import { PROJECT_ROOT } from '../../cli/project-root';
import { desiredSnapshot, guardEvent, RESTORING_STATES } from './kinds-support';

const sample = (name: string) => JSON.parse(readFileSync(join(PROJECT_ROOT, 'samples', 'events', name), 'utf8')) as { id: string; detail: Record<string, any> };

/** A real-format DisablePolicyType record (samples/events/15) on the big organization's root, with an event id of its own. */
function disableOnBigRoot(eventId: string) {
  const event = sample('15-scps-disabled-on-root.json');
  event.id = eventId;
  event.detail.eventID = eventId;
  event.detail.eventTime = new Date().toISOString();
  event.detail.requestParameters = { rootId: Big.root, policyType: 'SERVICE_CONTROL_POLICY' };
  return event;
}

/** The real ASL, classify to close, with RestoreProtection on the local organization. */
describe('kinds other than DETACHED through the workflow', () => {
  let env: LocalEnvironment;
  beforeAll(async () => {
    env = await startEnvironment({ rules: bigRules(), organization: bigOrganization() });
    // As a fresh deployment does: the first sweep records what is attached as the desired state.
    await env.sweep();
  });
  afterAll(() => env.stop());
  const org = () => env.organization!;

  it('restores every protected attachment after SCPs are disabled, and keeps FullAWSAccess off the allow-list OU', async () => {
    const event = disableOnBigRoot('6f1e9f0c-2d0a-4b8e-9d6f-00000000b001');

    const execution = await replay(env, event);

    const incident = await env.trueAudit.getIncident(event.detail.eventID);
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['ClassifyEvent', 'ChooseRestore', 'RestoreProtection', 'CloseIncident']));
    expect(execution.statesEntered.filter((state) => ATTACH_STATES.has(state))).toEqual([]);
    expect(incident).toMatchObject({ kind: 'POLICY_TYPE_DISABLED', outcome: 'RESTORED', status: 'CLOSED' });
    expect(protectedPairs.filter(([policyId, targetId]) => !org().isAttached(policyId, targetId))).toEqual([]);
    expect(org().isAttached(Big.fullAccess, Big.allowListOu)).toBe(false);
    expect(org().isPolicyTypeEnabled('SERVICE_CONTROL_POLICY')).toBe(true);
  });

  it('names every action of the restoration in the audit trail', async () => {
    const timeline = await env.trueAudit.getTimeline('6f1e9f0c-2d0a-4b8e-9d6f-00000000b001');

    const closed = timeline.find((entry) => entry.step === 'closed');
    const actions = (closed?.detail.actions ?? []) as { call: string; result: string }[];
    expect(actions[0]).toMatchObject({ call: 'EnablePolicyType', result: 'done' });
    expect(actions.filter((action) => action.call === 'AttachPolicy')).toHaveLength(protectedPairs.length);
    expect(actions).toContainEqual({ call: 'DetachPolicy', policyId: Big.fullAccess, targetId: Big.allowListOu, result: 'done' });
  });

  it('stops a second delivery of the same event as a duplicate', async () => {
    const organizationBefore = JSON.stringify(org().toJSON());

    const execution = await replay(env, disableOnBigRoot('6f1e9f0c-2d0a-4b8e-9d6f-00000000b001'));

    expect(execution.statesEntered).toContain('StopDuplicate');
    expect(execution.statesEntered).not.toContain('RestoreProtection');
    expect(JSON.stringify(org().toJSON())).toBe(organizationBefore);
  });

  /** The CloudTrail records of the restoration's own writes, made as the local guard role: none starts a remediation or releases a pair. */
  it.each([
    ['AttachPolicy of a desired pair', () => guardEvent('AttachPolicy', { policyId: Big.guardrail, targetId: protectedPairs.find(([p]) => p === Big.guardrail)![1] })],
    ['AttachPolicy of the allow-list SCP on its OU', () => guardEvent('AttachPolicy', { policyId: Big.allowList, targetId: Big.allowListOu })],
    ['DetachPolicy of FullAWSAccess from the allow-list OU', () => guardEvent('DetachPolicy', { policyId: Big.fullAccess, targetId: Big.allowListOu })],
  ])("starts nothing for the guard's own %s", async (_what, event) => {
    const envelope = event();
    const organizationBefore = JSON.stringify(org().toJSON());
    const desiredBefore = await desiredSnapshot(env);

    // Not replayed: the guard's call already made the change; only its CloudTrail record comes back.
    const execution = await env.run(envelope).result;

    expect(await env.trueAudit.getIncident(envelope.detail.eventID)).toMatchObject({ verdict: 'IGNORED_ACTOR', reason: expect.stringContaining("the guard's own restoration") });
    expect(execution.statesEntered.filter((state) => RESTORING_STATES.includes(state))).toEqual([]);
    expect(JSON.stringify(org().toJSON())).toBe(organizationBefore);
    expect(await desiredSnapshot(env)).toEqual(desiredBefore);
  });

  it("starts nothing for the guard's own EnablePolicyType, a call the guard does not watch", async () => {
    const envelope = guardEvent('EnablePolicyType', { rootId: Big.root, policyType: 'SERVICE_CONTROL_POLICY' });
    const organizationBefore = JSON.stringify(org().toJSON());
    const desiredBefore = await desiredSnapshot(env);

    // EventBridge never delivers it (test/infra/intake-kinds.test.ts); delivered anyway, it is no kind the workflow restores.
    const execution = await env.run(envelope).result;

    expect(execution.statesEntered.filter((state) => RESTORING_STATES.includes(state) || state === 'RequestDecision')).toEqual([]);
    expect(await env.trueAudit.getIncident(envelope.detail.eventID)).toMatchObject({ verdict: 'INVALID' });
    expect(JSON.stringify(org().toJSON())).toBe(organizationBefore);
    expect(await desiredSnapshot(env)).toEqual(desiredBefore);
  });
});

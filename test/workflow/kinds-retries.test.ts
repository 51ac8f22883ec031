import { IncidentStatus, Kind, PolicyType } from '../../functions/shared/vocabulary';
import type { LocalEnvironment } from '../../local/environment';
import { FAST_RETRIES, Org, replay, startEnvironment, testRules } from '../support/local-harness';
import { sampleEvent, waitForStatus } from './kinds-support';

const Regulated = { ou: 'ou-a1b2-r8n2qv4j', allowList: 'p-allowlist1' } as const;
const SCP = PolicyType.SERVICE_CONTROL_POLICY;

/** FullAWSAccess forbidden on the allow-list OU (auto), the allow-list protected there (approval). */
const rules = () =>
  testRules({
    protect: [
      { policyId: Org.denyLeave, targets: '*', mode: 'auto' },
      { policyId: Regulated.allowList, targets: [Regulated.ou], mode: 'approval' },
    ],
    forbid: [{ policyId: Org.fullAccess, targets: [Regulated.ou], mode: 'auto', description: 'Regulated runs an allow-list SCP' }],
    policyTypeDisabled: { mode: 'auto' },
  });

/** RestoreProtection's retries wait milliseconds too; the pause between rounds long enough for a person to decide meanwhile. */
const options = { rules: rules(), retryIntervalOverrides: { ...FAST_RETRIES, RestoreProtection: 20 }, waitTimeOverrides: { WaitBeforeRetrying: 150 } };

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`never: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('transient refusals of a restoration, through the real ASL', () => {
  let env: LocalEnvironment;
  afterEach(() => env.stop());
  const org = () => env.organization!;

  it('retries EnablePolicyType through PolicyChangesInProgressException and ends RESTORED', async () => {
    env = await startEnvironment(options);
    await env.sweep();
    env.organizationsEndpoint?.faults.script('EnablePolicyType', ['PolicyChangesInProgressException', 'PolicyChangesInProgressException']);
    const event = sampleEvent('15-scps-disabled-on-root.json');

    const execution = await replay(env, event);

    const incident = await env.trueAudit.getIncident(event.detail.eventID);
    expect(incident).toMatchObject({ kind: Kind.POLICY_TYPE_DISABLED, outcome: 'RESTORED', status: 'CLOSED' });
    expect(execution.statesEntered).not.toContain('MarkFailed');
    expect(env.organizationsEndpoint?.requestLog.filter((entry) => entry.operation === 'EnablePolicyType').map((entry) => entry.error ?? 'ok')).toEqual([
      'PolicyChangesInProgressException',
      'PolicyChangesInProgressException',
      'ok',
    ]);
    expect(org().isPolicyTypeEnabled(SCP)).toBe(true);
    expect(org().isAttached(Org.denyLeave, Org.root)).toBe(true);
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);
  });

  /** The attacker's AttachPolicy(FullAWSAccess, X), then DetachPolicy(allow-list, X): FullAWSAccess is X's only SCP. */
  const weaken = () => {
    org().attachPolicy(Org.fullAccess, Regulated.ou);
    org().detachPolicy(Regulated.allowList, Regulated.ou);
  };
  const forbiddenEvent = () => sampleEvent('14-forbidden-fullawsaccess-on-allowlist-ou.json');
  const detachEvent = () => sampleEvent('03-protected-approval-sandbox-ou.json', { policyId: Regulated.allowList, targetId: Regulated.ou });
  const blockedDetaches = () => env.organizationsEndpoint?.requestLog.filter((entry) => entry.operation === 'DetachPolicy' && entry.error === 'ConstraintViolationException').length ?? 0;

  it('keeps trying the forbidden detach that the one-SCP minimum blocks, and detaches it once the approver reattached the allow-list', async () => {
    env = await startEnvironment(options);
    await env.sweep();
    weaken();
    const forbidden = forbiddenEvent();
    const detach = detachEvent();

    const restoring = env.run(forbidden).result;
    await until('the forbidden detach was refused once', () => blockedDetaches() > 0);
    const reattaching = env.run(detach).result;
    await waitForStatus(env, detach.detail.eventID, IncidentStatus.AWAITING_DECISION);
    await env.decideIncident(detach.detail.eventID, 'APPROVE', 'U0APPROVER');
    await reattaching;
    const execution = await restoring;

    expect(await env.trueAudit.getIncident(detach.detail.eventID)).toMatchObject({ kind: Kind.DETACHED, outcome: 'REATTACHED' });
    expect(await env.trueAudit.getIncident(forbidden.detail.eventID)).toMatchObject({
      kind: Kind.FORBIDDEN_ATTACHED,
      outcome: 'RESTORED',
      actions: [{ call: 'DetachPolicy', policyId: Org.fullAccess, targetId: Regulated.ou, result: 'done' }],
    });
    expect(execution.statesEntered).toEqual(expect.arrayContaining(['RestoreProtection', 'NoteRetryRound', 'WaitBeforeRetrying']));
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);
    expect(org().isAttached(Regulated.allowList, Regulated.ou)).toBe(true);
  });

  it('ends a blocked detach FAILED at the deadline with a readable cause, and the next sweep follows it at once', async () => {
    env = await startEnvironment({ ...options, remediationDeadlineSeconds: 1 });
    await env.sweep();
    weaken();
    const forbidden = forbiddenEvent();

    await env.run(forbidden).result;

    const failed = await env.trueAudit.getIncident(forbidden.detail.eventID);
    expect(failed).toMatchObject({ kind: Kind.FORBIDDEN_ATTACHED, outcome: 'FAILED' });
    expect(failed?.cause).toMatch(/^retries exhausted: .*RestoreBlocked: DetachPolicy p-FullAWSAccess from ou-a1b2-r8n2qv4j refused: ConstraintViolationException \(MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED\)/);

    // Someone puts the allow-list back by hand; the sweep follows the FAILED incident now, not in 24 hours.
    org().attachPolicy(Regulated.allowList, Regulated.ou);
    const { result, executions } = await env.sweep();
    await Promise.all(executions);

    expect(result.drift).toEqual([expect.objectContaining({ driftOf: Kind.FORBIDDEN_ATTACHED, follows: forbidden.detail.eventID, status: 'started' })]);
    expect(await env.trueAudit.getIncident(result.incidents[0])).toMatchObject({ outcome: 'RESTORED' });
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);
  });
});

/** The allow-list protected, and everything on it through a `"policies": "*"` rule; no forbid rule keeps FullAWSAccess off it. */
const typeRules = () =>
  testRules({
    protect: [
      { policyId: Org.denyLeave, targets: '*', mode: 'auto' },
      { policyId: Regulated.allowList, targets: [Regulated.ou], mode: 'auto' },
      { targetId: Regulated.ou, policies: '*', mode: 'auto' },
    ],
    policyTypeDisabled: { mode: 'auto' },
  });

describe('FullAWSAccess after a re-enable of SCPs, through the real ASL and the sweep', () => {
  let env: LocalEnvironment;
  afterEach(() => env.stop());
  const org = () => env.organization!;
  const rootWithout = async () => (await env.desired.rootTypes()).get(Org.root)?.withoutFullAwsAccess;
  const fullAccessDesired = async () => (await env.desired.pairs()).get(`${Org.fullAccess} ${Regulated.ou}`)?.desired === true;

  it('never records FullAWSAccess as desired mid-restoration, and takes it off once a restoration ended FAILED after the re-enable', async () => {
    env = await startEnvironment({ ...options, rules: typeRules(), remediationDeadlineSeconds: 1 });
    await env.sweep();
    expect(await rootWithout()).toEqual([Regulated.ou]);
    // The FullAWSAccess detach meets an outage that outlasts the deadline.
    env.organizationsEndpoint?.faults.script('DetachPolicy', Array.from({ length: 400 }, () => 'ServiceException' as const));
    const event = sampleEvent('15-scps-disabled-on-root.json');
    const restoring = replay(env, event);

    // (b) A sweep between the EnablePolicyType and the detach: FullAWSAccess is on the OU, a "*" rule covers it.
    await until('the detach was tried', () => (env.organizationsEndpoint?.requestLog.some((entry) => entry.operation === 'DetachPolicy') ?? false));
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(true);
    const during = await env.sweep();
    expect(during.result.drift).toEqual([]);
    expect(await fullAccessDesired()).toBe(false);
    expect(await rootWithout()).toEqual([Regulated.ou]);

    await restoring;
    env.organizationsEndpoint?.faults.clearScripts();
    expect(await env.trueAudit.getIncident(event.detail.eventID)).toMatchObject({ kind: Kind.POLICY_TYPE_DISABLED, outcome: 'FAILED', cause: expect.stringMatching(/^retries exhausted/) });
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(true);

    // (a) The next sweep neither forgets the OU nor takes FullAWSAccess as desired: it finds the restoration unfinished.
    const after = await env.sweep();
    await Promise.all(after.executions);
    expect(after.result.drift).toEqual([expect.objectContaining({ driftOf: Kind.POLICY_TYPE_DISABLED, follows: event.detail.eventID, status: 'started' })]);
    const followUp = await env.trueAudit.getIncident(after.result.incidents[0]);
    expect(followUp).toMatchObject({ outcome: 'RESTORED' });
    expect(followUp?.actions).toContainEqual({ call: 'DetachPolicy', policyId: Org.fullAccess, targetId: Regulated.ou, result: 'done' });
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);

    const settled = await env.sweep();
    expect(settled.result.drift).toEqual([]);
    expect(await fullAccessDesired()).toBe(false);
    expect(await rootWithout()).toEqual([Regulated.ou]);
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);
  });

  it('takes FullAWSAccess off the allow-list OU after a disable and re-enable whose events were lost', async () => {
    env = await startEnvironment({ ...options, rules: typeRules() });
    await env.sweep();
    org().disablePolicyType(SCP);
    org().enablePolicyType(SCP);
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(true);

    const found = await env.sweep();
    await Promise.all(found.executions);

    expect(found.result.drift).toContainEqual(expect.objectContaining({ driftOf: Kind.POLICY_TYPE_DISABLED, status: 'started' }));
    expect(await fullAccessDesired()).toBe(false);
    expect(org().isAttached(Org.fullAccess, Regulated.ou)).toBe(false);
    expect(org().isAttached(Regulated.allowList, Regulated.ou)).toBe(true);
    expect(org().isAttached(Org.denyLeave, Org.root)).toBe(true);

    const settled = await env.sweep();
    expect(settled.result.drift).toEqual([]);
    expect(await rootWithout()).toEqual([Regulated.ou]);
  });

  it('keeps a deliberate FullAWSAccess attachment (no disable): desired under the "*" rule, the OU no longer without it', async () => {
    env = await startEnvironment({ ...options, rules: typeRules() });
    await env.sweep();
    org().attachPolicy(Org.fullAccess, Regulated.ou);

    const { result } = await env.sweep();

    expect(result.drift).toEqual([]);
    expect(await fullAccessDesired()).toBe(true);
    expect(await rootWithout()).toEqual([]);
  });
});

import { SNSClient } from '@aws-sdk/client-sns';
import { notify } from '../../../functions/notify/notify';
import type { Closure } from '../../../functions/shared/incident';
import { silentLog } from '../../../functions/shared/log';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb/dynamodb-local';
import { LOCAL_TOPIC_ARN, type LocalEnvironment } from '../../../local/environment';
import type { PublishedMessage } from '../../../local/stand-ins/sns/sns-stand-in';
import type { MessageVersion } from '../../../local/stand-ins/slack/slack-stand-in';
import { detachEvent } from '../../support/events';
import { Org, replay, startEnvironment, testRules } from '../../support/local-harness';

/** Every notice of one incident, as the real workflow published it: email (SNS) and Slack. */
describe('notifications over an incident’s life (the real ASL, SNS and Slack stand-ins)', () => {
  let env: LocalEnvironment;
  let decideWith: (incidentId: string) => Promise<unknown> = async () => undefined;

  beforeAll(async () => {
    env = await startEnvironment({ onDecisionRequested: ({ incidentId }) => void decideWith(incidentId) });
  });
  afterAll(() => env.stop());
  beforeEach(() => {
    decideWith = async () => undefined;
  });

  const emailsFor = (incidentId: string): PublishedMessage[] => env.sns.published.filter((m) => m.attributes.incidentId === incidentId);
  const idOf = (event: Record<string, unknown>) => (event.detail as { eventID: string }).eventID;
  const steps = async (incidentId: string) => (await env.audit.getTimeline(incidentId)).map((e) => e.step);
  async function slackVersions(incidentId: string): Promise<MessageVersion[]> {
    const where = (await env.audit.getIncident(incidentId))?.slackMessage;
    return where === undefined ? [] : (env.slackStandIn?.message(where.channel, where.ts)?.history ?? []);
  }
  const hasButtons = (version: MessageVersion) => JSON.stringify(version.blocks).includes('"type":"actions"');

  it('sends one email when an auto-mode incident opens and one when it closes', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    await replay(env, event);

    const mail = emailsFor(idOf(event));
    expect(mail.map((m) => m.attributes.phase)).toEqual(['opened', 'closed']);
    expect(mail.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^SCP \S+ \(p-denyleave1\) detached from the root r-a1b2: reattaching$/),
      expect.stringMatching(/^SCP \S+ \(p-denyleave1\) detached from the root r-a1b2: reattached after \d/),
    ]);
    expect(mail[1].attributes).toMatchObject({ verdict: 'PROTECTED', outcome: 'REATTACHED', policyId: Org.denyLeave, targetId: Org.root, decision: 'AUTO' });
    expect(mail[1].message).toContain('Outcome       REATTACHED');
  });

  it('posts one Slack message for an auto-mode incident, without buttons, and updates it with the outcome', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });

    await replay(env, event);

    const versions = await slackVersions(idOf(event));
    expect(versions.map((v) => v.by)).toEqual(['chat.postMessage', 'chat.update']);
    expect(versions.some(hasButtons)).toBe(false);
    expect(JSON.stringify(versions[1].blocks)).toContain('*Outcome:* REATTACHED');
  });

  it('counts the "awaiting decision" email as the opening notice of an approval-mode incident', async () => {
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
    decideWith = (incidentId) => env.decideIncident(incidentId, 'APPROVE', 'local:test');

    await replay(env, event);

    const mail = emailsFor(idOf(event));
    expect(mail.map((m) => m.attributes.phase)).toEqual(['awaiting-decision', 'closed']);
    // A window that closes after midnight UTC is given with its date (the test may run at 23:50).
    expect(mail[0].subject).toMatch(/: approval needed by (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC, else reattach$/);
    expect(mail[0].message).toContain(`scp-guardian decide ${idOf(event)} --approve`);
    expect(mail[1].attributes).toMatchObject({ outcome: 'REATTACHED', decision: 'APPROVE' });
  });

  it('redraws the Slack message after a decision from the command line, then after the outcome', async () => {
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
    decideWith = (incidentId) => env.decideIncident(incidentId, 'APPROVE', 'arn:aws:iam::111122223333:user/bob');

    await replay(env, event);

    const [asked, decided, closed] = await slackVersions(idOf(event));
    expect([asked, decided, closed].map(hasButtons)).toEqual([true, false, false]);
    expect(JSON.stringify(decided.blocks)).toContain('`arn:aws:iam::111122223333:user/bob` approved reattaching the policy at ');
    expect(JSON.stringify(decided.blocks)).toContain('with `scp-guardian decide`');
    expect(JSON.stringify(closed.blocks)).toContain('*Outcome:* REATTACHED');
  });

  it('sends only the closing email for an observed detachment people asked to hear about', async () => {
    const event = detachEvent({ policyId: Org.denyRegion, targetId: Org.sandboxAccount });

    await replay(env, event);

    const mail = emailsFor(idOf(event));
    expect(mail.map((m) => [m.attributes.phase, m.attributes.verdict, m.attributes.outcome])).toEqual([['closed', 'UNPROTECTED', 'OBSERVED']]);
    expect(mail[0].subject).toMatch(/^Unprotected SCP .* detached from account .*: recorded, no change$/);
    env.organization?.attachPolicy(Org.denyRegion, Org.sandboxAccount);
  });

  it('tells a protected pair detached by the ignored pipeline role at low priority, and leaves it detached', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root, principalArn: 'arn:aws:iam::111122223333:role/OrgPipelineRole' });

    await replay(env, event);

    const mail = emailsFor(idOf(event));
    expect(mail.map((m) => [m.attributes.phase, m.attributes.severity])).toEqual([['closed', 'low']]);
    expect(mail[0].subject).toMatch(/^Low priority: .*not undone \(ignored principal\)$/);
    expect(env.organization?.isAttached(Org.denyLeave, Org.root)).toBe(false);
    env.organization?.attachPolicy(Org.denyLeave, Org.root);
  });

  it('sends nothing for the ignored pipeline role detaching a pair no rule protects', async () => {
    const event = detachEvent({ policyId: Org.fullAccess, targetId: Org.sandboxAccount, principalArn: 'arn:aws:iam::111122223333:role/OrgPipelineRole' });

    await replay(env, event);

    expect(emailsFor(idOf(event))).toEqual([]);
    expect(await slackVersions(idOf(event))).toEqual([]);
    env.organization?.attachPolicy(Org.fullAccess, Org.sandboxAccount);
  });

  it('never sends the task token to Slack or by email', async () => {
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
    let token = '';
    decideWith = async (incidentId) => {
      const record = await env.audit.getIncident(incidentId);
      token = (await env.decisions.get(record?.decisionId ?? ''))?.taskToken ?? '';
      return env.decideIncident(incidentId, 'APPROVE', 'local:test');
    };

    await replay(env, event);

    expect(token.length).toBeGreaterThan(100);
    expect(JSON.stringify(env.slackStandIn?.calls())).not.toContain(token);
    expect(JSON.stringify(env.sns.published)).not.toContain(token);
  });

  it('reattaches, emails and records the failure when Slack refuses to post', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });
    env.slackStandIn?.failNext('chat.postMessage', 'channel_not_found');

    const execution = await replay(env, event);

    const failed = (await env.audit.getTimeline(idOf(event))).filter((e) => e.step === 'notification-failed');
    expect(execution.status).toBe('SUCCEEDED');
    expect(await env.audit.getIncident(idOf(event))).toMatchObject({ outcome: 'REATTACHED' });
    expect(emailsFor(idOf(event)).map((m) => m.attributes.phase)).toEqual(['opened', 'closed']);
    expect(failed.map((e) => e.detail)).toEqual([expect.objectContaining({ phase: 'opened', channel: 'slack', error: expect.stringContaining('channel_not_found') })]);
  });

  it('does not wait out a long Slack rate limit: the request is emailed, recorded as failed, and still decidable', async () => {
    const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
    env.slackStandIn?.failNext('chat.postMessage', 'ratelimited', { retryAfterSeconds: 30 });
    decideWith = (incidentId) => env.decideIncident(incidentId, 'APPROVE', 'local:test');

    const execution = await replay(env, event);

    const failed = (await env.audit.getTimeline(idOf(event))).filter((e) => e.step === 'notification-failed');
    expect(execution.status).toBe('SUCCEEDED');
    expect(await env.audit.getIncident(idOf(event))).toMatchObject({ decision: 'APPROVE', outcome: 'REATTACHED' });
    expect(emailsFor(idOf(event)).map((m) => m.attributes.phase)).toEqual(['awaiting-decision', 'closed']);
    expect(failed.map((e) => e.detail)).toEqual([expect.objectContaining({ phase: 'awaiting-decision', channel: 'slack', error: expect.stringContaining('ratelimited') })]);
  });

  it('honours a short Retry-After and posts the message on the retry', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });
    env.slackStandIn?.failNext('chat.postMessage', 'ratelimited', { retryAfterSeconds: 1 });
    const callsBefore = env.slackStandIn?.calls('chat.postMessage').length ?? 0;

    await replay(env, event);

    const calls = env.slackStandIn?.calls('chat.postMessage').slice(callsBefore) ?? [];
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(await steps(idOf(event))).not.toContain('notification-failed');
  });

  it('does not send a notice again when Step Functions runs the notify task a second time', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });
    await replay(env, event);
    const record = await env.audit.getIncident(idOf(event));
    const sns = new SNSClient({ endpoint: env.sns.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const closure: Closure = { outcome: record?.outcome ?? 'REATTACHED', decision: record?.decision, closedAt: record?.closedAt ?? '' };

    const again = await notify(
      { phase: 'closed', incident: record!.incident, closure },
      { sns, topicArn: LOCAL_TOPIC_ARN, audit: env.audit, slack: { poster: env.slackNotifier, channel: 'C0SECURITY' }, log: silentLog },
    );

    expect(again.snsMessageId).toBe(emailsFor(idOf(event))[1].messageId);
    expect(emailsFor(idOf(event)).map((m) => m.attributes.phase)).toEqual(['opened', 'closed']);
    expect((await slackVersions(idOf(event))).map((v) => v.by)).toEqual(['chat.postMessage', 'chat.update']);
  });

  it('retries a failed email without sending the Slack message twice', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });
    env.sns.failNext(1);

    const execution = await replay(env, event);

    const failed = (await env.audit.getTimeline(idOf(event))).filter((e) => e.step === 'notification-failed');
    expect(execution.status).toBe('SUCCEEDED');
    expect(emailsFor(idOf(event)).map((m) => m.attributes.phase)).toEqual(['opened', 'closed']);
    expect((await slackVersions(idOf(event))).map((v) => v.by)).toEqual(['chat.postMessage', 'chat.update']);
    expect(failed.map((e) => e.detail)).toEqual([expect.objectContaining({ phase: 'opened', channel: 'email' })]);
  });
});

describe('notifications when nobody decides', () => {
  it.each([
    // A subject says the consequence briefly when the whole of it would not fit (SNS allows under
    // 100 characters), and how long it is depends on the override's end date: either form says it.
    ['reattach', /reattached after .*\((no decision in time|timed out)\)/, '✅ Policy reattached (no decision in time)'],
    ['keep-detached', /kept detached \((no decision in time|timed out)\)/, '✋ Policy kept detached (no decision in time)'],
  ] as const)('say onTimeout %s applied, by email and in Slack', async (onTimeout, subjectSays, slackHeader) => {
    const env = await startEnvironment({ rules: testRules({ approval: { timeoutMinutes: 15, onTimeout, approvers: ['U0APPROVER'] } }), approvalTimeoutSeconds: 1 });
    try {
      const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
      const incidentId = (event.detail as { eventID: string }).eventID;

      await replay(env, event);

      const [asking, closing] = env.sns.published;
      const where = (await env.audit.getIncident(incidentId))?.slackMessage;
      const message = where === undefined ? undefined : env.slackStandIn?.message(where.channel, where.ts);
      expect(asking.subject).toMatch(new RegExp(`else ${onTimeout === 'reattach' ? 'reattach' : 'keep detached'}$`));
      expect(closing.subject).toMatch(subjectSays);
      expect(closing.message).toContain(`TIMEOUT: nobody decided within the window, so onTimeout (${onTimeout}) applied`);
      expect(JSON.stringify(message?.blocks)).toContain(slackHeader);
      expect(JSON.stringify(message?.blocks)).toContain(`onTimeout (${onTimeout}) applied`);
      expect(JSON.stringify(message?.blocks)).not.toContain('"type":"actions"');
    } finally {
      await env.stop();
    }
  });
});

import { SlackActionId } from '../../functions/shared/slack/messages';
import { TaskTokenBroker } from '../../local/stand-ins/step-functions/task-tokens';
import { buttonClick, interactionBody, reasonSubmission, slackSignature, type SlackOrigin } from '../support/slack-signing';
import {
  buttonValue,
  emails,
  getJson,
  hasButtons,
  messageFor,
  postInteraction,
  postJson,
  postSigned,
  slackRecord,
  startLocalServer,
  waitForIncident,
  askedForDecision,
  decisionReason,
  type IncidentView,
  type LocalServer,
} from '../support/local-server';
import { detachEvent } from '../support/events';
import { Org, TEST_SLACK } from '../support/local-harness';

const SECRET = 'e2e-signing-secret-5f0c1d2e3a4b';
const APPROVER = 'U0APPROVER';
const STRANGER = 'U0STRANGER';
const SIX_MINUTES = 6 * 60_000;

interface Organization {
  policies: { id: string; targets: string[] }[];
}

async function isAttached(server: LocalServer, policyId: string, targetId: string): Promise<boolean> {
  const { body } = await getJson<Organization>(server, '/organization');
  return body.policies.find((p) => p.id === policyId)?.targets.includes(targetId) ?? false;
}

/** Detaches `policyId` from `targetId` (as the event says happened) and waits for the approval request. */
async function detachAndWait(server: LocalServer, policyId: string, targetId: string): Promise<{ incidentId: string; decisionId: string; channel: string; ts: string }> {
  const { body } = await postJson<{ incidentId: string }>(server, '/events', detachEvent({ policyId, targetId }));
  await waitForIncident(server, body.incidentId, askedForDecision);
  const message = messageFor(await slackRecord(server), body.incidentId);
  return { incidentId: body.incidentId, decisionId: buttonValue(message, SlackActionId.APPROVE), channel: message.channel, ts: message.ts };
}

/** A click on the message's button; from the test rules' workspace and app unless `origin` says otherwise. */
function clickBody(userId: string, actionId: string, decisionId: string, where: { channel: string; ts: string }, origin: SlackOrigin = {}): string {
  return interactionBody(buttonClick({ userId, actionId, value: decisionId, channel: where.channel, messageTs: where.ts, ...origin }));
}

/** A submission of the reason dialog; `privateMetadata` is what the dialog carried (default: opened from the test rules' channel). */
function submissionBody(userId: string, decisionId: string, reason: string | null, privateMetadata?: string): string {
  return interactionBody(reasonSubmission({ userId, decisionId, reason, privateMetadata }));
}

/** The decision-refused steps of the incident whose `why` says `why`. */
async function refusalsWhy(server: LocalServer, incidentId: string, why: string): Promise<Record<string, unknown>[]> {
  const incident = await waitForIncident(server, incidentId, () => true);
  return incident.timeline.filter((e) => e.step === 'decision-refused' && e.detail.why === why).map((e) => e.detail);
}

/** The ephemeral answers the stand-in delivered to `user`, in order. */
async function ephemeralsTo(server: LocalServer, user: string): Promise<string[]> {
  return (await slackRecord(server)).calls.filter((c) => c.method === 'chat.postEphemeral' && c.args.user === user).map((c) => String(c.args.text));
}

/** Closed, and the closing notice sent (the Slack message shows the outcome). */
const closed = (i: IncidentView) => i.status === 'CLOSED' && i.timeline.some((e) => e.step === 'notified' && e.detail.phase === 'closed');

describe('the Slack approve / override loop through `scp-guardian local --serve`', () => {
  let server: LocalServer;
  let waiting: { incidentId: string; decisionId: string; channel: string; ts: string };

  beforeAll(async () => {
    server = await startLocalServer({ slackSigningSecret: SECRET });
    waiting = await detachAndWait(server, Org.protectCloudTrail, Org.sandboxOu);
  });
  afterAll(() => server.stop());

  /** Nothing moved: still waiting, no decision recorded, the policy still detached. */
  async function expectStillWaiting(): Promise<void> {
    const incident = await waitForIncident(server, waiting.incidentId, () => true);
    expect(incident.status).toBe('AWAITING_DECISION');
    expect(incident.timeline.map((e) => e.step)).not.toContain('decided');
    expect(await isAttached(server, Org.protectCloudTrail, Org.sandboxOu)).toBe(false);
  }

  describe('forged or refused requests, none of which resumes the workflow', () => {
    it('answers 401 to a request without a signature', async () => {
      const body = clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, waiting);
      const timestamp = String(Math.floor(Date.now() / 1000));

      const answer = await postInteraction(server, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp }, body });

      expect(answer).toMatchObject({ status: 401, body: 'unauthorized: missing x-slack-signature header' });
      await expectStillWaiting();
    });

    it('answers 401 to a signature with another version prefix', async () => {
      const body = clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, waiting);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = slackSignature(SECRET, timestamp, body).replace(/^v0=/, 'v1=');

      const answer = await postInteraction(server, { headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature }, body });

      expect(answer).toMatchObject({ status: 401, body: 'unauthorized: signature is not v0= followed by 64 hex digits' });
      await expectStillWaiting();
    });

    it('answers 401 to a correctly signed request whose timestamp is six minutes old', async () => {
      const answer = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, waiting), new Date(Date.now() - SIX_MINUTES));

      expect(answer).toMatchObject({ status: 401, body: 'unauthorized: timestamp outside the 5-minute window' });
      await expectStillWaiting();
    });

    it('answers 401 to a correctly signed request whose timestamp is six minutes ahead', async () => {
      const answer = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, waiting), new Date(Date.now() + SIX_MINUTES));

      expect(answer).toMatchObject({ status: 401, body: 'unauthorized: timestamp outside the 5-minute window' });
      await expectStillWaiting();
    });

    it('answers 401 to a captured body replayed with a fresh timestamp', async () => {
      const body = clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, waiting);
      const captured = String(Math.floor((Date.now() - SIX_MINUTES) / 1000));
      const fresh = String(Math.floor(Date.now() / 1000));

      const answer = await postInteraction(server, { headers: { 'x-slack-request-timestamp': fresh, 'x-slack-signature': slackSignature(SECRET, captured, body) }, body });

      expect(answer).toMatchObject({ status: 401, body: 'unauthorized: signature mismatch' });
      await expectStillWaiting();
    });

    it('answers 401 to a request signed with another secret', async () => {
      const answer = await postSigned(server, `${SECRET}x`, clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, waiting));

      expect(answer).toMatchObject({ status: 401, body: 'unauthorized: signature mismatch' });
      await expectStillWaiting();
    });

    it('acknowledges a click by someone who is not an approver, tells them privately, and records the refusal', async () => {
      const answer = await postSigned(server, SECRET, clickBody(STRANGER, SlackActionId.APPROVE, waiting.decisionId, waiting));

      const incident = await waitForIncident(server, waiting.incidentId, () => true);
      expect(answer).toMatchObject({ status: 200, body: '' });
      expect(await ephemeralsTo(server, STRANGER)).toEqual([expect.stringContaining('You are not an approver')]);
      expect(incident.timeline).toContainEqual(expect.objectContaining({ step: 'decision-refused', detail: expect.objectContaining({ by: STRANGER }) }));
      await expectStillWaiting();
    });

    it('tells the clicker that a request with an unknown decision id has expired', async () => {
      const answer = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.APPROVE, 'aaaaaaaaaaaaaaaa', waiting));

      expect(answer).toMatchObject({ status: 200, body: '' });
      expect(await ephemeralsTo(server, APPROVER)).toEqual([expect.stringContaining('This request has expired')]);
      await expectStillWaiting();
    });

    it('keeps the override dialog open, with an error, when the reason is empty', async () => {
      const answer = await postSigned(server, SECRET, submissionBody(APPROVER, waiting.decisionId, '  '));

      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('Give a reason') } });
      await expectStillWaiting();
    });

    it('refuses an override submitted by someone who is not an approver, inside the dialog', async () => {
      const answer = await postSigned(server, SECRET, submissionBody(STRANGER, waiting.decisionId, 'I want it gone'));

      expect(JSON.parse(answer.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('not an approver') } });
      await expectStillWaiting();
    });

    it('refuses a correctly signed click by an approver id from another workspace, and records who, from where and why', async () => {
      const answer = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, waiting, { teamId: 'T0OTHERTEAM' }));

      expect(answer).toMatchObject({ status: 200, body: '' });
      expect((await ephemeralsTo(server, APPROVER)).pop()).toContain('only from people of the Slack workspace named in its protection rules');
      expect(await refusalsWhy(server, waiting.incidentId, `from workspace T0OTHERTEAM, not ${TEST_SLACK.teamId}`)).toEqual([
        { by: APPROVER, team: 'T0OTHERTEAM', decision: 'APPROVE', why: `from workspace T0OTHERTEAM, not ${TEST_SLACK.teamId}`, from: { team: 'T0OTHERTEAM', app: TEST_SLACK.appId, channel: waiting.channel } },
      ]);
      await expectStillWaiting();
    });

    it('refuses a correctly signed click sent to another Slack app, and records the refusal', async () => {
      const answer = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, waiting, { appId: 'A0OTHERAPP' }));

      expect(answer).toMatchObject({ status: 200, body: '' });
      expect(await refusalsWhy(server, waiting.incidentId, `sent to app A0OTHERAPP, not ${TEST_SLACK.appId}`)).toEqual([expect.objectContaining({ by: APPROVER, from: expect.objectContaining({ app: 'A0OTHERAPP' }) })]);
      await expectStillWaiting();
    });

    it('refuses a correctly signed click in another channel than the rules name, and records the refusal', async () => {
      const answer = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, { channel: 'C0ELSEWHERE', ts: waiting.ts }));

      expect(answer).toMatchObject({ status: 200, body: '' });
      expect((await ephemeralsTo(server, APPROVER)).pop()).toContain(`only in <#${waiting.channel}>`);
      expect(await refusalsWhy(server, waiting.incidentId, `in channel C0ELSEWHERE, not ${waiting.channel}`)).toEqual([expect.objectContaining({ by: APPROVER, from: expect.objectContaining({ channel: 'C0ELSEWHERE' }) })]);
      await expectStillWaiting();
    });

    it('refuses, inside the dialog, an override whose dialog metadata was changed to another channel, and records the refusal', async () => {
      await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.OVERRIDE, waiting.decisionId, waiting));
      const dialog = (await slackRecord(server)).calls.filter((c) => c.method === 'views.open').pop();
      const metadata = JSON.parse(String((dialog?.args.view as { private_metadata?: string } | undefined)?.private_metadata)) as Record<string, unknown>;
      const tampered = JSON.stringify({ ...metadata, channel: 'C0ELSEWHERE' });

      const answer = await postSigned(server, SECRET, submissionBody(APPROVER, waiting.decisionId, 'moving it elsewhere', tampered));

      expect(JSON.parse(answer.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('not opened from a decision message') } });
      expect(await refusalsWhy(server, waiting.incidentId, `a dialog opened for channel C0ELSEWHERE, not ${waiting.channel}`)).toEqual([
        expect.objectContaining({ by: APPROVER, decision: 'OVERRIDE', from: expect.objectContaining({ channel: 'C0ELSEWHERE' }) }),
      ]);
      await expectStillWaiting();
    });
  });

  describe('after the forged requests, an approver decides', () => {
    it('reattaches the policy when an approver clicks "Reattach now", and redraws the message twice', async () => {
      const answer = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.APPROVE, waiting.decisionId, waiting));

      const incident = await waitForIncident(server, waiting.incidentId, closed);
      const message = messageFor(await slackRecord(server), waiting.incidentId);
      const [posted, decided, outcome] = message.history;
      expect(answer).toMatchObject({ status: 200, body: '' });
      expect(incident).toMatchObject({ decision: 'APPROVE', decidedBy: APPROVER, outcome: 'REATTACHED' });
      expect(incident.timeline.find((e) => e.step === 'decided')?.detail).toMatchObject({ by: APPROVER, team: TEST_SLACK.teamId, via: 'slack' });
      expect(await isAttached(server, Org.protectCloudTrail, Org.sandboxOu)).toBe(true);
      expect(message.history.map((v) => v.by)).toEqual(['chat.postMessage', 'chat.update', 'chat.update']);
      expect(hasButtons(posted.blocks)).toBe(true);
      expect(hasButtons(decided.blocks)).toBe(false);
      expect(JSON.stringify(decided.blocks)).toMatch(new RegExp(`<@${APPROVER}> approved reattaching the policy at \\d{4}-\\d\\d-\\d\\dT`));
      expect(JSON.stringify(outcome.blocks)).toContain('*Outcome:* REATTACHED');
    });

    it('tells a second click who already decided, and when, and changes nothing', async () => {
      const before = await waitForIncident(server, waiting.incidentId, closed);

      const answer = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.OVERRIDE, waiting.decisionId, waiting));

      const after = await waitForIncident(server, waiting.incidentId, closed);
      const decidedAt = before.timeline.find((e) => e.step === 'decided')?.at;
      expect(answer.status).toBe(200);
      expect((await ephemeralsTo(server, APPROVER)).pop()).toContain(`already decided by <@${APPROVER}> at ${decidedAt}`);
      expect(after.timeline.filter((e) => e.step === 'decided')).toHaveLength(1);
      expect(after).toMatchObject({ decision: 'APPROVE', outcome: 'REATTACHED' });
    });

    it('keeps the policy detached when an approver overrides with a reason in the dialog', async () => {
      const other = await detachAndWait(server, Org.protectCloudTrail, Org.prodOu);

      const click = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.OVERRIDE, other.decisionId, other));
      const dialog = (await slackRecord(server)).calls.filter((c) => c.method === 'views.open').pop();
      const metadata = String((dialog?.args.view as { private_metadata?: string } | undefined)?.private_metadata);
      const submit = await postSigned(server, SECRET, submissionBody(APPROVER, other.decisionId, 'CloudTrail migration CHG-1234', metadata));

      const incident = await waitForIncident(server, other.incidentId, closed);
      const final = messageFor(await slackRecord(server), other.incidentId);
      expect(click).toMatchObject({ status: 200, body: '' });
      expect(dialog?.args.view).toMatchObject({ callback_id: 'scp_guardian_override_reason' });
      expect(JSON.parse(metadata)).toEqual({ decisionId: other.decisionId, channel: other.channel, messageTs: other.ts });
      expect(submit).toMatchObject({ status: 200, body: '' });
      expect(incident).toMatchObject({ decision: 'OVERRIDE', decidedBy: APPROVER, outcome: 'OVERRIDDEN' });
      expect(decisionReason(incident)).toBe('CloudTrail migration CHG-1234');
      expect(await isAttached(server, Org.protectCloudTrail, Org.prodOu)).toBe(false);
      expect(hasButtons(final.blocks)).toBe(false);
      expect(JSON.stringify(final.blocks)).toContain('CloudTrail migration CHG-1234');
    });

    it('never sends the task token to Slack or by email', async () => {
      const record = await slackRecord(server);
      const mail = await emails(server);

      const tokenPrefix = TaskTokenBroker.newToken().slice(0, 20);
      expect(record.calls.length).toBeGreaterThan(0);
      expect(JSON.stringify(record.calls)).not.toContain(tokenPrefix);
      expect(JSON.stringify(mail)).not.toContain(tokenPrefix);
    });
  });
});

describe('a click after the approval window closed', () => {
  let server: LocalServer;
  let timedOut: { incidentId: string; decisionId: string; channel: string; ts: string };

  beforeAll(async () => {
    server = await startLocalServer({ slackSigningSecret: SECRET, approvalTimeoutSeconds: 1 });
    const { body } = await postJson<{ incidentId: string }>(server, '/events', detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu }));
    await waitForIncident(server, body.incidentId, closed);
    const message = messageFor(await slackRecord(server), body.incidentId);
    timedOut = { incidentId: body.incidentId, decisionId: buttonValue(message.history[0], SlackActionId.APPROVE), channel: message.channel, ts: message.ts };
  });
  afterAll(() => server.stop());

  it('applies onTimeout and says so in the Slack message', async () => {
    const incident = await waitForIncident(server, timedOut.incidentId, closed);

    const message = messageFor(await slackRecord(server), timedOut.incidentId);
    expect(incident).toMatchObject({ decision: 'TIMEOUT', outcome: 'REATTACHED' });
    expect(hasButtons(message.blocks)).toBe(false);
    expect(JSON.stringify(message.blocks)).toContain('nobody decided by the deadline');
    expect(JSON.stringify(message.blocks)).toContain('onTimeout (reattach) applied');
  });

  it('answers a late click with "this request has expired" and changes nothing', async () => {
    const answer = await postSigned(server, SECRET, clickBody(APPROVER, SlackActionId.APPROVE, timedOut.decisionId, timedOut));

    const incident = await waitForIncident(server, timedOut.incidentId, closed);
    expect(answer).toMatchObject({ status: 200, body: '' });
    expect(await ephemeralsTo(server, APPROVER)).toEqual([expect.stringContaining('This request has expired')]);
    expect(incident.timeline.map((e) => e.step)).not.toContain('decided');
    expect(incident.decision).toBe('TIMEOUT');
  });

  it('answers a late override submission with "this request has expired" inside the dialog', async () => {
    const answer = await postSigned(server, SECRET, submissionBody(APPROVER, timedOut.decisionId, 'too late'));

    const incident = await waitForIncident(server, timedOut.incidentId, closed);
    expect(JSON.parse(answer.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('This request has expired') } });
    expect(incident).toMatchObject({ decision: 'TIMEOUT', outcome: 'REATTACHED' });
  });
});

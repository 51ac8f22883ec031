import { SlackActionId } from '../../functions/shared/slack/messages';
import { buttonClick, interactionBody, reasonSubmission } from '../support/slack-signing';
import {
  buttonValue,
  messageFor,
  postJson,
  postSigned,
  slackRecord,
  startLocalServer,
  waitForIncident,
  askedForDecision,
  type IncidentView,
  type LocalServer,
} from '../support/local-server';
import { detachEvent } from '../support/events';
import { Org, testRules } from '../support/local-harness';

const SECRET = 'e2e-override-expiry-secret-7a1b';
const APPROVER = 'U0APPROVER';

interface ModalView {
  private_metadata: string;
  blocks: { block_id?: string; element?: { type: string; options?: { value: string; text: { text: string } }[]; initial_option?: { value: string } } }[];
}

interface Waiting {
  incidentId: string;
  decisionId: string;
  channel: string;
  ts: string;
}

/** Closed, and the closing notice sent. */
const closed = (i: IncidentView) => i.status === 'CLOSED' && i.timeline.some((e) => e.step === 'notified' && e.detail.phase === 'closed');

/**
 * The Slack override dialog with a duration, end to end through `scp-guardian local --serve`:
 * signed clicks and submissions, the rules' `overrides` bounding what is offered and taken.
 */
describe('an override from Slack lasts the duration chosen in its dialog', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer({ slackSigningSecret: SECRET, rules: testRules({ overrides: { defaultHours: 8, maxHours: 24 } }) });
  });
  afterAll(() => server.stop());

  async function detachAndWait(targetId: string): Promise<Waiting> {
    const { body } = await postJson<{ incidentId: string }>(server, '/events', detachEvent({ policyId: Org.protectCloudTrail, targetId }));
    await waitForIncident(server, body.incidentId, askedForDecision);
    const message = messageFor(await slackRecord(server), body.incidentId);
    return { incidentId: body.incidentId, decisionId: buttonValue(message, SlackActionId.OVERRIDE), channel: message.channel, ts: message.ts };
  }

  /** Clicks "Keep detached" on the incident's message and returns the dialog the server opened. */
  async function openDialog(waiting: Waiting): Promise<ModalView> {
    const click = buttonClick({ userId: APPROVER, actionId: SlackActionId.OVERRIDE, value: waiting.decisionId, channel: waiting.channel, messageTs: waiting.ts });
    const before = (await slackRecord(server)).calls.filter((c) => c.method === 'views.open').length;
    await postSigned(server, SECRET, interactionBody(click));
    const opened = (await slackRecord(server)).calls.filter((c) => c.method === 'views.open');
    expect(opened).toHaveLength(before + 1);
    return opened[opened.length - 1].args.view as ModalView;
  }

  /** Submits the dialog as Slack would: its own private_metadata, the reason typed, the duration chosen. */
  const submit = (view: ModalView, waiting: Waiting, reason: string, duration: string) =>
    postSigned(server, SECRET, interactionBody(reasonSubmission({ userId: APPROVER, decisionId: waiting.decisionId, reason, duration, privateMetadata: view.private_metadata })));

  const durationMenu = (view: ModalView) => view.blocks.find((block) => block.block_id === 'duration')?.element;

  it('offers only durations up to overrides.maxHours, with overrides.defaultHours chosen', async () => {
    const waiting = await detachAndWait(Org.sandboxOu);

    const view = await openDialog(waiting);

    const menu = durationMenu(view);
    expect(menu?.type).toBe('static_select');
    expect(menu?.options?.map((option) => option.value)).toEqual(['1h', '4h', '8h', '1d']);
    expect(menu?.initial_option?.value).toBe('8h');
    expect(JSON.parse(view.private_metadata)).toEqual({ decisionId: waiting.decisionId, channel: waiting.channel, messageTs: waiting.ts });
  });

  it('keeps the policy detached until the end of the duration chosen, and says so in the Slack message', async () => {
    const waiting = await detachAndWait(Org.prodOu);
    const view = await openDialog(waiting);

    const answer = await submit(view, waiting, 'migration CHG-500', '4h');

    const incident = await waitForIncident(server, waiting.incidentId, closed);
    const decided = incident.timeline.find((e) => e.step === 'decided');
    const until = new Date(Date.parse(decided?.at ?? '') + 4 * 3_600_000).toISOString();
    const [, redrawn] = messageFor(await slackRecord(server), waiting.incidentId).history;
    expect(answer).toMatchObject({ status: 200, body: '' });
    expect(incident).toMatchObject({ decision: 'OVERRIDE', outcome: 'OVERRIDDEN', overriddenUntil: until });
    expect(decided?.detail).toMatchObject({ by: APPROVER, until });
    expect(JSON.stringify(redrawn.blocks)).toContain(`until *${until}*`);
  });

  it('refuses, inside the dialog, a duration longer than overrides.maxHours, and decides nothing', async () => {
    const waiting = await detachAndWait(Org.sandboxOu);
    const view = await openDialog(waiting);

    const answer = await submit(view, waiting, 'a long one', '3d');

    const incident = await waitForIncident(server, waiting.incidentId, () => true);
    expect(JSON.parse(answer.body)).toEqual({ response_action: 'errors', errors: { duration: "an override lasts at most 1d (the rules' overrides.maxHours is 24): 3d is longer" } });
    expect(incident.status).toBe('AWAITING_DECISION');
    expect(incident.timeline.map((e) => e.step)).not.toContain('decided');
  });
});

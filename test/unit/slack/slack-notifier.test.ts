import { LogLevel } from '@slack/web-api';
import { incidentMessage, overrideModal } from '../../../functions/shared/slack/messages';
import { SlackDeliveryError } from '../../../functions/shared/slack/slack-delivery-error';
import { SlackNotifier } from '../../../functions/shared/slack/slack-notifier';
import { SlackStandIn } from '../../../local/stand-ins/slack/slack-stand-in';
import { protectedIncident } from './incident-fixture';

const TOKEN = 'xoxb-test-token';
const standIn = new SlackStandIn({ token: TOKEN });
const detected = incidentMessage(protectedIncident(), { kind: 'detected' });

function notifier(options: { token?: string; retries?: number; maxRetryAfterSeconds?: number } = {}): SlackNotifier {
  return new SlackNotifier({
    token: options.token ?? TOKEN,
    slackApiUrl: standIn.apiUrl,
    retries: options.retries,
    maxRetryAfterSeconds: options.maxRetryAfterSeconds,
    logLevel: LogLevel.ERROR,
  });
}

async function rejection(promise: Promise<unknown>): Promise<SlackDeliveryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SlackDeliveryError) return error;
    throw error;
  }
  throw new Error('expected a SlackDeliveryError');
}

beforeAll(() => standIn.start());
afterAll(() => standIn.stop());
beforeEach(() => standIn.reset());

describe('SlackNotifier', () => {
  it('posts a message and answers its channel and ts', async () => {
    const posted = await notifier().post('C0123ABCD', detected);

    expect(posted.channel).toBe('C0123ABCD');
    expect(posted.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(standIn.message(posted.channel, posted.ts)).toMatchObject({ text: detected.text, blocks: detected.blocks });
  });

  it('replaces the text and blocks of a posted message and keeps its history', async () => {
    const slack = notifier();
    const posted = await slack.post('C0123ABCD', detected);
    const closed = incidentMessage(protectedIncident(), { kind: 'closed', outcome: 'REATTACHED' });

    await slack.update(posted.channel, posted.ts, closed);

    const stored = standIn.message(posted.channel, posted.ts);
    expect(stored?.blocks).toEqual(closed.blocks);
    expect(stored?.history.map((v) => v.by)).toEqual(['chat.postMessage', 'chat.update']);
  });

  it('posts an ephemeral message to one user', async () => {
    await notifier().postEphemeral('C0123ABCD', 'U0123ABCD', 'only for you');

    expect(standIn.calls('chat.postEphemeral')).toEqual([expect.objectContaining({ ok: true, args: expect.objectContaining({ channel: 'C0123ABCD', user: 'U0123ABCD', text: 'only for you' }) })]);
  });

  it('opens a modal with the trigger id', async () => {
    const view = overrideModal({ decisionId: 'k3j5h2g7f6d4s2a1', channel: 'C0SECURITY' }, protectedIncident());

    await notifier().openModal('trigger-1', view);

    expect(standIn.calls('views.open')[0].args).toEqual({ trigger_id: 'trigger-1', view });
  });

  it('waits for Retry-After on a 429 and succeeds on the retry', async () => {
    standIn.failNext('chat.postMessage', 'ratelimited', { retryAfterSeconds: 1 });

    const posted = await notifier().post('C0123ABCD', detected);

    const [limited, retried] = standIn.calls('chat.postMessage');
    expect(limited).toMatchObject({ status: 429, ok: false, error: 'ratelimited' });
    expect(retried).toMatchObject({ status: 200, ok: true });
    expect(retried.receivedAt - limited.receivedAt).toBeGreaterThanOrEqual(950);
    expect(standIn.messages().map((m) => m.ts)).toEqual([posted.ts]);
  });

  it('fails at once, without waiting, when Retry-After exceeds what a Lambda can afford', async () => {
    standIn.failNext('chat.update', 'ratelimited', { retryAfterSeconds: 60 });
    const started = Date.now();

    const error = await rejection(notifier({ maxRetryAfterSeconds: 2 }).update('C0123ABCD', '1700000000.000100', detected));

    expect(error).toMatchObject({ name: 'SlackDeliveryError', method: 'chat.update', slackError: 'ratelimited' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(standIn.calls('chat.update')).toHaveLength(1);
  });

  it('gives up as ratelimited once its retries are used', async () => {
    standIn.failNext('chat.postEphemeral', 'ratelimited', { retryAfterSeconds: 0 });
    standIn.failNext('chat.postEphemeral', 'ratelimited', { retryAfterSeconds: 0 });

    const error = await rejection(notifier({ retries: 1 }).postEphemeral('C0123ABCD', 'U0123ABCD', 'hello'));

    expect(error.slackError).toBe('ratelimited');
    expect(standIn.calls('chat.postEphemeral')).toHaveLength(2);
  });

  it("names the Slack method and Slack's error code when Slack refuses", async () => {
    const error = await rejection(notifier().update('C0123ABCD', '1700000000.999999', detected));

    expect(error).toBeInstanceOf(SlackDeliveryError);
    expect(error.message).toBe('Slack chat.update failed: message_not_found');
  });

  it('reports an injected Slack error on the call it was injected into', async () => {
    standIn.failNext('views.open', 'expired_trigger_id');

    const error = await rejection(notifier().openModal('trigger-1', overrideModal({ decisionId: 'd1', channel: 'C0SECURITY' }, protectedIncident())));

    expect(error).toMatchObject({ method: 'views.open', slackError: 'expired_trigger_id' });
  });

  it('reports invalid_auth for a wrong token', async () => {
    const error = await rejection(notifier({ token: 'xoxb-wrong' }).post('C0123ABCD', detected));

    expect(error).toMatchObject({ method: 'chat.postMessage', slackError: 'invalid_auth' });
    expect(standIn.messages()).toEqual([]);
  });
});

describe('SlackStandIn', () => {
  it('gives every posted message a unique, increasing ts', async () => {
    const slack = notifier();

    const first = await slack.post('C1', detected);
    const second = await slack.post('C1', detected);

    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
  });

  it('answers auth.test for the right token', async () => {
    const response = await fetch(`${standIn.apiUrl}auth.test`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });

    expect(await response.json()).toMatchObject({ ok: true, user_id: expect.any(String) });
  });
});

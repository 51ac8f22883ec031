import { LogLevel } from '@slack/web-api';
import { lazySlackCalls } from '../../../functions/shared/slack/lazy-notifier';
import { SlackDeliveryError } from '../../../functions/shared/slack/slack-delivery-error';
import { SlackStandIn } from '../../../local/stand-ins/slack/slack-stand-in';

const TOKEN = 'xoxb-lazy-test';
const standIn = new SlackStandIn({ token: TOKEN });
const message = { text: 'SCP detached', blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'SCP detached' } }] };
const options = () => ({ slackApiUrl: standIn.apiUrl, retries: 0, logLevel: LogLevel.ERROR });

beforeAll(() => standIn.start());
afterAll(() => standIn.stop());
beforeEach(() => standIn.reset());

describe('lazySlackCalls', () => {
  it('reads the bot token on each call and posts with it', async () => {
    let reads = 0;
    const slack = lazySlackCalls(async () => (reads++, TOKEN), options());

    await slack.post('C0SECURITY', message);
    await slack.post('C0SECURITY', message);

    expect(reads).toBe(2);
    expect(standIn.calls('chat.postMessage')).toHaveLength(2);
  });

  it('builds a new client when the token changes (a rotated secret)', async () => {
    const tokens = ['xoxb-revoked', TOKEN];
    const slack = lazySlackCalls(async () => tokens.shift() ?? TOKEN, options());

    await expect(slack.post('C0SECURITY', message)).rejects.toMatchObject({ slackError: 'invalid_auth' });
    await expect(slack.post('C0SECURITY', message)).resolves.toMatchObject({ channel: 'C0SECURITY' });
  });

  it('fails the call with no_bot_token_configured, naming the method, while the secret is empty', async () => {
    const slack = lazySlackCalls(async () => undefined, options());

    const attempt = slack.update('C0SECURITY', '1.2', message);

    await expect(attempt).rejects.toBeInstanceOf(SlackDeliveryError);
    await expect(attempt).rejects.toMatchObject({ method: 'chat.update', slackError: 'no_bot_token_configured' });
    expect(standIn.calls()).toEqual([]);
  });
});

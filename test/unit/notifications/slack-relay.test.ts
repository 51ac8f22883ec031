import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { slackFromEnvironment } from '../../../functions/shared/slack/slack-from-environment';
import { RelayedSlackPoster, relaySlackCall, SLACK_RELAY_KEY, slackRelayCallOf } from '../../../functions/shared/slack/slack-relay';
import { parseProtectionRules } from '../../../config/load';
import { SlackDeliveryError } from '../../../functions/shared/slack/slack-delivery-error';
import { SlackNotifier } from '../../../functions/shared/slack/slack-notifier';
import { handler } from '../../../functions/slack-relay/handler';
import { SlackStandIn } from '../../../local/stand-ins/slack/slack-stand-in';
import { lambdaContext } from '../../support/lambda-context';

const TOKEN = 'xoxb-relay-test';
const message = { text: 'SCP detached', blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'SCP detached' } }] };

/** notify and request-decision reach Slack only through the slack-relay function. */
describe('Slack relay', () => {
  let standIn: SlackStandIn;
  let poster: RelayedSlackPoster;

  beforeAll(async () => {
    standIn = new SlackStandIn({ token: TOKEN });
    await standIn.start();
    const slack = new SlackNotifier({ token: TOKEN, slackApiUrl: standIn.apiUrl, retries: 0 });
    poster = new RelayedSlackPoster(async (request) => relaySlackCall(slackRelayCallOf(JSON.parse(JSON.stringify(request))) as never, slack));
  });
  afterAll(() => standIn.stop());

  it('posts and then updates the same message through the relay', async () => {
    const posted = await poster.post('C0SECURITY', message);
    await poster.update(posted.channel, posted.ts, { ...message, text: 'SCP reattached' });

    expect(standIn.message(posted.channel, posted.ts)?.text).toBe('SCP reattached');
  });

  it("turns Slack's refusal back into a SlackDeliveryError naming Slack's error code", async () => {
    standIn.failNext('chat.postMessage', 'channel_not_found');

    const attempt = poster.post('C0NOWHERE', message);

    await expect(attempt).rejects.toBeInstanceOf(SlackDeliveryError);
    await expect(attempt).rejects.toMatchObject({ slackError: 'channel_not_found' });
  });

  it('takes nothing but a well-formed relay call as one', () => {
    expect(slackRelayCallOf({ headers: {}, body: 'payload=%7B%7D' })).toBeUndefined();
    expect(slackRelayCallOf({ [SLACK_RELAY_KEY]: { method: 'post', channel: 'C1' } })).toBeUndefined();
    expect(slackRelayCallOf({ [SLACK_RELAY_KEY]: { method: 'delete', channel: 'C1', message } })).toBeUndefined();
    expect(slackRelayCallOf({ [SLACK_RELAY_KEY]: { method: 'update', channel: 'C1', message } })).toBeUndefined();
  });

  describe('in the slack-relay Lambda function', () => {
    const secrets = mockClient(SecretsManagerClient);
    const saved = { ...process.env };

    beforeAll(() => {
      Object.assign(process.env, { BOT_TOKEN_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:bot', SLACK_API_URL: standIn.apiUrl });
      secrets.on(GetSecretValueCommand).resolves({ SecretString: TOKEN });
    });
    afterAll(() => {
      process.env = saved;
      secrets.restore();
    });

    it('carries out a relay request with the bot token it reads from Secrets Manager', async () => {
      const answer = await handler({ [SLACK_RELAY_KEY]: { method: 'post', channel: 'C0SECURITY', message } }, lambdaContext('scp-guardian-slack-relay'));

      expect(answer).toMatchObject({ ok: true, channel: 'C0SECURITY', ts: expect.any(String) });
    });
  });

  describe('from notify and request-decision', () => {
    const lambda = mockClient(LambdaClient);
    const rules = parseProtectionRules({ protect: [], notify: { slackChannel: 'C0SECURITY', slackTeamId: 'T0TESTTEAM', slackAppId: 'A0TESTAPP' } });
    const saved = { ...process.env };

    beforeEach(() => {
      lambda.reset();
      process.env.SLACK_FUNCTION_NAME = 'scp-guardian-slack';
    });
    afterAll(() => {
      process.env = saved;
      lambda.restore();
    });

    it('invoke the relay function with the call and read its answer', async () => {
      lambda.on(InvokeCommand).resolves({ Payload: new TextEncoder().encode(JSON.stringify({ ok: true, channel: 'C0SECURITY', ts: '1.2' })) as never });

      const posted = await slackFromEnvironment(rules)?.poster.post('C0SECURITY', message);

      expect(posted).toEqual({ channel: 'C0SECURITY', ts: '1.2' });
      const sent = JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array));
      expect(sent).toEqual({ [SLACK_RELAY_KEY]: { method: 'post', channel: 'C0SECURITY', message } });
    });

    it('report a crashed relay function as a Slack delivery failure, never a workflow failure', async () => {
      lambda.on(InvokeCommand).resolves({ FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{"errorMessage":"boom"}') as never });

      await expect(slackFromEnvironment(rules)?.poster.post('C0SECURITY', message)).rejects.toBeInstanceOf(SlackDeliveryError);
    });

    it('leave Slack out when no channel is configured', () => {
      expect(slackFromEnvironment(parseProtectionRules({ protect: [] }))).toBeUndefined();
    });
  });
});

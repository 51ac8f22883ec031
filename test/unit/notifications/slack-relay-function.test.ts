import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SLACK_RELAY_KEY } from '../../../functions/shared/slack/slack-relay';
import type { SlackPoster } from '../../../functions/shared/slack/slack-poster';
import { SlackDeliveryError } from '../../../functions/shared/slack/slack-delivery-error';
import { FUNCTION_TIMEOUT_SECONDS } from '../../../functions/shared/workflow-functions';
import { createSlackRelayHandler, RELAY_SLACK_OPTIONS } from '../../../functions/slack-relay/handler';
import { parseProtectionRules } from '../../../config/load';
import { silentLog } from '../../../functions/shared/log';
import { createSlackInteractionsHandler, dependenciesFromEnv } from '../../../functions/slack-interactions/handler';
import { SlackStandIn } from '../../../local/stand-ins/slack/slack-stand-in';

const message = { text: 'SCP detached', blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'SCP detached' } }] };

/** A poster that records its calls and answers as Slack would, or refuses with `refuse`. */
function fakePoster(refuse?: string): SlackPoster & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    post: async (channel) => {
      calls.push(`post ${channel}`);
      if (refuse !== undefined) throw new SlackDeliveryError('chat.postMessage', refuse);
      return { channel, ts: '1700000000.000100' };
    },
    update: async (channel, ts) => {
      calls.push(`update ${channel} ${ts}`);
      if (refuse !== undefined) throw new SlackDeliveryError('chat.update', refuse);
    },
  };
}

describe('the slack-relay handler', () => {
  it('posts the message of a relay request and answers its channel and ts', async () => {
    const slack = fakePoster();

    const answer = await createSlackRelayHandler({ slack, log: silentLog })({ [SLACK_RELAY_KEY]: { method: 'post', channel: 'C0SECURITY', message } });

    expect(answer).toEqual({ ok: true, channel: 'C0SECURITY', ts: '1700000000.000100' });
    expect(slack.calls).toEqual(['post C0SECURITY']);
  });

  it('updates the message a relay request names', async () => {
    const slack = fakePoster();

    const answer = await createSlackRelayHandler({ slack, log: silentLog })({ [SLACK_RELAY_KEY]: { method: 'update', channel: 'C0SECURITY', ts: '1.2', message } });

    expect(answer).toEqual({ ok: true, channel: 'C0SECURITY', ts: '1.2' });
    expect(slack.calls).toEqual(['update C0SECURITY 1.2']);
  });

  it("answers Slack's refusal with its error code rather than failing the invocation", async () => {
    const answer = await createSlackRelayHandler({ slack: fakePoster('channel_not_found'), log: silentLog })({ [SLACK_RELAY_KEY]: { method: 'post', channel: 'C0NOWHERE', message } });

    expect(answer).toEqual({ ok: false, method: 'chat.postMessage', slackError: 'channel_not_found' });
  });

  it('answers a malformed request with a refusal, and calls Slack for nothing', async () => {
    const slack = fakePoster();

    const answer = await createSlackRelayHandler({ slack, log: silentLog })({ [SLACK_RELAY_KEY]: { method: 'delete', channel: 'C0SECURITY', message } });

    expect(answer).toEqual({ ok: false, method: 'relay', slackError: 'malformed_relay_request' });
    expect(slack.calls).toEqual([]);
  });

  it("waits on Slack, at worst, less than the relay function's timeout", () => {
    const { retries, timeoutMs, maxRetryAfterSeconds } = RELAY_SLACK_OPTIONS;
    // Every attempt cut at its timeout, the longest Retry-After honoured and the SDK's 1 s maximum backoff between attempts.
    const worstMs = (retries + 1) * timeoutMs + maxRetryAfterSeconds * 1000 + retries * 1000;

    expect(worstMs).toBeLessThan(FUNCTION_TIMEOUT_SECONDS['slack-relay'] * 1000);
  });
});

describe('the public slack-interactions function', () => {
  const TOKEN = 'xoxb-interactions-test';
  const secrets = mockClient(SecretsManagerClient);
  const saved = { ...process.env };
  let standIn: SlackStandIn;

  beforeAll(async () => {
    standIn = new SlackStandIn({ token: TOKEN });
    await standIn.start();
    Object.assign(process.env, {
      TABLE_NAME: 'audit',
      SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:signing',
      BOT_TOKEN_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:bot',
      SLACK_API_URL: standIn.apiUrl,
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    secrets.on(GetSecretValueCommand).resolves({ SecretString: TOKEN });
  });
  afterAll(async () => {
    process.env = saved;
    secrets.restore();
    await standIn.stop();
  });

  it('relays nothing: a relay request is to it an unsigned request, refused', async () => {
    const rules = parseProtectionRules({ protect: [], notify: { slackChannel: 'C0SECURITY', slackTeamId: 'T0TESTTEAM', slackAppId: 'A0TESTAPP' } });
    const interactions = createSlackInteractionsHandler(dependenciesFromEnv(process.env, rules, () => {}));

    const answer = await interactions({ [SLACK_RELAY_KEY]: { method: 'post', channel: 'C0SECURITY', message } } as never);

    expect(answer).toMatchObject({ statusCode: 401 });
    expect(standIn.calls()).toEqual([]);
  });
});

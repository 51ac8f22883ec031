import { createSlackInteractionsHandler, dependenciesFromEnv } from '../../../functions/slack-interactions/handler';
import { parseProtectionRules } from '../../../config/load';

const rules = parseProtectionRules({ protect: [{ policyId: 'p-12345678', targets: '*', mode: 'approval' }], approval: { approvers: ['U0123ABCD'] } });
const env = { TABLE_NAME: 'audit', SIGNING_SECRET_ARN: 'arn:signing', BOT_TOKEN_ARN: 'arn:bot' };
const noMetrics = () => {};

describe('slack-interactions handler wiring', () => {
  it('builds its handler from a complete environment without calling AWS', () => {
    expect(createSlackInteractionsHandler(dependenciesFromEnv(env, rules, noMetrics))).toEqual(expect.any(Function));
  });

  it("takes Slack decisions only from the rules' channel, workspace and app", () => {
    const withSlack = parseProtectionRules({ protect: [], notify: { slackChannel: 'C0SECURITY', slackTeamId: 'T0TESTTEAM', slackAppId: 'A0TESTAPP' } });

    expect(dependenciesFromEnv(env, withSlack, noMetrics).rules.notify).toMatchObject({ slackChannel: 'C0SECURITY', slackTeamId: 'T0TESTTEAM', slackAppId: 'A0TESTAPP' });
  });

  it.each(['TABLE_NAME', 'SIGNING_SECRET_ARN', 'BOT_TOKEN_ARN'])('refuses to start without %s', (name) => {
    expect(() => dependenciesFromEnv({ ...env, [name]: undefined }, rules, noMetrics)).toThrow(name);
  });
});

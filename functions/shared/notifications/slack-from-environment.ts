import type { ProtectionRules } from '../rules/schema';
import { secretValue } from '../secrets';
import { SlackNotifier } from '../slack/slack-notifier';
import type { SlackTarget } from './slack-poster';

let notifier: { token: string; notifier: SlackNotifier } | undefined;

/**
 * Slack for a Lambda handler: the channel from the rules and the bot token from Secrets
 * Manager. Undefined when either is missing: Slack is optional, email is not.
 */
export async function slackFromEnvironment(rules: ProtectionRules): Promise<SlackTarget | undefined> {
  const channel = rules.notify.slackChannel;
  const secretArn = process.env.BOT_TOKEN_ARN;
  if (channel === undefined || secretArn === undefined || secretArn === '') return undefined;
  const token = await secretValue(secretArn);
  if (token === undefined) return undefined;
  if (notifier?.token !== token) notifier = { token, notifier: new SlackNotifier({ token }) };
  return { poster: notifier.notifier, channel };
}

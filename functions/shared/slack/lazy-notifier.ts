import { SlackDeliveryError } from './slack-delivery-error';
import { SlackNotifier, type SlackNotifierOptions } from './slack-notifier';

/** The Slack calls the two Slack functions make (slack-relay uses post and update only). */
export type SlackCalls = Pick<SlackNotifier, 'post' | 'update' | 'postEphemeral' | 'openModal'>;

/**
 * Slack calls whose client is built on first use from the bot token, and again whenever the
 * token changes (a rotated secret is picked up without a redeploy). While the secret is empty
 * every call fails with `no_bot_token_configured`, naming its method.
 */
export function lazySlackCalls(token: () => Promise<string | undefined>, options: Omit<SlackNotifierOptions, 'token'>): SlackCalls {
  let current: { token: string; notifier: SlackNotifier } | undefined;
  const notifier = async (method: string): Promise<SlackNotifier> => {
    const value = await token();
    if (value === undefined) throw new SlackDeliveryError(method, 'no_bot_token_configured');
    if (current?.token !== value) current = { token: value, notifier: new SlackNotifier({ ...options, token: value }) };
    return current.notifier;
  };
  return {
    post: async (channel, message) => (await notifier('chat.postMessage')).post(channel, message),
    update: async (channel, ts, message) => (await notifier('chat.update')).update(channel, ts, message),
    postEphemeral: async (channel, user, text) => (await notifier('chat.postEphemeral')).postEphemeral(channel, user, text),
    openModal: async (triggerId, view) => (await notifier('views.open')).openModal(triggerId, view),
  };
}

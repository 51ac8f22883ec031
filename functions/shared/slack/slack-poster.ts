import type { SlackMessage } from './messages';

/** What the workflow's notifiers need from Slack (the SlackNotifier provides it). */
export interface SlackPoster {
  post(channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
}

/** Slack, when it is configured: a channel in the rules and a bot token. */
export interface SlackTarget {
  poster: SlackPoster;
  channel: string;
}

import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type FetchFunction,
  type ModalView,
} from '@slack/web-api';
import { SlackDeliveryError } from './slack-delivery-error';
import type { SlackMessage } from './messages';


/** How the notifier reaches Slack, and how long it may wait. */
export interface SlackNotifierOptions {
  /** Bot token (xoxb-...). */
  token: string;
  /** Web API base URL, ending in `/api/`. @default 'https://slack.com/api/' */
  slackApiUrl?: string;
  /** Retries after the first attempt, for rate limits and network errors. @default 2 */
  retries?: number;
  /**
   * Longest Retry-After worth waiting for. A longer one fails the call at once with
   * `ratelimited`: this runs in a Lambda, where waiting a minute helps nobody. @default 3
   */
  maxRetryAfterSeconds?: number;
  /** Per-request timeout in milliseconds. @default 5000 */
  timeoutMs?: number;
  /** The WebClient's own log level. @default LogLevel.WARN */
  logLevel?: LogLevel;
  /** Requests in flight at once; the rest wait in the WebClient's queue. @default 100 (WebClient's) */
  maxRequestConcurrency?: number;
}

/**
 * Turns a 429 whose Retry-After exceeds the budget into Slack's own `ratelimited` answer, which
 * WebClient reports at once instead of sleeping through it. Shorter waits pass through, so
 * WebClient honours them and retries under its retryConfig.
 */
function withRetryAfterBudget(maxSeconds: number): FetchFunction {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (response.status !== 429) return response;
    const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
    if (Number.isNaN(retryAfter) || retryAfter <= maxSeconds) return response;
    await response.body?.cancel();
    return new Response(JSON.stringify({ ok: false, error: 'ratelimited', retry_after: retryAfter }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
}

/** Slack's error code for anything WebClient throws. */
function slackErrorCode(error: unknown): string {
  if (error instanceof WebAPIPlatformError) return error.data.error;
  if (error instanceof WebAPIRateLimitedError) return 'ratelimited';
  if (error instanceof WebAPIHTTPError) return `http_${error.statusCode}`;
  // Once its retries on 429 are used up, WebClient wraps its own "rate limit was exceeded" error.
  if (error instanceof WebAPIRequestError) return /rate limit/i.test(error.original.message) ? 'ratelimited' : 'request_failed';
  return 'unknown_error';
}

/**
 * The Slack Web API calls scp-guardian makes, with bounded retries. Every method throws
 * SlackDeliveryError naming the method and Slack's error code; callers decide whether a
 * failed notification is worth more than a record of it.
 */
export class SlackNotifier {
  private readonly client: WebClient;

  constructor(options: SlackNotifierOptions) {
    this.client = new WebClient(options.token, {
      slackApiUrl: options.slackApiUrl,
      retryConfig: { retries: options.retries ?? 2, factor: 2, minTimeout: 100, maxTimeout: 1000, randomize: true },
      rejectRateLimitedCalls: false,
      timeout: options.timeoutMs ?? 5000,
      fetch: withRetryAfterBudget(options.maxRetryAfterSeconds ?? 3),
      logLevel: options.logLevel ?? LogLevel.WARN,
      ...(options.maxRequestConcurrency === undefined ? {} : { maxRequestConcurrency: options.maxRequestConcurrency }),
    });
  }

  private async call<T>(method: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new SlackDeliveryError(method, slackErrorCode(error), { cause: error });
    }
  }

  /** Posts a message; answers where it landed, which chat.update needs later. */
  async post(channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }> {
    const answer = await this.call('chat.postMessage', () => this.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks }));
    if (answer.channel === undefined || answer.ts === undefined) throw new SlackDeliveryError('chat.postMessage', 'missing_channel_or_ts');
    return { channel: answer.channel, ts: answer.ts };
  }

  /** Replaces a posted message's text and blocks. */
  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.call('chat.update', () => this.client.chat.update({ channel, ts, text: message.text, blocks: message.blocks }));
  }

  /** Shows `text` to one user in the channel, to nobody else. */
  async postEphemeral(channel: string, user: string, text: string): Promise<void> {
    await this.call('chat.postEphemeral', () => this.client.chat.postEphemeral({ channel, user, text }));
  }

  /** Opens a modal; the trigger id from an interaction is valid for three seconds. */
  async openModal(triggerId: string, view: ModalView): Promise<void> {
    await this.call('views.open', () => this.client.views.open({ trigger_id: triggerId, view }));
  }
}

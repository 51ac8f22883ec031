import type { SlackPoster } from '../functions/shared/slack/slack-poster';
import type { SlackMessage } from '../functions/shared/slack/messages';
import { SlackDeliveryError } from '../functions/shared/slack/slack-delivery-error';
import type { SlackNotifier } from '../functions/shared/slack/slack-notifier';

/** How long `drain` waits for Slack's calls in flight before it gives up on them: a Slack that never answers must not keep the environment from stopping. */
export const SLACK_DRAIN_TIMEOUT_MS = 3_000;

/** What a local environment's Slack client does: post and update (the workflow), answer clicks (interactions). */
type SlackClient = SlackPoster & Pick<SlackNotifier, 'postEphemeral' | 'openModal'>;

/**
 * A local environment's one Slack client (the stand-in's or the real Slack's), whose calls can be
 * drained when the environment stops. WebClient retries a failed call (a rate limit waits its
 * Retry-After first) for seconds after the workflow, a decision's announcement or an interaction
 * started it; stopping the stand-in under it turns each retry into `fetch failed`, logged by
 * WebClient after whoever stopped the environment has moved on (a test that has ended). So
 * `drain` refuses new calls at once, without a request, and waits for those in flight, while
 * Slack (the stand-in) still answers them, for at most SLACK_DRAIN_TIMEOUT_MS: what is still in
 * flight then is abandoned, and said on stderr.
 */
export class DrainableSlack implements SlackClient {
  private readonly inFlight = new Map<Promise<unknown>, string>();
  private draining = false;

  constructor(private readonly slack: SlackClient) {}

  post(channel: string, message: SlackMessage): Promise<{ channel: string; ts: string }> {
    return this.track('chat.postMessage', () => this.slack.post(channel, message));
  }

  update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    return this.track('chat.update', () => this.slack.update(channel, ts, message));
  }

  postEphemeral(channel: string, user: string, text: string): Promise<void> {
    return this.track('chat.postEphemeral', () => this.slack.postEphemeral(channel, user, text));
  }

  openModal(...args: Parameters<SlackClient['openModal']>): Promise<void> {
    return this.track('views.open', () => this.slack.openModal(...args));
  }

  /** Calls not settled yet, retries included. */
  get pending(): number {
    return this.inFlight.size;
  }

  /**
   * Refuses every later call (SlackDeliveryError `local_environment_stopped`) and resolves once the
   * calls in flight have settled, or after `timeoutMs`, saying through `report` which calls it
   * abandoned.
   */
  async drain(timeoutMs: number = SLACK_DRAIN_TIMEOUT_MS, report: (line: string) => void = (line) => void process.stderr.write(line)): Promise<void> {
    this.draining = true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), timeoutMs)));
    try {
      const ended = await Promise.race([Promise.allSettled([...this.inFlight.keys()]), timedOut]);
      if (ended !== 'timed out' || this.inFlight.size === 0) return;
      const methods = [...this.inFlight.values()];
      report(`scp-guardian local: stopped without waiting any longer for ${methods.length} Slack call${methods.length === 1 ? '' : 's'} still unanswered after ${timeoutMs / 1000} s (${methods.join(', ')}): not delivered\n`);
    } finally {
      clearTimeout(timer);
    }
  }

  private track<T>(method: string, call: () => Promise<T>): Promise<T> {
    if (this.draining) return Promise.reject(new SlackDeliveryError(method, 'local_environment_stopped'));
    const pending = call();
    this.inFlight.set(pending, method);
    const settled = () => this.inFlight.delete(pending);
    pending.then(settled, settled);
    return pending;
  }
}

import { format } from 'node:util';
import { incidentMessage } from '../../../functions/shared/slack/messages';
import type { LocalEnvironment } from '../../../local/environment';
import { SLACK_DRAIN_TIMEOUT_MS } from '../../../local/slack-calls';
import { protectedIncident } from '../slack/incident-fixture';
import { startEnvironment } from '../../support/local-harness';

/** What the process prints on the console (WebClient's own logger writes there) while `work` runs and a while after. */
async function consoleOutput(work: () => Promise<void>, afterMs: number): Promise<string[]> {
  const printed: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const originals = methods.map((method) => console[method]);
  for (const method of methods) console[method] = (...args: unknown[]) => void printed.push(format(...args));
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, afterMs));
  } finally {
    methods.forEach((method, index) => (console[method] = originals[index]));
  }
  return printed;
}

async function until(what: string, condition: () => boolean, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const message = () => incidentMessage(protectedIncident(), { kind: 'detected' });

describe('a local environment that stops while Slack calls are under way', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  it('lets a call waiting out a rate limit finish against the stand-in before it stops, and nothing is logged after', async () => {
    env = await startEnvironment();
    const standIn = env.slackStandIn!;
    standIn.failNext('chat.postMessage', 'ratelimited', { retryAfterSeconds: 1 });
    const stopping = env;
    let outcome = 'pending';

    // The retry comes 1 s after the 429, when the stand-in would be gone had stop not waited.
    const printed = await consoleOutput(async () => {
      const posting = stopping.slackNotifier.post('C0SECURITY', message()).then(
        (posted) => (outcome = `posted at ${posted.ts}`),
        (error: Error) => (outcome = error.message),
      );
      await until('the first attempt answered 429', () => standIn.calls('chat.postMessage').length === 1);
      await stopping.stop();
      env = undefined;
      await posting;
    }, 1_500);

    expect(outcome).toMatch(/^posted at \d+\.\d+$/);
    expect(standIn.calls('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
    expect(printed.filter((line) => line.includes('fetch failed'))).toEqual([]);
  });

  it('refuses a Slack call that starts once it is stopping, at once and without a request', async () => {
    env = await startEnvironment();
    const { slackNotifier, slackStandIn } = env;
    await env.stop();
    env = undefined;

    const started = Date.now();
    const refusal = await slackNotifier.update('C0SECURITY', '1700000000.000100', message()).then(
      () => 'updated',
      (error: Error) => error.message,
    );

    expect(refusal).toBe('Slack chat.update failed: local_environment_stopped');
    expect(Date.now() - started).toBeLessThan(100);
    expect(slackStandIn!.calls('chat.update')).toEqual([]);
  });

  it('stops when Slack never answers, without that call, and says on stderr what it abandoned', async () => {
    env = await startEnvironment();
    const standIn = env.slackStandIn!;
    // Longer than stop waits for Slack (SLACK_DRAIN_TIMEOUT_MS): as far as stop can tell, never.
    standIn.delayNext('chat.postMessage', SLACK_DRAIN_TIMEOUT_MS + 5_000);
    const stopping = env;
    let outcome = 'pending';
    const posting = stopping.slackNotifier.post('C0SECURITY', message()).then(
      (posted) => (outcome = `posted at ${posted.ts}`),
      (error: Error) => (outcome = error.message),
    );
    await until('the call reached the stand-in', () => standIn.calls('chat.postMessage').length === 1);
    const written: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((text) => written.push(String(text)) > 0);

    let outcomeWhenStopped: string;
    try {
      await stopping.stop();
      outcomeWhenStopped = outcome;
    } finally {
      stderr.mockRestore();
    }
    env = undefined;
    await consoleOutput(() => posting.then(() => undefined), 0);

    expect(outcomeWhenStopped).not.toMatch(/^posted/);
    expect(written).toContain(`scp-guardian local: stopped without waiting any longer for 1 Slack call still unanswered after ${SLACK_DRAIN_TIMEOUT_MS / 1000} s (chat.postMessage): not delivered\n`);
  }, 30_000);
});

import { format } from 'node:util';
import { incidentMessage } from '../../functions/shared/slack/messages';
import type { LocalEnvironment } from '../../local/environment';
import { protectedIncident } from '../slack/incident-fixture';
import { startEnvironment } from '../support/local-harness';

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
    const standin = env.slackStandin!;
    standin.failNext('chat.postMessage', 'ratelimited', { retryAfterSeconds: 1 });
    const stopping = env;
    let outcome = 'pending';

    // The retry comes 1 s after the 429, when the stand-in would be gone had stop not waited.
    const printed = await consoleOutput(async () => {
      const posting = stopping.slackNotifier.post('C0SECURITY', message()).then(
        (posted) => (outcome = `posted at ${posted.ts}`),
        (error: Error) => (outcome = error.message),
      );
      await until('the first attempt answered 429', () => standin.calls('chat.postMessage').length === 1);
      await stopping.stop();
      env = undefined;
      await posting;
    }, 1_500);

    expect(outcome).toMatch(/^posted at \d+\.\d+$/);
    expect(standin.calls('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
    expect(printed.filter((line) => line.includes('fetch failed'))).toEqual([]);
  });

  it('refuses a Slack call that starts once it is stopping, at once and without a request', async () => {
    env = await startEnvironment();
    const { slackNotifier, slackStandin } = env;
    await env.stop();
    env = undefined;

    const started = Date.now();
    const refusal = await slackNotifier.update('C0SECURITY', '1700000000.000100', message()).then(
      () => 'updated',
      (error: Error) => error.message,
    );

    expect(refusal).toBe('Slack chat.update failed: local_environment_stopped');
    expect(Date.now() - started).toBeLessThan(100);
    expect(slackStandin!.calls('chat.update')).toEqual([]);
  });
});

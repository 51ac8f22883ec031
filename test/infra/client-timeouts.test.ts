import { DYNAMODB_CLIENT_OPTIONS } from '../../functions/shared/clients/dynamodb';
import { LAMBDA_CLIENT_OPTIONS } from '../../functions/shared/clients/lambda';
import { ORGANIZATIONS_CLIENT_OPTIONS } from '../../functions/shared/clients/organizations';
import { SFN_CLIENT_OPTIONS } from '../../functions/shared/clients/sfn';
import { SNS_CLIENT_OPTIONS } from '../../functions/shared/clients/sns';
import { CLIENT_TIMEOUTS, type ClientTimeouts } from '../../functions/shared/clients/timeouts';
import type { HandlerName } from '../../infra/constructs/handlers';
import { NO_BUNDLING, synthesize } from './support';

type Service = keyof typeof CLIENT_TIMEOUTS;
/** A generous bound on the SDK's jittered backoff between two attempts after a timeout. */
const MAX_BACKOFF_MS = 1_000;

describe('the timeouts fit the functions that make the calls', () => {
  /** Which functions create which client (functions/shared/clients/, slack-from-environment.ts). */
  const USES: Record<Service, readonly HandlerName[]> = {
    organizations: ['classify', 'reattach'],
    dynamodb: ['request-decision', 'reattach', 'close', 'notify', 'slack-interactions'],
    claim: ['claim'],
    admission: ['admit'],
    secretsmanager: ['slack-interactions', 'slack-relay'],
    sns: ['request-decision', 'notify'],
    sfn: ['slack-interactions'],
    lambda: ['request-decision', 'notify'],
  };
  /** One call's worst case: every attempt cut at the request timeout, with the backoff between them. */
  const worstCaseMs = (t: ClientTimeouts) => t.maxAttempts * t.requestTimeoutMs + (t.maxAttempts - 1) * MAX_BACKOFF_MS;

  let functionTimeoutMs: (name: HandlerName) => number;
  beforeAll(() => {
    const { stack } = synthesize(NO_BUNDLING);
    functionTimeoutMs = (name) => {
      const timeout = stack.handlers.functions[name].timeout;
      if (timeout === undefined) throw new Error(`${name} has no timeout`);
      return timeout.toMilliseconds();
    };
  });

  it.each(Object.entries(USES) as [Service, readonly HandlerName[]][])('fails a hung %s call inside every function that makes it', (service, names) => {
    const worst = worstCaseMs(CLIENT_TIMEOUTS[service]);

    const tooShort = names.filter((name) => functionTimeoutMs(name) <= worst);

    expect(tooShort).toEqual([]);
  });

  it("fits reattach's longest path: three Organizations calls and one hung DynamoDB call", () => {
    const path = 3 * worstCaseMs(CLIENT_TIMEOUTS.organizations) + worstCaseMs(CLIENT_TIMEOUTS.dynamodb);

    expect(path).toBeLessThan(functionTimeoutMs('reattach'));
  });

  it('waits on the Slack relay longer than the relay function may run, so a working relay is never cut', () => {
    expect(CLIENT_TIMEOUTS.lambda.requestTimeoutMs).toBeGreaterThan(functionTimeoutMs('slack-relay'));
    expect(CLIENT_TIMEOUTS.lambda.maxAttempts).toBe(1);
  });

  it('makes Organizations calls once: the state machine owns their retries', () => {
    expect(ORGANIZATIONS_CLIENT_OPTIONS.maxAttempts).toBe(1);
  });

  it.each([
    ['organizations', ORGANIZATIONS_CLIENT_OPTIONS],
    ['dynamodb', DYNAMODB_CLIENT_OPTIONS],
    ['sns', SNS_CLIENT_OPTIONS],
    ['sfn', SFN_CLIENT_OPTIONS],
    ['lambda', LAMBDA_CLIENT_OPTIONS],
  ] as const)('gives the %s client a connection timeout and a request timeout that throws', (service, options) => {
    expect(options.requestHandler).toEqual({
      connectionTimeout: CLIENT_TIMEOUTS[service].connectionTimeoutMs,
      requestTimeout: CLIENT_TIMEOUTS[service].requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: CLIENT_TIMEOUTS[service].requestTimeoutMs,
    });
    expect(CLIENT_TIMEOUTS[service].connectionTimeoutMs).toBeLessThan(CLIENT_TIMEOUTS[service].requestTimeoutMs);
  });
});

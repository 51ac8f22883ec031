/**
 * Connection and request timeouts of every AWS SDK client the handlers (and the local runner)
 * create, defined once. Without them a call that is never answered waits on the SDK's defaults
 * (no request timeout; at most a 300 s socket timeout, opt-in), so the Lambda function times
 * out first: its attempt is lost without a record and without an error the ASL can name. With
 * them a hung call fails inside the function as a `TimeoutError` (the reattach handler names it
 * `Organizations.ServiceException`), which the state machine retries like an outage.
 *
 * Every figure is checked against the function timeouts in infra/constructs/handlers.ts
 * (classify 10 s, claim 10 s, request-decision 15 s, reattach 30 s, close 10 s, notify 15 s,
 * slack-interactions and slack-relay 10 s): one call's worst case, every SDK attempt timing out plus the SDK's jittered
 * backoff (well under a second between attempts for a timeout), stays under the shortest
 * timeout of the functions that make it, with room for the rest of the handler. The budget
 * is one hung call per invocation; a function that meets several is stopped by its own
 * timeout, which the workflow retries as well.
 */

/** The timeouts and SDK attempts of one service's client. */
export interface ClientTimeouts {
  /** Milliseconds to establish the TCP connection. */
  readonly connectionTimeoutMs: number;
  /** Milliseconds from sending a request to its response's headers, and of silence on the socket while the body is read. */
  readonly requestTimeoutMs: number;
  /** Attempts the SDK makes per call (1: no SDK retries). */
  readonly maxAttempts: number;
}

/**
 * A TCP connection to a regional AWS endpoint (or to 127.0.0.1) is made in milliseconds: one
 * still pending after a second is a lost SYN or an unreachable address, and a fresh attempt is
 * quicker than waiting on it. The TLS handshake that follows counts against the request timeout.
 */
export const CONNECTION_TIMEOUT_MS = 1_000;

/** Per service: the figures and why. */
export const CLIENT_TIMEOUTS = {
  /**
   * One attempt (the state machine owns the retries: ReattachPolicy backs off and retries a
   * ServiceException until its deadline). Organizations answers in well under a second; 5 s is
   * several times a slow answer. Reattach's longest path is AttachPolicy and a confirming
   * ListPoliciesForTarget under up to two policy types: 3 × 5 s = 15 s, half its 30 s timeout,
   * the rest left for its audit writes. Classify (10 s) aborts its lookups after 1.5 s anyway.
   */
  organizations: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 5_000, maxAttempts: 1 },
  /**
   * DynamoDB answers item reads and writes in milliseconds; 2 s per attempt is two orders of
   * magnitude above that. The SDK's standard three attempts are kept (throttling is answered at
   * once, and a short backoff often gets through before the workflow's own retry would): a call
   * whose every attempt hangs fails after about 3 × 2 s + backoff ≈ 7 s, inside the 10 s of the
   * shortest functions that write the trail (claim, close, slack).
   */
  dynamodb: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 2_000, maxAttempts: 3 },
  /**
   * ClaimIncident's writes stand between the event and the remediation, and the remediation goes
   * on without them (CloseIncident claims late): one attempt of at most 1 s, so a hung audit store
   * delays a restoration by about 3 s (the ASL retries the claim once), not 15.
   */
  claim: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 1_000, maxAttempts: 1 },
  /**
   * The admission schedule (functions/admit) stands in front of every AttachPolicy, and an
   * attempt goes on without a slot when it fails: one attempt of at most 1 s, so a hung store
   * delays a restoration by about a second per admission step, never more.
   */
  admission: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 1_000, maxAttempts: 1 },
  /**
   * The Slack functions read the signing secret and the bot token (cached five minutes) while
   * Slack waits at most 3 s for an answer to a click: two attempts of at most 1 s each.
   */
  secretsmanager: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 1_000, maxAttempts: 2 },
  /** Publish answers in tens of milliseconds: 3 × 2 s + backoff ≈ 7 s, inside notify's and request-decision's 15 s. */
  sns: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 2_000, maxAttempts: 3 },
  /** SendTaskSuccess from the Slack interactions function: 3 × 2 s + backoff ≈ 7 s, inside its 10 s. */
  sfn: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 2_000, maxAttempts: 3 },
  /**
   * The Slack relay: a synchronous Invoke of the slack-relay function, which answers only when that
   * function ends, within its own 10 s timeout. A shorter request timeout would cut a relay
   * that is still working, and a retried Invoke would post the message twice; so 11 s (its
   * timeout and a second for the round trip) and one attempt, inside the 15 s of notify and
   * request-decision. A relay that fails is recorded by the caller, never fatal.
   */
  lambda: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 11_000, maxAttempts: 1 },
} as const satisfies Record<string, ClientTimeouts>;

/**
 * The sweep's clients (functions/sweep). The sweep has no state machine around it to retry a
 * call, and reads the whole organization in one invocation, so its clients retry themselves:
 * Organizations in the SDK's adaptive mode (client-side rate limiting that slows down on
 * throttling, clients/organizations.ts) with eight attempts, each cut at 5 s; a throttled call's
 * backoff grows from 1 s to at most 20 s, so one call rides out about a minute of throttling.
 * The sweep bounds itself by its function's timeout (600 s, FUNCTION_TIMEOUT_SECONDS.sweep)
 * with an abort signal, whatever these add up to. CloudTrail LookupEvents (2 requests per second
 * per account) is best effort: three attempts of at most 5 s, and a failure only leaves the
 * drift's incident id to its hash.
 */
export const SWEEP_CLIENT_TIMEOUTS = {
  organizations: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 5_000, maxAttempts: 8 },
  cloudtrail: { connectionTimeoutMs: CONNECTION_TIMEOUT_MS, requestTimeoutMs: 5_000, maxAttempts: 3 },
} as const satisfies Record<string, ClientTimeouts>;

/**
 * The local runner's clients use the figures above, but for one: DynamoDB Local is a JVM that
 * shares two cores with the whole workflow (every handler in one Node process), not a service
 * answering in milliseconds. In the 40-detachment storm test its calls took up to 2.8 s (p99
 * 2.5 s) on a loaded machine, so the production 2 s would cut calls that are only slow, and
 * their retries would add to the load. Locally a DynamoDB call that hangs fails after 10 s.
 */
export const LOCAL_DYNAMODB_TIMEOUTS = { ...CLIENT_TIMEOUTS.dynamodb, requestTimeoutMs: 10_000 } as const satisfies ClientTimeouts;

/**
 * The local admission client, for the same reason: a storm's DynamoDB Local calls take seconds on
 * a loaded machine (at a load average of 5-7 on the 2 cores, 4 s sent most of a 400-execution
 * storm unadmitted), where the production second would measure the harness, not the design.
 * Still shorter than the other local calls, so a hung store (the fault proxy) sends them on.
 */
export const LOCAL_ADMISSION_TIMEOUTS = { ...CLIENT_TIMEOUTS.admission, requestTimeoutMs: 8_000 } as const satisfies ClientTimeouts;

/**
 * The local SNS stand-in's client. The stand-in answers at once, but it shares the process with a
 * whole storm's executions, where the production 2 s cut Publish calls that were only queued on a
 * starved event loop (NoticeNotSent for most of a 300-execution storm on a loaded machine): 4 s
 * for the one attempt the local client makes, inside notify's 15 s.
 */
export const LOCAL_SNS_TIMEOUTS = { ...CLIENT_TIMEOUTS.sns, requestTimeoutMs: 4_000 } as const satisfies ClientTimeouts;

/**
 * Sockets per local client. Every execution of a local storm shares one client per service in one
 * process, where each Lambda container would hold its own: the SDK's default of 50 sockets queues
 * the rest and warns "socket usage at capacity=50". Sized for the largest bench storm.
 */
export const LOCAL_MAX_SOCKETS = 1_024;

/**
 * The client config options for a service's timeouts: `maxAttempts` and the plain-object form
 * of `requestHandler`, which the SDK passes to its default NodeHttpHandler (no dependency on
 * @smithy/node-http-handler). Since @smithy/node-http-handler 4.4 an exceeded `requestTimeout`
 * only logs a warning unless `throwOnRequestTimeout` is set; `socketTimeout` covers a response
 * whose body stops arriving after its headers.
 */
export function clientTimeoutOptions(timeouts: ClientTimeouts) {
  return {
    maxAttempts: timeouts.maxAttempts,
    requestHandler: {
      connectionTimeout: timeouts.connectionTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: timeouts.requestTimeoutMs,
    },
  };
}

/** `clientTimeoutOptions` with an HTTP agent of `maxSockets` sockets (the local runner's clients, LOCAL_MAX_SOCKETS). */
export function clientOptionsWithSockets(timeouts: ClientTimeouts, maxSockets: number) {
  const options = clientTimeoutOptions(timeouts);
  return { ...options, requestHandler: { ...options.requestHandler, httpAgent: { keepAlive: true, maxSockets } } };
}

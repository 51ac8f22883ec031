import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mulberry32 } from '../stand-ins/organizations/fault-injector';

/**
 * `scp-guardian local --dynamodb-faults`: an HTTP proxy on 127.0.0.1 in front of DynamoDB Local
 * that forwards every request byte for byte, or answers it with a fault as DynamoDB would:
 *
 * - `unavailable`: every request is answered 503 `ServiceUnavailable` at once. The SDK classes a
 *   503 as transient, retries it on its short backoff (50 ms base, where throttling waits on a
 *   1 s base), then throws `ServiceUnavailable` with `$fault: 'server'` and the status: the
 *   translator names it AuditStore.Unavailable. A dropped connection is retried on the same
 *   backoff, so it is no faster, but it needs a new TCP connection per attempt and arrives as a
 *   bare `TimeoutError` "socket hang up" (ECONNRESET) with no status, under jest even without its
 *   code; the 503 is as fast and names itself.
 * - `throttle:P`: a fraction P of requests answered 400 `ProvisionedThroughputExceededException`.
 * - `error:P`: a fraction P of requests answered 500 `InternalServerError`.
 *
 * The draws come from a seeded PRNG, so the same seed and the same calls give the same faults.
 * If DynamoDB Local itself fails, the client's connection is dropped, as a dead endpoint would.
 */

export const DynamoDbFaultMode = {
  UNAVAILABLE: 'unavailable',
  THROTTLE: 'throttle',
  ERROR: 'error',
  /** Tests only: every request it hits is held open and never answered, until the client gives up. */
  HANG: 'hang',
} as const;
export type DynamoDbFaultMode = (typeof DynamoDbFaultMode)[keyof typeof DynamoDbFaultMode];

/** What the proxy injects: one mode, and for the random ones the fraction of requests it hits. */
export type DynamoDbFaults = (
  | { readonly mode: typeof DynamoDbFaultMode.UNAVAILABLE | typeof DynamoDbFaultMode.HANG }
  | { readonly mode: typeof DynamoDbFaultMode.THROTTLE | typeof DynamoDbFaultMode.ERROR; readonly probability: number }
) & {
  /**
   * Seed of the PRNG behind the random faults (`unavailable` and `hang` draw nothing).
   * @default 1
   */
  readonly seed?: number;
  /**
   * Only requests whose body holds this text are faulted (e.g. `ADMISSION#`, the admission
   * items' key prefix); the rest pass. Tests use it to fail one kind of item alone.
   * @default every request
   */
  readonly only?: string;
};

const USAGE = 'expected unavailable, throttle:P or error:P, with P from 0 to 1';

/**
 * Parses the text of `--dynamodb-faults`: `unavailable`, `throttle:P` or `error:P`, P in [0, 1].
 * Throws an Error saying what is wrong (the CLI adds the option and the text).
 */
export function parseDynamoDbFaults(text: string): DynamoDbFaults {
  const [mode, probability, ...rest] = text.trim().split(':');
  if (mode === DynamoDbFaultMode.UNAVAILABLE) {
    if (probability !== undefined) throw new Error(`unavailable takes no probability (every call fails); ${USAGE}`);
    return { mode };
  }
  if (mode !== DynamoDbFaultMode.THROTTLE && mode !== DynamoDbFaultMode.ERROR) throw new Error(`unknown mode "${mode}"; ${USAGE}`);
  if (probability === undefined || probability.trim() === '' || rest.length > 0) {
    throw new Error(`${mode} needs one probability, as in ${mode}:0.3`);
  }
  const p = Number(probability);
  if (!Number.isFinite(p) || p < 0 || p > 1) throw new Error(`the probability of ${mode} must be a number from 0 to 1, got "${probability}"`);
  return { mode, probability: p };
}

/** The error name each injected fault carries, as DynamoDB sends it. */
export const InjectedDynamoDbError = {
  [DynamoDbFaultMode.UNAVAILABLE]: 'ServiceUnavailable',
  [DynamoDbFaultMode.THROTTLE]: 'ProvisionedThroughputExceededException',
  [DynamoDbFaultMode.ERROR]: 'InternalServerError',
  [DynamoDbFaultMode.HANG]: 'none (never answered)',
} as const satisfies Record<DynamoDbFaultMode, string>;

const ANSWERS: Readonly<Record<DynamoDbFaultMode, { readonly status: number; readonly message: string }>> = {
  [DynamoDbFaultMode.UNAVAILABLE]: { status: 503, message: 'The service is currently unavailable or busy.' },
  [DynamoDbFaultMode.THROTTLE]: {
    status: 400,
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  },
  [DynamoDbFaultMode.ERROR]: { status: 500, message: 'Internal server error' },
  [DynamoDbFaultMode.HANG]: { status: 0, message: '' },
};

/** What went through the proxy so far. */
export interface DynamoDbFaultCounts {
  /** Requests received. */
  requests: number;
  /** Requests passed on to DynamoDB Local. */
  forwarded: number;
  /** Requests answered with an injected fault, by mode. */
  injected: Record<DynamoDbFaultMode, number>;
  /** Injected faults by operation (`PutItem`, `TransactWriteItems`, ...). */
  injectedByOperation: Record<string, number>;
}

/**
 * The fault-injecting proxy; `start()` it, point a DynamoDB client at `url`, `stop()` it. On
 * plain node:http, not the stand-ins' StandInServer: it streams each request through untouched
 * and writes DynamoDB Local's raw headers back, where a framework would read and parse the body.
 */
export class DynamoDbFaultProxy {
  private readonly random: () => number;
  private readonly target: URL;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private readonly tally: DynamoDbFaultCounts = {
    requests: 0,
    forwarded: 0,
    injected: { unavailable: 0, throttle: 0, error: 0, hang: 0 },
    injectedByOperation: {},
  };
  /** `http://127.0.0.1:PORT` once started. */
  url = '';

  constructor(target: string, readonly faults: DynamoDbFaults) {
    this.target = new URL(target);
    if ((faults.mode === DynamoDbFaultMode.THROTTLE || faults.mode === DynamoDbFaultMode.ERROR) && !(faults.probability >= 0 && faults.probability <= 1)) {
      throw new Error(`DynamoDbFaultProxy: the ${faults.mode} probability must be from 0 to 1, got ${String(faults.probability)}`);
    }
    this.random = mulberry32(faults.seed ?? 1);
  }

  /** A copy of the counts so far. */
  get counts(): DynamoDbFaultCounts {
    return structuredClone(this.tally);
  }

  /** How many requests were answered with a fault. */
  get injectedTotal(): number {
    return Object.values(this.tally.injected).reduce((sum, n) => sum + n, 0);
  }

  async start(): Promise<this> {
    const server = createServer((incoming, answer) => this.handle(incoming, answer));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Stops listening and closes every connection, client side and DynamoDB Local side. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.agent.destroy();
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** The fault for this request, if any: one draw per request in the random modes. */
  private draw(): DynamoDbFaultMode | undefined {
    const { faults } = this;
    if (faults.mode === DynamoDbFaultMode.THROTTLE || faults.mode === DynamoDbFaultMode.ERROR) return this.random() < faults.probability ? faults.mode : undefined;
    return faults.mode;
  }

  private handle(incoming: IncomingMessage, answer: ServerResponse): void {
    const only = this.faults.only;
    if (only === undefined) return this.handleRequest(incoming, answer);
    // Whether the request is one to fault is in its body: read it all, then fault or forward it.
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.once('end', () => this.handleRequest(incoming, answer, Buffer.concat(chunks), Buffer.concat(chunks).includes(only)));
  }

  private handleRequest(incoming: IncomingMessage, answer: ServerResponse, body?: Buffer, matches = true): void {
    this.tally.requests++;
    const fault = matches ? this.draw() : undefined;
    if (fault === DynamoDbFaultMode.HANG) {
      this.tally.injected[fault]++;
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.').pop() || 'unknown';
      this.tally.injectedByOperation[operation] = (this.tally.injectedByOperation[operation] ?? 0) + 1;
      incoming.resume();
      return; // held open: the client's request timeout ends it, or stop() does
    }
    if (fault !== undefined && body !== undefined) {
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.').pop() || 'unknown';
      this.tally.injected[fault]++;
      this.tally.injectedByOperation[operation] = (this.tally.injectedByOperation[operation] ?? 0) + 1;
      this.answerFault(answer, fault);
      return;
    }
    if (fault !== undefined) {
      const operation = String(incoming.headers['x-amz-target'] ?? '').split('.').pop() || 'unknown';
      this.tally.injected[fault]++;
      this.tally.injectedByOperation[operation] = (this.tally.injectedByOperation[operation] ?? 0) + 1;
      // Read the whole request first, so the connection stays usable for the SDK's retry.
      incoming.resume();
      incoming.once('end', () => this.answerFault(answer, fault));
      return;
    }
    this.tally.forwarded++;
    this.forward(incoming, answer, body);
  }

  private answerFault(answer: ServerResponse, fault: DynamoDbFaultMode): void {
    const { status, message } = ANSWERS[fault];
    const body = JSON.stringify({
      __type: `com.amazonaws.dynamodb.v20120810#${InjectedDynamoDbError[fault]}`,
      message: `${message} (injected: --dynamodb-faults ${fault})`,
    });
    answer.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': randomUUID(),
    });
    answer.end(body);
  }

  private forward(incoming: IncomingMessage, answer: ServerResponse, body?: Buffer): void {
    const upstream = httpRequest(
      {
        protocol: this.target.protocol,
        hostname: this.target.hostname,
        port: this.target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.rawHeaders,
        agent: this.agent,
      },
      (response) => {
        answer.writeHead(response.statusCode ?? 502, response.statusMessage, response.rawHeaders);
        response.pipe(answer);
        response.once('error', () => answer.destroy());
      },
    );
    // DynamoDB Local gone or failing mid-answer: drop the client's connection, as a dead endpoint would.
    upstream.once('error', () => answer.destroy());
    answer.once('close', () => {
      if (!answer.writableFinished) upstream.destroy();
    });
    if (body === undefined) incoming.pipe(upstream);
    else upstream.end(body);
  }
}

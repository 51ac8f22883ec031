import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsServiceError, InternalFailureError, SerializationError, UnknownOperationError } from './errors';

/**
 * A small HTTP server speaking AWS's JSON RPC protocols (awsJson1_0, awsJson1_1): every call is
 * `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON body; answers are JSON, errors
 * are `{"__type", "Message"}` with an HTTP status. Service-agnostic: the local Organizations
 * endpoint and the local Step Functions task-token endpoint both sit on it.
 */

/** A JSON object, as the protocol carries inputs and outputs. */
export type JsonObject = Record<string, unknown>;

/** What a handler knows about the request besides its input. */
export interface RequestContext {
  /** The operation name, e.g. `AttachPolicy`. */
  readonly operation: string;
  /** The id sent back in `x-amzn-RequestId` (and exposed by the SDK as `$metadata.requestId`). */
  readonly requestId: string;
  readonly headers: IncomingMessage['headers'];
}

/**
 * What a handler returns to leave its request unanswered: no status line, no bytes, the
 * connection held open until the client gives up or the server stops (a hung call).
 */
export const NO_ANSWER: unique symbol = Symbol('no answer');

/** Serves one operation: returns its output (or NO_ANSWER) or throws an AwsServiceError. */
export type OperationHandler = (input: JsonObject, context: RequestContext) => unknown;

/** Props of an AwsJsonServer. */
export interface AwsJsonServerOptions {
  /** The X-Amz-Target prefix, e.g. `AWSOrganizationsV20161128` or `AWSStepFunctions`. */
  readonly targetPrefix: string;
  /**
   * The protocol version, which only changes the response content type.
   * @default '1.1'
   */
  readonly jsonVersion?: '1.0' | '1.1';
  /** Operation name to handler. */
  readonly operations: Readonly<Record<string, OperationHandler>>;
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Address to listen on. Local endpoints stay on loopback.
   * @default '127.0.0.1'
   */
  readonly host?: string;
}

/** Where a started server listens. */
export interface ServerAddress {
  readonly url: string;
  readonly port: number;
}

/** An HTTP server dispatching AWS JSON-protocol calls to handlers. */
export class AwsJsonServer {
  private readonly options: AwsJsonServerOptions;
  private readonly contentType: string;
  private server: Server | undefined;
  private address: ServerAddress | undefined;
  /** Requests a handler left unanswered, still open. */
  private readonly unanswered = new Set<ServerResponse>();

  constructor(options: AwsJsonServerOptions) {
    if (!options.targetPrefix) throw new Error('AwsJsonServer: targetPrefix is required');
    this.options = options;
    this.contentType = `application/x-amz-json-${options.jsonVersion ?? '1.1'}`;
  }

  /** The base URL, once started. */
  get url(): string {
    if (!this.address) throw new Error('AwsJsonServer: not started');
    return this.address.url;
  }

  /** How many requests are held unanswered (NO_ANSWER) with their connection still open. */
  get unansweredCount(): number {
    return this.unanswered.size;
  }

  /** Starts listening; resolves with the URL and port. Calling it again returns the same address. */
  async start(): Promise<ServerAddress> {
    if (this.address) return this.address;
    const server = createServer((request, response) => void this.handle(request, response));
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    this.server = server;
    this.address = { url: `http://${host}:${port}`, port };
    return this.address;
  }

  /** Stops listening and closes every connection, idle keep-alive and unanswered ones included. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.address = undefined;
    // close() waits for every connection to end; a held request's never would on its own.
    for (const response of this.unanswered) response.socket?.destroy();
    this.unanswered.clear();
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const body = await readBody(request);
      const operation = this.operationOf(request);
      const handler = Object.hasOwn(this.options.operations, operation) ? this.options.operations[operation] : undefined;
      if (!handler) throw new UnknownOperationError(headerValue(request, 'x-amz-target'));
      const input = parseInput(body);
      const output = await handler(input, { operation, requestId, headers: request.headers });
      if (output === NO_ANSWER) {
        this.holdUnanswered(response);
        return;
      }
      this.send(response, requestId, 200, output ?? {});
    } catch (error) {
      const failure = error instanceof AwsServiceError ? error : new InternalFailureError(error);
      this.send(response, requestId, failure.statusCode, failure.toBody());
    }
  }

  private holdUnanswered(response: ServerResponse): void {
    if (response.socket === null || response.socket.destroyed) return;
    this.unanswered.add(response);
    response.once('close', () => this.unanswered.delete(response));
  }

  private operationOf(request: IncomingMessage): string {
    const target = headerValue(request, 'x-amz-target');
    const prefix = `${this.options.targetPrefix}.`;
    if (request.method !== 'POST' || !target?.startsWith(prefix)) throw new UnknownOperationError(target);
    return target.slice(prefix.length);
  }

  private send(response: ServerResponse, requestId: string, status: number, payload: unknown): void {
    const text = JSON.stringify(payload);
    response.writeHead(status, {
      'content-type': this.contentType,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': requestId,
    });
    response.end(text);
  }
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The SDK sends `{}` for operations without input; an empty body is read the same way. */
function parseInput(body: string): JsonObject {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new SerializationError(`Request body is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SerializationError('Request body must be a JSON object');
  }
  return parsed as JsonObject;
}

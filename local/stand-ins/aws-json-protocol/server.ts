import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { NO_ANSWER, StandInServer, type ServerAddress, type StandInAnswer, type StandInRequest } from '../stand-in-server';
import { AwsServiceError, InternalFailureError, RequestTooLargeError, SerializationError, UnknownOperationError } from './errors';

/**
 * A small HTTP server speaking AWS's JSON RPC protocols (awsJson1_0, awsJson1_1): every call is
 * `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON body; answers are JSON, errors
 * are `{"__type", "Message"}` with an HTTP status. Service-agnostic: the local Organizations,
 * Step Functions and CloudTrail stand-ins all sit on it, and it sits on the StandInServer.
 */

/**
 * Request bodies over this size are refused (413). Organizations takes a policy `Content` of up
 * to 1,000,000 characters and answers a longer one InvalidInputException itself; escaped in
 * JSON that can be a few times as many bytes, so the limit leaves it room.
 */
export const AWS_JSON_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** A JSON object, as the protocol carries inputs and outputs. */
export type JsonObject = Record<string, unknown>;

/** What a handler knows about the request besides its input. */
export interface RequestContext {
  /** The operation name, e.g. `AttachPolicy`. */
  readonly operation: string;
  /** The id sent back in `x-amzn-RequestId` (and exposed by the SDK as `$metadata.requestId`). */
  readonly requestId: string;
  readonly headers: IncomingHttpHeaders;
}

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

/** An HTTP server dispatching AWS JSON-protocol calls to handlers. */
export class AwsJsonServer {
  private readonly options: AwsJsonServerOptions;
  private readonly contentType: string;
  private readonly server: StandInServer;

  constructor(options: AwsJsonServerOptions) {
    if (!options.targetPrefix) throw new Error('AwsJsonServer: targetPrefix is required');
    this.options = options;
    this.contentType = `application/x-amz-json-${options.jsonVersion ?? '1.1'}`;
    this.server = new StandInServer({
      name: `the ${options.targetPrefix} stand-in`,
      bodyLimit: AWS_JSON_BODY_LIMIT_BYTES,
      port: options.port,
      host: options.host,
      answer: (request) => this.handle(request),
      refuse: (refusal) => {
        const failure = refusal.status === 413 ? new RequestTooLargeError(refusal.message) : refusal.status < 500 ? new SerializationError(refusal.message, { cause: refusal.cause }) : new InternalFailureError(refusal.cause);
        return this.answer(randomUUID(), failure.statusCode, failure.toBody());
      },
    });
  }

  /** The base URL, once started. */
  get url(): string {
    return this.server.url;
  }

  /** How many requests are held unanswered (NO_ANSWER) with their connection still open. */
  get unansweredCount(): number {
    return this.server.heldCount;
  }

  /** Starts listening; resolves with the URL and port. Calling it again returns the same address. */
  start(): Promise<ServerAddress> {
    return this.server.start();
  }

  /** Stops listening and closes every connection, idle keep-alive and unanswered ones included. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  private async handle(request: StandInRequest): Promise<StandInAnswer | typeof NO_ANSWER> {
    const requestId = randomUUID();
    try {
      const operation = this.operationOf(request);
      const handler = Object.hasOwn(this.options.operations, operation) ? this.options.operations[operation] : undefined;
      if (!handler) throw new UnknownOperationError(headerValue(request.headers, 'x-amz-target'));
      const input = parseInput(request.body);
      const output = await handler(input, { operation, requestId, headers: request.headers });
      if (output === NO_ANSWER) return NO_ANSWER;
      return this.answer(requestId, 200, output ?? {});
    } catch (error) {
      const failure = error instanceof AwsServiceError ? error : new InternalFailureError(error);
      return this.answer(requestId, failure.statusCode, failure.toBody());
    }
  }

  private operationOf(request: StandInRequest): string {
    const target = headerValue(request.headers, 'x-amz-target');
    const prefix = `${this.options.targetPrefix}.`;
    if (request.method !== 'POST' || !target?.startsWith(prefix)) throw new UnknownOperationError(target);
    return target.slice(prefix.length);
  }

  private answer(requestId: string, status: number, payload: unknown): StandInAnswer {
    const text = JSON.stringify(payload);
    return {
      status,
      headers: { 'content-type': this.contentType, 'content-length': String(Buffer.byteLength(text)), 'x-amzn-requestid': requestId },
      body: text,
    };
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
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

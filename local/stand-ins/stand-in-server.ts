import { fastify, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { METHODS, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The one HTTP server every local stand-in sits on (the AWS JSON-protocol ones, SNS, Slack), on
 * Fastify: it listens on a free loopback port, reads each body whole as text up to a limit, hands
 * the request to the stand-in and writes back exactly the status, headers and bytes the stand-in
 * answers, and on stop() closes every connection, keep-alive and held ones included.
 */

/** A request as a stand-in sees it: the body is the raw text, whatever its content type. */
export interface StandInRequest {
  readonly method: string;
  /** The path and query, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What a stand-in answers: written as it is, nothing added but Node's own framing headers. */
export interface StandInAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * What a stand-in answers to leave its request unanswered: no status line, no bytes, the
 * connection held open until the client gives up or the server stops (a hung call).
 */
export const NO_ANSWER: unique symbol = Symbol('no answer');

/** A request refused before it reached the stand-in (a body over the limit), or a stand-in that threw. */
export interface Refusal {
  /** 413 for a body over the limit, 400 for a request that is not well-formed, 500 for a stand-in that threw. */
  readonly status: number;
  readonly message: string;
  readonly cause?: unknown;
}

/** Props of a StandInServer. */
export interface StandInServerOptions {
  /** Who listens, as an error names it: `the SNS stand-in`. */
  readonly name: string;
  /** Request bodies over this many bytes are refused (413) without reaching `answer`. */
  readonly bodyLimit: number;
  /** Answers one request. */
  readonly answer: (request: StandInRequest) => StandInAnswer | typeof NO_ANSWER | Promise<StandInAnswer | typeof NO_ANSWER>;
  /** The answer, in the stand-in's own error shape, to a request it never saw or failed on. */
  readonly refuse: (refusal: Refusal) => StandInAnswer;
  /**
   * Port to listen on; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Address to listen on. Stand-ins stay on loopback.
   * @default '127.0.0.1'
   */
  readonly host?: string;
}

/** Where a started server listens. */
export interface ServerAddress {
  readonly url: string;
  readonly port: number;
}

/** Node's own default, which Fastify raises to 72 s: a stand-in's idle connections go as they did on a plain server. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

/** The type Fastify is shown for every request body, one its catch-all parser reads as text. */
const READ_AS_CONTENT_TYPE = 'text/plain';
/** The Content-Type each request came with (undefined: none), while Fastify sees READ_AS_CONTENT_TYPE. */
const sentContentTypes = new WeakMap<IncomingMessage, string | undefined>();
/** Responses whose answer named no Content-Type, so none is sent. */
const untypedAnswers = new WeakSet<ServerResponse>();

/** A loopback HTTP server answering every method and path through one stand-in. */
export class StandInServer {
  private app: FastifyInstance;
  private address: ServerAddress | undefined;
  private closed = false;
  /** The start() under way, if any. */
  private starting: Promise<ServerAddress> | undefined;
  /** Requests the stand-in left unanswered, still open. */
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly options: StandInServerOptions) {
    if (!(Number.isInteger(options.bodyLimit) && options.bodyLimit > 0)) throw new Error(`StandInServer (${options.name}): bodyLimit must be a positive whole number of bytes`);
    this.app = this.build();
  }

  /** The base URL, once started. */
  get url(): string {
    if (!this.address) throw new Error(`${this.options.name} is not started`);
    return this.address.url;
  }

  /** How many requests are held unanswered (NO_ANSWER) with their connection still open. */
  get heldCount(): number {
    return this.held.size;
  }

  /** Starts listening; resolves with the URL and port. Calling it again returns the same address; after stop() it listens anew. */
  start(): Promise<ServerAddress> {
    if (this.address) return Promise.resolve(this.address);
    if (this.starting === undefined) {
      const starting: Promise<ServerAddress> = this.listen().finally(() => {
        if (this.starting === starting) this.starting = undefined;
      });
      this.starting = starting;
    }
    return this.starting;
  }

  /** Stops listening and closes every connection, idle keep-alive and held ones included; the port is free when it resolves. */
  async stop(): Promise<void> {
    // A start still under way finishes first, so that what it opens is closed here.
    if (this.starting !== undefined) await this.starting.catch(() => undefined);
    if (!this.address) return;
    this.address = undefined;
    this.closed = true;
    this.held.clear();
    // forceCloseConnections: close() ends every connection, a held request's too, not only idle ones.
    await this.app.close();
  }

  private async listen(): Promise<ServerAddress> {
    if (this.closed) {
      this.app = this.build();
      this.closed = false;
    }
    const host = this.options.host ?? '127.0.0.1';
    await this.app.listen({ port: this.options.port ?? 0, host });
    const { port } = this.app.server.address() as AddressInfo;
    this.address = { url: `http://${host}:${port}`, port };
    return this.address;
  }

  private build(): FastifyInstance {
    // Errors Fastify meets before or while reading a request, in the stand-in's own shape.
    const refuse = (error: FastifyError, reply: FastifyReply): FastifyReply => {
      const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      const message = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `request body over ${this.options.bodyLimit} bytes` : error.message;
      return this.write(reply, this.options.refuse({ status, message, cause: error }));
    };
    const app = fastify({
      logger: false,
      bodyLimit: this.options.bodyLimit,
      forceCloseConnections: true,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      // A path with a malformed %-escape, which the router cannot decode.
      frameworkErrors: (error, _request, reply) => void refuse(error, reply),
    });
    app.removeAllContentTypeParsers();
    // Every content type, none included, reaches the stand-in as text: each protocol reads its own.
    app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    // Fastify refuses a Content-Type it cannot parse (415), and a QUERY without one (400), before
    // any parser runs. So it reads every body under one placeholder type, and handle() puts back the
    // header as sent.
    app.addHook('onRequest', (request, _reply, done) => {
      sentContentTypes.set(request.raw, request.raw.headers['content-type']);
      request.raw.headers['content-type'] = READ_AS_CONTENT_TYPE;
      done();
    });
    // Fastify types a Buffer it sends `application/octet-stream`; an answer with no type goes without one.
    app.addHook('onSend', async (_request, reply, payload) => {
      if (untypedAnswers.has(reply.raw)) reply.removeHeader('content-type');
      return payload;
    });
    app.setErrorHandler((error: FastifyError, _request, reply) => refuse(error, reply));
    // Every method Node parses, each with its body read: Fastify alone knows no PROPFIND or LOCK, and reads no GET body.
    for (const method of METHODS) app.addHttpMethod(method, { hasBody: true, overrideExisting: true });
    const handler = (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => this.handle(request, reply);
    app.route({ method: app.supportedMethods, url: '/*', handler });
    // Whatever the router still leaves unmatched goes to the stand-in too, never to Fastify's own 404.
    app.setNotFoundHandler(handler);
    return app;
  }

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const sent = sentContentTypes.get(request.raw);
    if (sent === undefined) delete request.raw.headers['content-type'];
    else request.raw.headers['content-type'] = sent;
    const body = typeof request.body === 'string' ? request.body : '';
    let answer: StandInAnswer | typeof NO_ANSWER;
    try {
      answer = await this.options.answer({ method: request.method, url: request.url, headers: request.headers, body });
    } catch (error) {
      answer = this.options.refuse({ status: 500, message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), cause: error });
    }
    if (answer === NO_ANSWER || reply.raw.destroyed) {
      // Fastify leaves the response alone from here: held until the client or stop() ends it.
      reply.hijack();
      if (answer === NO_ANSWER) this.hold(reply.raw);
      return reply;
    }
    return this.write(reply, answer);
  }

  private hold(response: ServerResponse): void {
    if (response.socket === null || response.socket.destroyed) return;
    this.held.add(response);
    response.once('close', () => this.held.delete(response));
  }

  private write(reply: FastifyReply, answer: StandInAnswer): FastifyReply {
    if (!Object.keys(answer.headers).some((name) => name.toLowerCase() === 'content-type')) untypedAnswers.add(reply.raw);
    // As bytes: Fastify would add `; charset=utf-8` to a JSON content type sent as a string,
    // and the AWS JSON protocols' `application/x-amz-json-1.1` goes out as AWS writes it.
    return reply.code(answer.status).headers(answer.headers).send(Buffer.from(answer.body, 'utf8'));
  }
}

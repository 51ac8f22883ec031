import { fastify, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type RouteHandlerMethod } from 'fastify';
import { createServer, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { incidentIdOf } from '../../functions/classify/incident-id';
import { DEFAULT_PAGE_SIZE, AuditQueries } from '../../cli/audit/queries';
import { PageTokenError } from '../../cli/audit/page-token';
import { toDocumentClient } from '../../functions/shared/clients/dynamodb';
import { explainDecision } from '../../cli/decide/decide-incident';
import { DURATION_EXAMPLES, parseOverrideDuration } from '../../functions/shared/decisions/override-duration';
import { describeError } from '../../functions/shared/errors';
import { Decision, type HumanDecision } from '../../functions/shared/vocabulary';
import { localDynamoDbClient } from '../dynamodb/dynamodb-local';
import type { LocalEnvironment } from '../environment';
import { ChangeReplayer } from '../replay';
import { hostProblem, JsonBodyError, parseBoundedJson } from './guards';
import { EndedExecutions, incidentDocument, incidentDocuments } from './incident-document';
import { allowedMethods, displayPath, LOCAL_API_ROUTES, routeKey, type LocalApiRouteKey } from './routes';
import { bearerMatches } from './serve-token';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route checks a signature of its own (Slack's) instead of the serve token. */
    signedBySlack?: boolean;
    /** The route only answers 405: a method its path does not take. */
    methodNotAllowed?: boolean;
  }
}

/** Request bodies over this size are refused (413). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** How long a client may take to send a request before it is answered 408 and disconnected. */
export interface LocalApiTimeouts {
  /** Until the headers are complete. */
  headersMs: number;
  /** Until the whole request, body included, has arrived. */
  requestMs: number;
  /** How often Node checks the two above. */
  checkEveryMs: number;
}

export const DEFAULT_TIMEOUTS: LocalApiTimeouts = { headersMs: 5_000, requestMs: 10_000, checkEveryMs: 500 };

export interface LocalApiOptions {
  env: LocalEnvironment;
  /** The token every state-changing request but Slack's must carry as `Authorization: Bearer`. */
  token: string;
  /** Where the token is, for the 401's message. */
  tokenFile: string;
  /** The port the server listens on: a request's `Host` must name it. */
  port: () => number;
  /** One line for each event, execution end and decision. */
  activity?: (line: string) => void;
  timeouts?: Partial<LocalApiTimeouts>;
  /** Where the executions this server starts are kept; give it to keep those started before it (the initial sweep's). */
  executions?: EndedExecutions;
}

/** Who a local decision is recorded as when the caller does not say (there is no IAM locally). */
export const LOCAL_CLI_DECIDER = 'local:cli';

/** Methods that only read; every other one changes state. */
const READ_ONLY_METHODS = new Set(['GET', 'HEAD']);

/** The request's path, without its query. */
const pathOf = (request: FastifyRequest): string => request.url.split('?')[0];

/** The `:id` of the incident routes. */
const idOf = (request: FastifyRequest): string => (request.params as { id: string }).id;

class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

const DECISION_FIELDS = ['decision', 'reason', 'by', 'for'];

/**
 * What `POST /incidents/ID/decision` takes: `{"decision":"APPROVE"|"OVERRIDE","reason"?,"by"?,"for"?}`,
 * `for` being an override's duration as `decide --for` takes it (`30m`, `4h`, `2d`). Any other
 * field is refused: a misspelt `for` must not quietly become the default duration.
 */
function parseDecisionBody(body: unknown): { decision: HumanDecision; reason?: string; by: string; forMinutes?: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'the body is not a JSON object: POST {"decision":"APPROVE"|"OVERRIDE","reason":"...","by":"...","for":"4h"}');
  }
  const unknown = Object.keys(body).filter((key) => !DECISION_FIELDS.includes(key));
  if (unknown.length > 0) throw new HttpError(400, `${unknown.map((key) => JSON.stringify(key)).join(', ')}: unknown field; expected ${DECISION_FIELDS.join(', ')}`);
  const { decision, reason, by, for: duration } = body as Record<string, unknown>;
  if (decision !== Decision.APPROVE && decision !== Decision.OVERRIDE) throw new HttpError(400, `decision: expected "APPROVE" or "OVERRIDE", got ${JSON.stringify(decision ?? null)}`);
  if (reason !== undefined && typeof reason !== 'string') throw new HttpError(400, 'reason: expected a string');
  if (by !== undefined && (typeof by !== 'string' || by.trim() === '' || by.length > 256)) throw new HttpError(400, 'by: expected a non-empty string of at most 256 characters');
  const forMinutes = typeof duration === 'string' ? parseOverrideDuration(duration) : undefined;
  if (duration !== undefined && forMinutes === undefined) throw new HttpError(400, `for: expected a duration such as ${DURATION_EXAMPLES}, got ${JSON.stringify(duration)}`);
  return { decision, reason, by: (by as string | undefined) ?? LOCAL_CLI_DECIDER, forMinutes };
}

function pageLimit(text: unknown): number {
  if (text === undefined) return DEFAULT_PAGE_SIZE;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, `limit: expected a whole number from 1 to 1000, got ${JSON.stringify(text)}`);
  return limit;
}

/** The answer to a request that took too long to arrive, written on the socket (no request object exists yet). */
function clientError(timeouts: LocalApiTimeouts) {
  return (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, message] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, `the request did not arrive in time (headers within ${timeouts.headersMs} ms, the whole request within ${timeouts.requestMs} ms)`]
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'the request headers are too large']
          : [400, 'the request is not well-formed HTTP'];
    const body = JSON.stringify({ error: message });
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}

/**
 * The HTTP API of `scp-guardian local --serve` (contract: docs/contracts.md, "The `local --serve` API"), on Fastify:
 *
 * - every request must name this server in `Host` (loopback only), else 403;
 * - the routes are the table in ./routes.ts; a method a route's path does not take is 405 with
 *   `Allow` (no token needed: it changes nothing), an unknown path 404, both with a JSON error;
 * - every request that changes state (any method but GET and HEAD, on any route, later ones
 *   included) must carry `Authorization: Bearer <token>`, else 401; only POST /slack/interactions
 *   is exempt, because it carries Slack's signature, which its handler checks;
 * - JSON routes take `content-type: application/json` alone (415 otherwise), at most 1 MiB
 *   (413) and 64 levels deep (400); Slack's form encoding goes to its handler as it came;
 * - malformed percent-escapes in the path are 400; requests that trickle in are cut (408).
 *
 * GET routes need no token: they only read, the Host check stops DNS-rebinding pages from
 * reading them, and a page on another origin cannot read answers that send no CORS headers.
 */
export function buildLocalApi(options: LocalApiOptions): FastifyInstance {
  const { env, token } = options;
  const activity = options.activity ?? (() => {});
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const executions = options.executions ?? new EndedExecutions();
  const replayer = env.organization === undefined ? undefined : new ChangeReplayer(env.organization);
  const dynamoDb = localDynamoDbClient(env.dynamoDbEndpoint);
  const queries = new AuditQueries(toDocumentClient(dynamoDb), env.tableName);

  const refuseForeignHost = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const problem = hostProblem(request.headers.host, options.port());
    if (problem === undefined) return false;
    void reply.code(403).send({ error: problem });
    return true;
  };

  const app = fastify({
    bodyLimit: MAX_BODY_BYTES,
    // Incident ids are CloudTrail event ids, up to 128 characters (find-my-way's default is 100).
    routerOptions: { maxParamLength: 512 },
    forceCloseConnections: true,
    serverFactory: (handler) =>
      createServer({ headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs, connectionsCheckingInterval: timeouts.checkEveryMs }, handler),
    clientErrorHandler: clientError(timeouts),
    // Requests Fastify refuses before routing (a path that does not decode): the Host rule first.
    frameworkErrors: (error, request, frameworkReply) => {
      const reply = frameworkReply as FastifyReply;
      if (refuseForeignHost(request as FastifyRequest, reply)) return;
      const status = error.code === 'FST_ERR_BAD_URL' ? 400 : (error.statusCode ?? 400);
      const message = error.code === 'FST_ERR_BAD_URL' ? `the path ${JSON.stringify(request.raw.url ?? '')} has a malformed %-escape` : error.message;
      void reply.code(status).send({ error: message });
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    if (refuseForeignHost(request, reply)) return reply;
    const { config } = request.routeOptions;
    if (READ_ONLY_METHODS.has(request.method) || config.signedBySlack === true || config.methodNotAllowed === true) return;
    if (!bearerMatches(request.headers.authorization, token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="scp-guardian local --serve"')
        .send({ error: `${request.method} ${pathOf(request)} changes state: send Authorization: Bearer <the token in ${options.tokenFile}> (scp-guardian decide --local reads it)` });
    }
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: `${request.method} ${pathOf(request)} takes JSON: send content-type: application/json` });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: `request body over ${MAX_BODY_BYTES} bytes` });
    if (error instanceof JsonBodyError || error instanceof PageTokenError) return reply.code(400).send({ error: error.message });
    const status = error instanceof HttpError ? error.statusCode : (error.statusCode ?? 500);
    return reply.code(status).send({ error: status >= 500 ? describeError(error) : error.message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${pathOf(request)}` }));
  app.addHook('onClose', async () => dynamoDb.destroy());

  const handlers: Record<LocalApiRouteKey, RouteHandlerMethod> = {
    // 202 at once: the incident id follows from the envelope (as Classify names it), so the
    // caller need not wait for the execution, or even for its claim.
    'POST /events': async (request, reply) => {
      const envelope = request.body;
      if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope)) throw new HttpError(400, 'the body is not a JSON object: POST an EventBridge event');
      const applied = replayer?.apply(envelope);
      // The time to remediate counts from here, not from the event's own time (LocalEnvironment.run).
      const run = env.run(envelope, undefined, { appliedAt: applied?.at ?? new Date().toISOString() });
      executions.keep(run.result);
      const incidentId = incidentIdOf(envelope, run.executionArn);
      activity(`event received: incident ${incidentId}${applied?.applied ? `, applied to the local organization: ${applied.change}` : ''}`);
      run.result.then(
        (execution) => activity(`incident ${incidentId}: execution ${execution.status}`),
        (error: unknown) => activity(`incident ${incidentId}: execution failed to run: ${describeError(error)}`),
      );
      return reply.code(202).send({ incidentId, executionArn: run.executionArn });
    },

    // Slack's interactions: the raw body, whatever its type, for the signature check.
    'POST /slack/interactions': async (request, reply) => {
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
      const answer = await env.interactions({ headers, body: typeof request.body === 'string' ? request.body : '', isBase64Encoded: false });
      return reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
    },

    'POST /incidents/:id/decision': async (request, reply) => {
      const body = parseDecisionBody(request.body);
      const decided = await env.decideIncident(idOf(request), body.decision, body.by, body.reason, body.forMinutes);
      const explained = explainDecision(decided);
      activity(explained.message);
      return reply.code(explained.httpStatus).send({ status: decided.result.status, ok: explained.ok, message: explained.message });
    },

    // One sweep now (contract: {"drift":[{"kind","policyId","targetId","reason"}],"incidents":["ID"]}),
    // answered when it is done; the drift executions it started go on, like POST /events'.
    'POST /reconcile': async (request) => {
      const body = request.body;
      if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) throw new HttpError(400, 'the body is not a JSON object: POST {} or {"dryRun":true}');
      const dryRun = (body as { dryRun?: unknown } | undefined)?.dryRun;
      if (dryRun !== undefined && typeof dryRun !== 'boolean') throw new HttpError(400, 'dryRun: expected true or false');
      const swept = await env.sweep({ dryRun: dryRun === true });
      swept.executions.forEach((execution) => executions.keep(execution));
      const { result } = swept;
      activity(`reconcile${result.dryRun ? ' (dry run)' : ''}: ${result.drift.length} drift, incidents started: ${result.incidents.join(', ') || 'none'}`);
      return result;
    },

    // Newest first, by a Query on the byYear index as `audit list` runs it (never a Scan).
    'GET /incidents': async (request) => {
      const query = request.query as { limit?: string; nextToken?: string };
      const page = await queries.list({}, { limit: pageLimit(query.limit), nextToken: query.nextToken });
      // Each incident as GET /incidents/ID has it: one shape for both routes.
      return { incidents: await incidentDocuments(env.trueAudit, page.incidents, executions, env.executionIncidents), nextToken: page.nextToken ?? null };
    },

    // The incident as `local --json` prints it, not the stored item (its keys, the incident twice).
    'GET /incidents/:id': async (request) => {
      const incidentId = idOf(request);
      const document = await incidentDocument(env.trueAudit, incidentId, executions, env.executionIncidents);
      if (document === undefined) throw new HttpError(404, `no incident ${incidentId}`);
      return document;
    },

    'GET /organization': async () => {
      if (env.organization === undefined) throw new HttpError(404, 'the organization is served by another endpoint');
      return env.organization.toJSON();
    },
    'GET /notifications': async () => ({ messages: env.sns.published }),
    'GET /slack/messages': async () => {
      if (env.slackStandIn === undefined) throw new HttpError(404, 'messages go to the real Slack (SLACK_BOT_TOKEN is set)');
      return { messages: env.slackStandIn.messages(), calls: env.slackStandIn.calls() };
    },
    // The local components themselves: a test can change the organization with the AWS SDK,
    // without any event, as an attacker whose event was lost would.
    'GET /endpoints': async () => ({ organizations: env.organizationsUrl, dynamodb: env.dynamoDbEndpoint }),
  };

  // Slack's interactions take the raw body, whatever its type, for the signature check.
  app.register(async (slack) => {
    slack.removeAllContentTypeParsers();
    slack.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    for (const route of LOCAL_API_ROUTES.filter((r) => 'signedBySlack' in r)) {
      slack.route({ method: route.method, url: route.url, config: { signedBySlack: true }, handler: handlers[routeKey(route)] });
    }
  });

  app.register(async (api) => {
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, body === '' ? undefined : parseBoundedJson(body as string));
      } catch (error) {
        done(error as Error);
      }
    });
    for (const route of LOCAL_API_ROUTES.filter((r) => !('signedBySlack' in r))) {
      api.route({ method: route.method, url: route.url, handler: handlers[routeKey(route)] });
    }
  });

  // Every other method on a route's path: 405 with the methods it takes. Such a request changes
  // nothing, so it needs no token, and its body, whatever its type, is read and dropped.
  app.register(async (others) => {
    others.removeAllContentTypeParsers();
    others.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
    for (const [url, allowed] of allowedMethods()) {
      others.route({
        method: others.supportedMethods.filter((method) => !allowed.includes(method)),
        url,
        config: { methodNotAllowed: true },
        handler: async (request, reply) =>
          reply
            .code(405)
            .header('allow', allowed.join(', '))
            .send({ error: `${request.method} ${pathOf(request)}: method not allowed; ${displayPath(url)} takes ${allowed.join(', ')}` }),
      });
    }
  });

  return app;
}

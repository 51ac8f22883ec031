import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { explainDecision } from '../functions/shared/decisions/decide-incident';
import { describeError } from '../functions/shared/errors';
import { Decision, type HumanDecision } from '../functions/shared/vocabulary';
import { LocalEnvironment, type LocalEnvironmentOptions } from './environment';
import { DetachmentReplayer } from './replay';

const MAX_BODY_BYTES = 1024 * 1024;

export interface ServeOptions extends LocalEnvironmentOptions {
  port: number;
  progress?: (line: string) => void;
  /** Resolves when the server should stop; by default SIGINT or SIGTERM. */
  until?: Promise<void>;
  onListening?: (url: string) => void;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  response.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json', ...headers });
  response.end(text);
}

function lowerCaseHeaders(request: IncomingMessage): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key.toLowerCase(), Array.isArray(value) ? value.join(',') : value]));
}

/** What `POST /incidents/ID/decision` takes: `{"decision":"APPROVE"|"OVERRIDE","reason"?,"by"?}`. */
function parseDecisionBody(text: string): { decision: HumanDecision; reason?: string; by: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not JSON: POST {"decision":"APPROVE"|"OVERRIDE","reason":"...","by":"..."}');
  }
  const { decision, reason, by } = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (decision !== Decision.APPROVE && decision !== Decision.OVERRIDE) throw new HttpError(400, `decision: expected "APPROVE" or "OVERRIDE", got ${JSON.stringify(decision ?? null)}`);
  if (reason !== undefined && typeof reason !== 'string') throw new HttpError(400, 'reason: expected a string');
  if (by !== undefined && (typeof by !== 'string' || by.trim() === '' || by.length > 256)) throw new HttpError(400, 'by: expected a non-empty string of at most 256 characters');
  return { decision, reason, by: (by as string | undefined) ?? LOCAL_CLI_DECIDER };
}

/** Who a local decision is recorded as when the caller does not say (there is no IAM locally). */
export const LOCAL_CLI_DECIDER = 'local:cli';

/**
 * `scp-guardian local --serve`: the workflow on local components behind a loopback HTTP API
 * (contract: DESIGN.md) — POST /events, POST /slack/interactions, GET /slack/messages,
 * GET /incidents/ID — plus POST /incidents/ID/decision (what `scp-guardian decide --local` calls),
 * GET /organization and GET /notifications for people poking at it.
 */
export async function serveLocal(options: ServeOptions): Promise<void> {
  const progress = options.progress ?? (() => {});
  const env = await LocalEnvironment.start(options);
  const replayer = env.organization === undefined ? undefined : new DetachmentReplayer(env.organization);

  const routes = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const route = `${request.method} ${url.pathname}`;
    if (route === 'POST /events') {
      let envelope: unknown;
      try {
        envelope = JSON.parse(await readBody(request));
      } catch (error) {
        if (error instanceof HttpError) throw error;
        throw new HttpError(400, 'the body is not JSON: POST an EventBridge event');
      }
      const applied = replayer?.apply(envelope);
      const run = env.run(envelope);
      const incidentId = await run.incidentId;
      progress(`event received: incident ${incidentId ?? '(none)'}${applied?.applied ? ', detachment applied to the local organization' : ''}`);
      void run.result.then((execution) => progress(`incident ${incidentId}: execution ${execution.status}`));
      return send(response, 202, { incidentId, executionArn: run.executionArn });
    }
    if (route === 'POST /slack/interactions') {
      const answer = await env.interactions({ headers: lowerCaseHeaders(request), body: await readBody(request), isBase64Encoded: false });
      response.writeHead(answer.statusCode, answer.headers);
      return response.end(answer.body);
    }
    if (route === 'GET /slack/messages') {
      if (env.slackStandin === undefined) throw new HttpError(404, 'messages go to the real Slack (SLACK_BOT_TOKEN is set)');
      return send(response, 200, { messages: env.slackStandin.messages(), calls: env.slackStandin.calls() });
    }
    if (route === 'GET /notifications') return send(response, 200, { messages: env.sns.published });
    if (route === 'GET /organization') {
      if (env.organization === undefined) throw new HttpError(404, 'the organization is served by another endpoint');
      return send(response, 200, env.organization.toJSON());
    }
    const decision = /^POST \/incidents\/([^/]+)\/decision$/.exec(route);
    if (decision !== null) {
      const incidentId = decodeURIComponent(decision[1]);
      const body = parseDecisionBody(await readBody(request));
      const decided = await env.decideIncident(incidentId, body.decision, body.by, body.reason);
      const explained = explainDecision(decided);
      progress(explained.message);
      return send(response, explained.httpStatus, { status: decided.result.status, ok: explained.ok, message: explained.message });
    }
    const incident = /^GET \/incidents\/([^/]+)$/.exec(route);
    if (incident !== null) {
      const incidentId = decodeURIComponent(incident[1]);
      const record = await env.audit.getIncident(incidentId);
      if (record === undefined) throw new HttpError(404, `no incident ${incidentId}`);
      return send(response, 200, { ...record, timeline: await env.audit.getTimeline(incidentId) });
    }
    throw new HttpError(404, `no route ${route}`);
  };

  const server = createServer((request, response) => {
    routes(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!response.headersSent) send(response, status, { error: error instanceof HttpError ? error.message : describeError(error) });
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  options.onListening?.(url);
  progress(`scp-guardian local --serve: listening on ${url} (POST /events, POST /slack/interactions, GET /slack/messages, GET /incidents/ID, POST /incidents/ID/decision)`);
  progress(`audit trail: DynamoDB Local ${env.dynamoDbEndpoint}, table ${env.tableName} (scp-guardian audit list --endpoint ${env.dynamoDbEndpoint} --table ${env.tableName})`);

  const until =
    options.until ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  await until;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await env.stop();
}

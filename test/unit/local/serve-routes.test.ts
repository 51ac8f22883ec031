import { request as httpRequest } from 'node:http';
import { EndedExecutions, type IncidentDocument } from '../../../local/http/incident-document';
import type { ExecutionRecord } from '../../../local/workflow/local-workflow';
import { executionEnded, getJson, postJson, startLocalServer, type LocalServer } from '../../support/local-server';
import { detachEvent } from '../../support/events';
import { Org } from '../../support/local-harness';

/** An answer as a client sees it: status, the Allow header, and the body (parsed when it is JSON). */
interface Answer {
  status: number;
  allow: string | undefined;
  body: unknown;
}

/** Sends `method path` as given (no token unless `token`), with a JSON body for methods that carry one. */
function send(server: LocalServer, method: string, path: string, options: { token?: boolean; body?: string } = {}): Promise<Answer> {
  const { port } = new URL(server.url);
  const headers: Record<string, string> = { host: `127.0.0.1:${port}` };
  if (options.token === true) headers.authorization = `Bearer ${server.token}`;
  // With its length: Node sends a DELETE's or an OPTIONS' body unframed otherwise.
  if (options.body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(options.body)) });
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const allow = response.headers.allow;
        const json = response.headers['content-type']?.startsWith('application/json') === true && text !== '';
        try {
          resolve({ status: response.statusCode ?? 0, allow: typeof allow === 'string' ? allow : undefined, body: json ? (JSON.parse(text) as unknown) : text });
        } catch (error) {
          reject(error);
        }
      });
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** Every path the server serves, as a client writes it, with the methods it takes (as the docs list them). */
const PATHS: [path: string, allow: string][] = [
  ['/events', 'POST'],
  ['/slack/interactions', 'POST'],
  ['/incidents/any-id/decision', 'POST'],
  ['/reconcile', 'POST'],
  ['/incidents', 'GET, HEAD'],
  ['/incidents/any-id', 'GET, HEAD'],
  ['/organization', 'GET, HEAD'],
  ['/notifications', 'GET, HEAD'],
  ['/slack/messages', 'GET, HEAD'],
  ['/endpoints', 'GET, HEAD'],
];

const WRONG_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

describe('`scp-guardian local --serve` routes', () => {
  let server: LocalServer;
  const banner: string[] = [];
  const activity: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ progress: (line) => banner.push(line), activity: (line) => activity.push(line) });
  });
  afterAll(() => server.stop());

  /** The routes the start banner lists, as `METHOD /path`. */
  const bannerRoutes = () =>
    banner.flatMap((line) => {
      const match = /^ {2}(GET|POST) (\/\S*) {2,}\S/.exec(line);
      return match === null ? [] : [`${match[1]} ${match[2]}`];
    });

  it('lists every route in its start banner, one per line with what it does, within 80 columns', () => {
    const routeLines = banner.filter((line) => /^ {2}(GET|POST) \//.test(line));

    expect(routeLines.every((line) => line.length <= 80)).toBe(true);
    expect(bannerRoutes().sort()).toEqual(
      [
        'POST /events',
        'POST /slack/interactions',
        'POST /incidents/ID/decision',
        'POST /reconcile',
        'GET /incidents',
        'GET /incidents/ID',
        'GET /organization',
        'GET /notifications',
        'GET /slack/messages',
        'GET /endpoints',
      ].sort(),
    );
  });

  it('answers each route the banner lists from that route, not as an unknown path', async () => {
    // Bodies each route refuses before it does anything: no event is started, no sweep run.
    const answers = await Promise.all(
      bannerRoutes().map(async (route) => {
        const [method, path] = route.split(' ');
        const answer = await send(server, method, path.replace('ID', 'any-id'), method === 'POST' ? { token: true, body: '[]' } : {});
        return [route, answer.status === 404 && JSON.stringify(answer.body).includes('no route') ? 'no route' : 'routed'];
      }),
    );

    expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(bannerRoutes().map((route) => [route, 'routed'])));
  });

  it.each(PATHS)('answers 405 with Allow: %s takes %s, for any other method, without the token', async (path, allow) => {
    const wrong = WRONG_METHODS.filter((method) => !allow.split(', ').includes(method));

    const answers = await Promise.all(wrong.map((method) => send(server, method, path, method === 'GET' ? {} : { body: '{}' })));

    expect(answers.map(({ status, allow: header }) => ({ status, allow: header }))).toEqual(wrong.map(() => ({ status: 405, allow })));
    expect(answers[0].body).toEqual({ error: `${wrong[0]} ${path}: method not allowed; ${path.replace('any-id', 'ID')} takes ${allow}` });
  });

  it('answers HEAD on a GET route', async () => {
    expect((await send(server, 'HEAD', '/organization')).status).toBe(200);
  });

  it('answers 404 with a JSON error for a path it does not serve, whatever the method', async () => {
    const get = await send(server, 'GET', '/incident');
    const post = await send(server, 'POST', '/incidents/any-id/approve', { token: true, body: '{}' });

    expect(get).toEqual({ status: 404, allow: undefined, body: { error: 'no route GET /incident' } });
    expect(post).toEqual({ status: 404, allow: undefined, body: { error: 'no route POST /incidents/any-id/approve' } });
  });

  it('answers 404 with a JSON error for an incident it does not know', async () => {
    expect(await getJson(server, '/incidents/no-such-incident')).toEqual({ status: 404, body: { error: 'no incident no-such-incident' } });
  });

  it('answers GET /incidents/ID with the incident document `local --json` prints, not the stored item', async () => {
    const started = await postJson<{ incidentId: string; executionArn: string }>(server, '/events', detachEvent({ policyId: Org.denyLeave, targetId: Org.root }));
    const { incidentId, executionArn } = started.body;
    await executionEnded(activity, incidentId, 30_000);

    const { status, body } = await getJson<IncidentDocument & Record<string, unknown>>(server, `/incidents/${incidentId}`);

    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(
      [
        'incidentId', 'kind', 'source', 'verdict', 'mode', 'decision', 'outcome', 'policyId', 'targetId', 'actor', 'timeline',
        'status', 'reason', 'decidedBy', 'overriddenUntil', 'cause', 'actions', 'report', 'execution', 'deliveries',
      ].sort(),
    );
    expect(body).toMatchObject({
      incidentId,
      kind: 'DETACHED',
      source: 'event',
      verdict: 'PROTECTED',
      mode: 'auto',
      outcome: 'REATTACHED',
      policyId: Org.denyLeave,
      targetId: Org.root,
      actor: 'arn:aws:iam::111122223333:role/BreakGlassAdmin',
      status: 'CLOSED',
      execution: { executionArn, status: 'SUCCEEDED' },
      deliveries: 1,
    });
    expect(body.timeline.map((entry) => Object.keys(entry).sort())).toEqual(body.timeline.map(() => ['at', 'detail', 'step']));
  });

  it('answers GET /incidents with each incident in the same shape as GET /incidents/ID', async () => {
    const started = await postJson<{ incidentId: string }>(server, '/events', detachEvent({ policyId: Org.denyLeave, targetId: Org.prodOu }));
    const { incidentId } = started.body;
    await executionEnded(activity, incidentId, 30_000);

    const list = await getJson<{ incidents: (IncidentDocument & Record<string, unknown>)[] }>(server, '/incidents');
    const one = await getJson<IncidentDocument & Record<string, unknown>>(server, `/incidents/${incidentId}`);

    expect(list.status).toBe(200);
    const listed = list.body.incidents.find((incident) => incident.incidentId === incidentId);
    expect(listed).toEqual(one.body);
    expect(list.body.incidents.map((incident) => Object.keys(incident).sort())).toEqual(list.body.incidents.map(() => Object.keys(one.body).sort()));
  });
});

describe('EndedExecutions', () => {
  const ended = (n: number) => ({ executionArn: `arn:aws:states:us-east-1:000000000000:execution:local:${n}` }) as ExecutionRecord;

  it('keeps only the last executions that ended, up to its limit', async () => {
    const executions = new EndedExecutions(2);

    for (const n of [1, 2, 3]) executions.keep(Promise.resolve(ended(n)));
    await new Promise((resolve) => setImmediate(resolve));

    expect(executions.list().map((execution) => execution.executionArn)).toEqual([ended(2).executionArn, ended(3).executionArn]);
  });
});

import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDecide } from '../../../cli/commands/decide';
import { awsClients } from '../../../cli/decide/aws';
import { DecideCommandError } from '../../../cli/decide/outcome';
import { localDynamoDbClient, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb/dynamodb-local';
import { executionEnded, getJson, postJson, startLocalServer, waitForIncident, type LocalServer } from '../../support/local-server';
import { detachEvent } from '../../support/events';
import { Org } from '../../support/local-harness';

/** An HTTP answer, from a request sent exactly as given (Host included), as a browser or a script could. */
interface Answer {
  status: number;
  body: string;
}

function send(server: LocalServer, request: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: request.method ?? 'GET', path: request.path, headers: request.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

const errorOf = (answer: Answer) => (JSON.parse(answer.body) as { error?: string }).error;

/** Writes raw bytes and waits, up to the deadline, for the server to answer and hang up. */
function trickle(server: LocalServer, bytes: string, deadlineMs: number): Promise<{ answer: string; closed: boolean }> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closed: false });
    }, deadlineMs);
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closed: true });
    });
    socket.on('error', () => undefined);
  });
}

const TIMEOUTS = { headersMs: 500, requestMs: 1_000, checkEveryMs: 100 };

describe('`scp-guardian local --serve` refuses what another web page could send it', () => {
  let server: LocalServer;
  let host: string;
  const printed: string[] = [];
  const activity: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ timeouts: TIMEOUTS, progress: (line) => printed.push(line), activity: (line) => activity.push(line) });
    host = `127.0.0.1:${new URL(server.url).port}`;
  });
  afterAll(() => server.stop());

  it('answers only requests whose Host names it on loopback (DNS rebinding)', async () => {
    const { port } = new URL(server.url);
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `127.0.0.1:${Number(port) + 1}`, '127.0.0.1'];

    const statuses = await Promise.all(hosts.map(async (name) => [name, (await send(server, { path: '/organization', headers: { host: name } })).status]));

    expect(Object.fromEntries(statuses)).toEqual({
      [`127.0.0.1:${port}`]: 200,
      [`localhost:${port}`]: 200,
      [`LOCALHOST:${port}`]: 200,
      [`[::1]:${port}`]: 200,
      [`evil.example:${port}`]: 403,
      [`127.0.0.1.evil.example:${port}`]: 403,
      [`127.0.0.1:${Number(port) + 1}`]: 403,
      '127.0.0.1': 403,
    });
  });

  it('says which Host names it answers when it refuses one', async () => {
    const { port } = new URL(server.url);

    const answer = await send(server, { path: '/incidents/x', headers: { host: `rebound.example:${port}` } });

    expect(answer.status).toBe(403);
    expect(errorOf(answer)).toBe(`Host "rebound.example:${port}" is not this server: it answers only 127.0.0.1:${port}, localhost:${port} or [::1]:${port}`);
  });

  it('does not let a cross-site text/plain POST record an OVERRIDE: the incident still waits', async () => {
    const { body } = await postJson<{ incidentId: string }>(server, '/events', detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu }));
    await waitForIncident(server, body.incidentId, (i) => i.status === 'AWAITING_DECISION');
    const forged = JSON.stringify({ decision: 'OVERRIDE', reason: 'a web page says so' });
    const path = `/incidents/${body.incidentId}/decision`;

    // What a page on http://evil.example can make a browser send without a CORS preflight.
    const simple = await send(server, { method: 'POST', path, headers: { host, origin: 'http://evil.example', 'content-type': 'text/plain;charset=UTF-8' }, body: forged });
    const rebound = await send(server, { method: 'POST', path, headers: { host: `evil.example:${new URL(server.url).port}`, 'content-type': 'text/plain;charset=UTF-8' }, body: forged });

    const incident = await waitForIncident(server, body.incidentId, () => true);
    expect([simple.status, rebound.status]).toEqual([401, 403]);
    expect(incident.status).toBe('AWAITING_DECISION');
    expect(incident.timeline.map((entry) => entry.step)).not.toContain('decided');
    // The person with the token still can (and the execution ends before the server stops).
    expect((await postJson(server, path, { decision: 'APPROVE' })).status).toBe(200);
    await executionEnded(activity, body.incidentId);
  });

  it('refuses a state-changing request without the serve token, or with another one: 401', async () => {
    const event = detachEvent({ policyId: Org.denyRegion, targetId: Org.sandboxAccount });
    const json = { host, 'content-type': 'application/json' };

    const missing = await send(server, { method: 'POST', path: '/events', headers: json, body: JSON.stringify(event) });
    const wrong = await send(server, { method: 'POST', path: '/events', headers: { ...json, authorization: `Bearer ${server.token.slice(1)}x` }, body: JSON.stringify(event) });
    const notBearer = await send(server, { method: 'POST', path: '/events', headers: { ...json, authorization: server.token }, body: JSON.stringify(event) });

    expect([missing.status, wrong.status, notBearer.status]).toEqual([401, 401, 401]);
    expect(errorOf(missing)).toBe(`POST /events changes state: send Authorization: Bearer <the token in ${join(server.dataDir, 'serve-token')}> (scp-guardian decide --local reads it)`);
    expect((await getJson(server, `/incidents/${(event.detail as { eventID: string }).eventID}`)).status).toBe(404);
  });

  it('takes JSON routes only as content-type application/json: 415', async () => {
    const authorised = { host, authorization: `Bearer ${server.token}` };
    const event = JSON.stringify(detachEvent({ policyId: Org.denyRegion, targetId: Org.sandboxAccount }));

    const plain = await send(server, { method: 'POST', path: '/events', headers: { ...authorised, 'content-type': 'text/plain' }, body: event });
    const form = await send(server, { method: 'POST', path: '/incidents/x/decision', headers: { ...authorised, 'content-type': 'application/x-www-form-urlencoded' }, body: 'decision=APPROVE' });
    const untyped = await send(server, { method: 'POST', path: '/events', headers: authorised, body: event });

    expect([plain.status, form.status, untyped.status]).toEqual([415, 415, 415]);
    expect(errorOf(plain)).toBe('POST /events takes JSON: send content-type: application/json');
  });

  it('answers 400, not 500, to a path with a malformed %-escape', async () => {
    const read = await send(server, { path: '/incidents/%E0%A4%A', headers: { host } });
    const decide = await send(server, {
      method: 'POST',
      path: '/incidents/%E0%A4%A/decision',
      headers: { host, authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: '{"decision":"APPROVE"}',
    });

    expect([read.status, decide.status]).toEqual([400, 400]);
    expect(errorOf(read)).toBe('the path "/incidents/%E0%A4%A" has a malformed %-escape');
  });

  it('answers 400 at once to JSON nested 10,000 levels deep', async () => {
    const nested = `{"detail":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const started = Date.now();

    const answer = await send(server, { method: 'POST', path: '/events', headers: { host, authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body: nested });

    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toBe('the JSON nests deeper than 64 levels');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('cuts a body that trickles in: 408, and the connection closed', async () => {
    const head = `POST /events HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${server.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"detail":`;

    const { answer, closed } = await trickle(server, head, TIMEOUTS.requestMs + 4_000);

    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closed).toBe(true);
  });

  it('cuts headers that never end: 408, and the connection closed', async () => {
    const { answer, closed } = await trickle(server, `GET /organization HTTP/1.1\r\nHost: ${host}\r\nX-Slow: 1`, TIMEOUTS.headersMs + 4_000);

    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closed).toBe(true);
  });

  it('writes 32 random bytes, base64url, to <data-dir>/serve-token with mode 0600, and prints them', () => {
    const file = join(server.dataDir, 'serve-token');

    const token = readFileSync(file, 'utf8').trim();

    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(token).toBe(server.token);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);
    expect(printed.some((line) => line.includes(token))).toBe(true);
  });

  it('lists incidents newest first: GET /incidents', async () => {
    const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const events = [3, 1, 2].map((hours) => detachEvent({ policyId: Org.denyRegion, targetId: Org.sandboxAccount, eventTime: hoursAgo(hours) }));
    const ids = await Promise.all(events.map(async (event) => (await postJson<{ incidentId: string }>(server, '/events', event)).body.incidentId));
    await Promise.all(ids.map((id) => executionEnded(activity, id)));

    const { status, body } = await getJson<{ incidents: { incidentId: string }[]; nextToken: string | null }>(server, '/incidents?limit=1000');

    expect(status).toBe(200);
    expect(body.incidents.map((i) => i.incidentId).filter((id) => ids.includes(id))).toEqual([ids[1], ids[2], ids[0]]);
  });

  it('tells where its local Organizations and DynamoDB endpoints are: GET /endpoints', async () => {
    const { status, body } = await getJson<{ organizations: string; dynamodb: string }>(server, '/endpoints');
    const organizations = new OrganizationsClient({ endpoint: body.organizations, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const dynamodb = localDynamoDbClient(body.dynamodb);

    const roots = await organizations.send(new ListRootsCommand({}));
    const tables = await dynamodb.send(new ListTablesCommand({}));

    organizations.destroy();
    dynamodb.destroy();
    expect(status).toBe(200);
    expect(body).toEqual({ organizations: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), dynamodb: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    expect(roots.Roots?.map((root) => root.Id)).toEqual([Org.root]);
    expect(tables.TableNames).toBeDefined();
  });

  describe('scp-guardian decide --local', () => {
    const decide = (dataDir: string) => runDecide('any-incident', { approve: true, region: 'us-east-1', local: server.url, dataDir }, { env: {}, awsClients }).catch((e: unknown) => e);
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'scp-guardian-decide-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('says where it looked when the data folder holds no serve token', async () => {
      const error = await decide(dir);

      expect(error).toBeInstanceOf(DecideCommandError);
      expect((error as Error).message).toBe(
        `no token in ${join(dir, 'serve-token')}: is \`scp-guardian local --serve\` running with this data folder? Give the --data-dir it was started with (or set $SCP_GUARDIAN_DATA_DIR)`,
      );
    });

    it('says the server refused the token of another data folder', async () => {
      writeFileSync(join(dir, 'serve-token'), 'a-token-of-some-other-server\n');

      const error = await decide(dir);

      expect(error).toBeInstanceOf(DecideCommandError);
      expect((error as Error).message).toBe(`${server.url} refused the token in ${join(dir, 'serve-token')}: that server was started with another data folder; give its --data-dir`);
    });

    it('looks for the token in $SCP_GUARDIAN_DATA_DIR when no --data-dir is given', async () => {
      const error = await runDecide('any-incident', { approve: true, region: 'us-east-1', local: server.url }, { env: { SCP_GUARDIAN_DATA_DIR: dir }, awsClients }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DecideCommandError);
      expect((error as Error).message).toContain(`no token in ${join(dir, 'serve-token')}: `);
    });
  });
});

describe('`scp-guardian local --serve` answering POST /events', () => {
  let silent: Server;
  let server: LocalServer;
  const activity: string[] = [];

  beforeAll(async () => {
    // An Organizations endpoint that never answers: Classify waits for its enrichment timeout,
    // so the execution claims its incident only well after the event was accepted.
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    server = await startLocalServer({
      organizationsEndpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      organization: undefined,
      activity: (line) => activity.push(line),
    });
  });
  afterAll(async () => {
    await server.stop();
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('answers 202 at once with the incident id and execution, before the execution has claimed it', async () => {
    // An unprotected pair: once Classify gives up on Organizations, the execution closes without it.
    const event = detachEvent({ policyId: Org.denyRegion, targetId: Org.sandboxAccount });
    const started = Date.now();

    const answer = await postJson<{ incidentId: string; executionArn: string }>(server, '/events', event);

    const took = Date.now() - started;
    const claimed = await getJson(server, `/incidents/${answer.body.incidentId}`);
    const ended = await executionEnded(activity, answer.body.incidentId);
    expect(answer).toEqual({ status: 202, body: { incidentId: (event.detail as { eventID: string }).eventID, executionArn: expect.stringMatching(/^arn:aws:states:.*:execution:/) } });
    expect(took).toBeLessThan(1_000);
    expect(claimed.status).toBe(404);
    expect(ended).toBe(`incident ${answer.body.incidentId}: execution SUCCEEDED`);
  });
});

describe('the serve token file', () => {
  it('is gone once the server has stopped', async () => {
    const server = await startLocalServer({ dataDir: mkdtempSync(join(tmpdir(), 'scp-guardian-serve-')) });
    const file = join(server.dataDir, 'serve-token');
    const wasThere = existsSync(file);

    await server.stop();

    expect([wasThere, existsSync(file)]).toEqual([true, false]);
  });
});

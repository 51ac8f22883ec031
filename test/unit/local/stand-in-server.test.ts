import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { METHODS, request, type RequestOptions } from 'node:http';
import { createServer, type Server } from 'node:net';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb/dynamodb-local';
import { AWS_JSON_BODY_LIMIT_BYTES, AwsJsonServer } from '../../../local/stand-ins/aws-json-protocol/server';
import { SLACK_BODY_LIMIT_BYTES, SlackStandIn } from '../../../local/stand-ins/slack/slack-stand-in';
import { SNS_BODY_LIMIT_BYTES, SnsStandIn } from '../../../local/stand-ins/sns/sns-stand-in';
import { NO_ANSWER, StandInServer, type StandInServerOptions } from '../../../local/stand-ins/stand-in-server';

const echo = (overrides: Partial<StandInServerOptions> = {}): StandInServer =>
  new StandInServer({
    name: 'the echo stand-in',
    bodyLimit: 16,
    answer: (request) => ({ status: 201, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-echo': request.method }, body: request.body }),
    refuse: ({ status, message }) => ({ status, headers: { 'content-type': 'text/plain' }, body: `refused: ${message}` }),
    ...overrides,
  });

/** Whether a TCP port on 127.0.0.1 can be listened on right now. */
async function portIsFree(port: number): Promise<boolean> {
  const probe: Server = createServer();
  const free = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (free) await new Promise((resolve) => probe.close(resolve));
  return free;
}

const servers: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

/** Starts a stand-in server (stopped after the test) and sends it one request. */
async function send(server: StandInServer, init: RequestInit & { path?: string }): Promise<{ status: number; headers: Headers; body: string }> {
  servers.push(server);
  const { url } = await server.start();
  const response = await fetch(`${url}${init.path ?? '/'}`, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('StandInServer', () => {
  it('writes the status, headers and body the stand-in answers, the body as the text it came in', async () => {
    const server = echo();

    const response = await send(server, { method: 'PUT', path: '/any/path', headers: { 'content-type': 'application/whatever' }, body: 'héllo' });

    expect({ status: response.status, type: response.headers.get('content-type'), echo: response.headers.get('x-echo'), body: response.body }).toEqual({
      status: 201,
      type: 'application/x-amz-json-1.1',
      echo: 'PUT',
      body: 'héllo',
    });
  });

  it('adds no Content-Type to an answer that has none', async () => {
    const server = echo({ answer: () => ({ status: 200, headers: { 'x-answer': 'untyped' }, body: 'plain bytes' }) });

    const response = await send(server, { method: 'POST', body: '' });

    expect({ type: response.headers.get('content-type'), answer: response.headers.get('x-answer'), body: response.body }).toEqual({ type: null, answer: 'untyped', body: 'plain bytes' });
  });

  it.each(METHODS.filter((method) => method !== 'CONNECT'))('hands a %s request to the stand-in with its body, whatever the method', async (method) => {
    const server = echo();
    servers.push(server);
    const { port } = await server.start();

    const response = await rawRequest(port, { method, path: '/any/path', headers: { 'content-type': 'text/plain', 'content-length': '2' } }, 'hi');

    expect(response).toEqual({ status: 201, echo: method, body: method === 'HEAD' ? '' : 'hi' });
  });

  it.each([
    ['a malformed one', 'application/json charset=utf-8'],
    ['one no parser is named for', 'application/x-amz-json-1.1'],
    ['none', undefined],
  ])('hands the stand-in the body as text and the Content-Type as sent, %s included', async (_case, contentType) => {
    const server = echo({ answer: (request) => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ contentType: request.headers['content-type'], body: request.body }) }) });
    servers.push(server);
    const { port } = await server.start();

    const response = await rawRequest(port, { method: 'POST', path: '/', headers: { ...(contentType && { 'content-type': contentType }), 'content-length': '2' } }, '{}');

    expect({ status: response.status, body: JSON.parse(response.body) as unknown }).toEqual({ status: 200, body: { contentType, body: '{}' } });
  });

  it('hands the stand-in a QUERY request that names no Content-Type', async () => {
    const server = echo();
    servers.push(server);
    const { port } = await server.start();

    const response = await rawRequest(port, { method: 'QUERY', path: '/', headers: { 'content-length': '2' } }, 'hi');

    expect(response).toEqual({ status: 201, echo: 'QUERY', body: 'hi' });
  });

  it('refuses a body over its limit with 413 in the stand-in\'s shape, without asking the stand-in', async () => {
    let asked = 0;
    const server = echo({ answer: () => ({ status: 200, headers: {}, body: String(++asked) }) });

    const response = await send(server, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(17) });

    expect({ status: response.status, body: response.body, asked }).toEqual({ status: 413, body: 'refused: request body over 16 bytes', asked: 0 });
  });

  it('answers a path with a malformed %-escape 400 in the stand-in\'s shape', async () => {
    const server = echo();

    const response = await send(server, { method: 'POST', path: '/%zz', body: '{}' });

    expect({ status: response.status, type: response.headers.get('content-type'), body: response.body }).toEqual({
      status: 400,
      type: 'text/plain',
      body: "refused: '/%zz' is not a valid url component",
    });
  });

  it('answers a stand-in that throws with 500 in the stand-in\'s shape', async () => {
    const server = echo({
      answer: () => {
        throw new TypeError('boom');
      },
    });

    const response = await send(server, { method: 'POST', body: '' });

    expect({ status: response.status, body: response.body }).toEqual({ status: 500, body: 'refused: TypeError: boom' });
  });

  it('frees its port when stopped', async () => {
    const server = echo();
    const { port } = await server.start();

    await server.stop();

    await expect(portIsFree(port)).resolves.toBe(true);
  });

  it('stops with a held request open, ending that request\'s connection', async () => {
    const server = echo({ answer: () => NO_ANSWER });
    const { url } = await server.start();
    const held = fetch(url, { method: 'POST', body: '{}' });
    await until(() => server.heldCount === 1);

    await server.stop();

    await expect(held).rejects.toThrow();
    expect(server.heldCount).toBe(0);
  });

  it('listens again after a stop', async () => {
    const server = echo();
    servers.push(server);
    await server.start();
    await server.stop();

    const { url } = await server.start();

    const response = await fetch(url, { method: 'POST', body: 'again' });
    expect(await response.text()).toBe('again');
  });

  it('stops a server whose start is still pending, leaving nothing listening', async () => {
    const server = echo();
    servers.push(server);
    const starting = server.start();

    await server.stop();

    const { port } = await starting;
    await expect(portIsFree(port)).resolves.toBe(true);
    expect(() => server.url).toThrow('the echo stand-in is not started');
  });

  it('listens once when started twice at once', async () => {
    const server = echo();
    servers.push(server);

    const [first, second] = await Promise.all([server.start(), server.start()]);

    expect(second).toEqual(first);
  });

  it('says it is not started when asked for its URL before start', () => {
    expect(() => echo().url).toThrow('the echo stand-in is not started');
  });
});

describe('body limits of the stand-ins', () => {
  it('the AWS JSON stand-ins answer a body over their limit 413 RequestTooLargeException', async () => {
    const server = new AwsJsonServer({ targetPrefix: 'AWSOrganizationsV20161128', operations: { Echo: () => ({}) } });
    servers.push(server);
    const { url } = await server.start();

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSOrganizationsV20161128.Echo' },
      body: `{"Content":"${'x'.repeat(AWS_JSON_BODY_LIMIT_BYTES)}"}`,
    });

    expect({ status: response.status, type: response.headers.get('content-type'), body: ((await response.json()) as { __type: string }).__type }).toEqual({
      status: 413,
      type: 'application/x-amz-json-1.1',
      body: 'RequestTooLargeException',
    });
  });

  it('the AWS JSON stand-ins take a body just under their limit', async () => {
    const server = new AwsJsonServer({ targetPrefix: 'AWSOrganizationsV20161128', operations: { Length: (input) => ({ Length: String(input.Content).length }) } });
    servers.push(server);
    const { url } = await server.start();
    const content = 'x'.repeat(AWS_JSON_BODY_LIMIT_BYTES - '{"Content":""}'.length);

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSOrganizationsV20161128.Length' },
      body: `{"Content":"${content}"}`,
    });

    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { Length: content.length } });
  });

  it('the AWS JSON stand-ins answer a request whose Content-Type is malformed, reading its body as JSON', async () => {
    const server = new AwsJsonServer({ targetPrefix: 'AWSOrganizationsV20161128', operations: { Length: (input) => ({ Length: String(input.Content).length }) } });
    servers.push(server);
    const { url } = await server.start();

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1 charset=utf-8', 'x-amz-target': 'AWSOrganizationsV20161128.Length' },
      body: '{"Content":"abc"}',
    });

    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { Length: 3 } });
  });

  it('the Slack stand-in answers a call whose Content-Type is malformed, reading its body as it names it', async () => {
    const slack = new SlackStandIn({ token: 'xoxb-test' });
    servers.push(slack);
    await slack.start();

    const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/json charset=utf-8' },
      body: JSON.stringify({ channel: 'C1', text: 'hello' }),
    });

    expect({ status: response.status, ok: ((await response.json()) as { ok: boolean }).ok, calls: slack.calls().map((call) => [call.method, call.args.text]) }).toEqual({
      status: 200,
      ok: true,
      calls: [['chat.postMessage', 'hello']],
    });
  });

  it('the Slack stand-in answers a body over its limit 413 request_too_large and records no call', async () => {
    const slack = new SlackStandIn({ token: 'xoxb-test' });
    servers.push(slack);
    await slack.start();

    const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/x-www-form-urlencoded' },
      body: `channel=C1&text=${'x'.repeat(SLACK_BODY_LIMIT_BYTES)}`,
    });

    expect({ status: response.status, error: ((await response.json()) as { error: string }).error, calls: slack.calls() }).toEqual({ status: 413, error: 'request_too_large', calls: [] });
  });

  it('the SNS stand-in answers a body over its limit 413 RequestEntityTooLarge, which the SDK names', async () => {
    const sns = new SnsStandIn();
    servers.push(sns);
    const client = new SNSClient({ endpoint: await sns.start(), region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });

    const error = await client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:111111111111:t', Message: 'x'.repeat(SNS_BODY_LIMIT_BYTES) })).catch((e: unknown) => e);
    client.destroy();

    expect({ name: (error as Error).name, status: (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, published: sns.published }).toEqual({
      name: 'RequestEntityTooLarge',
      status: 413,
      published: [],
    });
  });
});

/** One request through node:http, which sends any method Node knows (fetch refuses some, such as TRACE). */
async function rawRequest(port: number, options: RequestOptions, body: string): Promise<{ status?: number; echo?: string | string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ ...options, host: '127.0.0.1', port, agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode, echo: response.headers['x-echo'], body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function until(condition: () => boolean, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

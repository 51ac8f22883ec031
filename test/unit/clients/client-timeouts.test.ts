import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AttachPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { toOrganizationsError } from '../../../functions/shared/organizations/errors';
import { ORGANIZATIONS_CLIENT_OPTIONS } from '../../../functions/shared/clients/organizations';
import { CLIENT_TIMEOUTS, clientTimeoutOptions } from '../../../functions/shared/clients/timeouts';
import { LocalOrganizationsEndpoint } from '../../../local/stand-ins/organizations/endpoint';
import { LocalOrganization } from '../../../local/stand-ins/organizations/organization-state';
import { FIXTURE, PROD_OU, UNATTACHED_SCP } from '../local/organizations/harness';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const region = 'us-east-1';
type Service = keyof typeof CLIENT_TIMEOUTS;
/** A generous bound on the SDK's jittered backoff between two attempts after a timeout. */
const MAX_BACKOFF_MS = 1_000;

/** Milliseconds a call took to fail, and its error; fails the test when the call succeeds. */
async function failureOf(call: Promise<unknown>): Promise<{ ms: number; error: Error }> {
  const started = performance.now();
  try {
    await call;
  } catch (error) {
    return { ms: performance.now() - started, error: error as Error };
  }
  throw new Error('expected the call to fail');
}

/** An HTTP server that reads every request and never answers it, for clients of any protocol. */
class SilentServer {
  requests = 0;
  private readonly sockets = new Set<Socket>();
  private readonly server: Server = createServer((request) => {
    this.requests += 1;
    request.resume();
  });

  async start(): Promise<string> {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('a hung call fails inside the function instead of holding it', () => {
  it('fails a never-answered AttachPolicy within the production request timeout, named Organizations.ServiceException', async () => {
    const endpoint = new LocalOrganizationsEndpoint(LocalOrganization.fromFile(FIXTURE));
    const { url } = await endpoint.start();
    const client = new OrganizationsClient({ ...ORGANIZATIONS_CLIENT_OPTIONS, endpoint: url, credentials });
    endpoint.faults.script('AttachPolicy', ['hang']);
    const timeout = CLIENT_TIMEOUTS.organizations.requestTimeoutMs;

    try {
      const { ms, error } = await failureOf(client.send(new AttachPolicyCommand({ PolicyId: UNATTACHED_SCP, TargetId: PROD_OU })));

      const named = toOrganizationsError(error);
      expect(error.name).toBe('TimeoutError');
      expect(ms).toBeGreaterThanOrEqual(timeout * 0.9);
      expect(ms).toBeLessThan(3 * timeout);
      expect(named.name).toBe('Organizations.ServiceException');
      expect(named.transient).toBe(true);
      expect(endpoint.callCount('AttachPolicy')).toBe(1);
    } finally {
      client.destroy();
      await endpoint.stop();
    }
  });

  /** Each client class with its service's attempts, the request timeout cut short so the test stays fast. */
  const SHORT_MS = 200;
  const shortened = (service: Service) => clientTimeoutOptions({ ...CLIENT_TIMEOUTS[service], requestTimeoutMs: SHORT_MS });
  const calls: [Service, (endpoint: string) => { send(): Promise<unknown>; destroy(): void }][] = [
    ['dynamodb', (endpoint) => wrap(new DynamoDBClient({ ...shortened('dynamodb'), endpoint, region, credentials }), (c) => c.send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'x' } } })))],
    ['sns', (endpoint) => wrap(new SNSClient({ ...shortened('sns'), endpoint, region, credentials }), (c) => c.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm' })))],
    ['sfn', (endpoint) => wrap(new SFNClient({ ...shortened('sfn'), endpoint, region, credentials }), (c) => c.send(new SendTaskSuccessCommand({ taskToken: 't', output: '{}' })))],
    ['lambda', (endpoint) => wrap(new LambdaClient({ ...shortened('lambda'), endpoint, region, credentials }), (c) => c.send(new InvokeCommand({ FunctionName: 'slack' })))],
  ];

  it.each(calls)('gives up on a never-answered %s call after its attempts, each cut at the request timeout', async (service, clientAt) => {
    const server = new SilentServer();
    const client = clientAt(await server.start());
    const { maxAttempts } = CLIENT_TIMEOUTS[service];

    try {
      const { ms, error } = await failureOf(client.send());

      expect(error.name).toBe('TimeoutError');
      expect(server.requests).toBe(maxAttempts);
      expect(ms).toBeLessThan(3 * maxAttempts * SHORT_MS + (maxAttempts - 1) * MAX_BACKOFF_MS);
    } finally {
      client.destroy();
      await server.stop();
    }
  });
});

function wrap<C extends { destroy(): void }>(client: C, send: (client: C) => Promise<unknown>) {
  return { send: () => send(client), destroy: () => client.destroy() };
}

import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AwsServiceError } from '../../../../local/stand-ins/aws-json-protocol/errors';
import { AwsJsonServer, type AwsJsonServerOptions } from '../../../../local/stand-ins/aws-json-protocol/server';
import { sdkErrorOf } from './harness';

let server: AwsJsonServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: Partial<AwsJsonServerOptions> = {}): Promise<string> {
  server = new AwsJsonServer({
    targetPrefix: 'AWSOrganizationsV20161128',
    operations: {
      Echo: (input) => ({ Received: input }),
      Refuse: () => {
        throw new AwsServiceError('ConstraintViolationException', 'no', { members: { Reason: 'SOME_REASON' } });
      },
      Crash: () => {
        throw new TypeError('boom');
      },
    },
    ...options,
  });
  return (await server.start()).url;
}

async function post(url: string, target: string | undefined, body: string) {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
  if (target) headers['x-amz-target'] = target;
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
}

describe('AwsJsonServer', () => {
  it('dispatches on X-Amz-Target and answers the handler output as JSON', async () => {
    const url = await start();

    const answer = await post(url, 'AWSOrganizationsV20161128.Echo', '{"A":1}');

    expect(answer).toEqual({ status: 200, contentType: 'application/x-amz-json-1.1', body: { Received: { A: 1 } } });
  });

  it('answers an operation it does not serve with 400 UnknownOperationException', async () => {
    const url = await start();

    const answer = await post(url, 'AWSOrganizationsV20161128.CreatePolicy', '{}');

    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe('UnknownOperationException');
  });

  it('answers a target of another service with 400 UnknownOperationException', async () => {
    const url = await start();

    const answer = await post(url, 'AWSStepFunctions.Echo', '{}');

    expect(answer.body.__type).toBe('UnknownOperationException');
  });

  it('answers a malformed JSON body with 400 SerializationException', async () => {
    const url = await start();

    const answer = await post(url, 'AWSOrganizationsV20161128.Echo', '{"A":');

    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe('SerializationException');
  });

  it('answers a JSON body that is not an object with 400 SerializationException', async () => {
    const url = await start();

    const answer = await post(url, 'AWSOrganizationsV20161128.Echo', '[1]');

    expect(answer.body.__type).toBe('SerializationException');
  });

  it('answers a thrown AwsServiceError with its status, name, message and members', async () => {
    const url = await start();

    const answer = await post(url, 'AWSOrganizationsV20161128.Refuse', '{}');

    expect(answer).toMatchObject({
      status: 400,
      body: { __type: 'ConstraintViolationException', Message: 'no', Reason: 'SOME_REASON' },
    });
  });

  it('answers an unexpected exception with 500 InternalFailure', async () => {
    const url = await start();

    const answer = await post(url, 'AWSOrganizationsV20161128.Crash', '{}');

    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ __type: 'InternalFailure', Message: 'The request processing has failed: TypeError: boom' });
  });

  it('answers with the awsJson1_0 content type for a 1.0 service', async () => {
    const url = await start({ targetPrefix: 'AWSStepFunctions', jsonVersion: '1.0' });

    const answer = await post(url, 'AWSStepFunctions.Echo', '{}');

    expect(answer.contentType).toBe('application/x-amz-json-1.0');
  });

  it('gives the SDK an error it names after __type for an operation not served', async () => {
    const url = await start();
    const client = new OrganizationsClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });

    const error = await sdkErrorOf(client.send(new ListAccountsCommand({})));
    client.destroy();

    expect(error.name).toBe('UnknownOperationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('stops even with a keep-alive connection open, and can be stopped twice', async () => {
    const url = await start();
    await post(url, 'AWSOrganizationsV20161128.Echo', '{}');

    await server?.stop();

    await expect(server?.stop()).resolves.toBeUndefined();
    await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});

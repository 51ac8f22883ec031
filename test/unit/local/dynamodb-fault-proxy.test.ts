import { randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { translateAuditStoreError } from '../../../functions/shared/audit/audit-errors';
import { AuditStore } from '../../../functions/shared/audit/audit-store';
import { toDocumentClient } from '../../../functions/shared/clients/dynamodb';
import { ErrorName } from '../../../functions/shared/errors';
import { DynamoDbFaultProxy, parseDynamoDbFaults, type DynamoDbFaults } from '../../../local/dynamodb/fault-proxy';
import { createAuditTable, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb/dynamodb-local';
import { freePort } from '../../../local/dynamodb/free-port';
import { incident } from '../../support/audit-incidents';
import { dynamoDbEndpoint } from '../../support/local-harness';

const TARGET = 'DynamoDB_20120810';

let tableName: string;
const started: DynamoDbFaultProxy[] = [];
const clients: DynamoDBClient[] = [];

beforeAll(async () => {
  tableName = `fault-proxy-${randomUUID().slice(0, 8)}`;
  await createAuditTable(dynamoDbEndpoint(), tableName);
});
afterEach(async () => {
  clients.splice(0).forEach((client) => client.destroy());
  await Promise.all(started.splice(0).map((proxy) => proxy.stop()));
});

async function startProxy(faults: DynamoDbFaults, target = dynamoDbEndpoint()): Promise<DynamoDbFaultProxy> {
  const proxy = new DynamoDbFaultProxy(target, faults);
  started.push(proxy);
  return proxy.start();
}

/** The real SDK client, one attempt per call, so each call meets exactly one answer. */
function clientOf(url: string, maxAttempts = 1): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint: url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts });
  clients.push(client);
  return client;
}

const putItem = (pk = `TEST#${randomUUID()}`) => new PutItemCommand({ TableName: tableName, Item: { pk: { S: pk }, sk: { S: 'ITEM' }, value: { S: 'kept' } } });

/** What the SDK threw for one call, or 'ok'. */
async function outcomeOf(client: DynamoDBClient, command = putItem()): Promise<unknown> {
  try {
    await client.send(command);
    return 'ok';
  } catch (error) {
    return error;
  }
}

/** One raw DynamoDB call, as the SDK would put it on the wire (DynamoDB Local checks the shape, not the signature). */
async function rawCall(url: string, operation: string, body: unknown): Promise<{ status: number; contentType: string | null; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `${TARGET}.${operation}`,
      authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00',
      'x-amz-date': '20260101T000000Z',
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

describe('parseDynamoDbFaults', () => {
  it.each([
    ['unavailable', { mode: 'unavailable' }],
    ['throttle:0.3', { mode: 'throttle', probability: 0.3 }],
    ['error:1', { mode: 'error', probability: 1 }],
    ['throttle:0', { mode: 'throttle', probability: 0 }],
  ])('reads %s', (text, expected) => {
    expect(parseDynamoDbFaults(text)).toEqual(expected);
  });

  it.each([
    ['slow', /unknown mode "slow"; expected unavailable, throttle:P or error:P, with P from 0 to 1/],
    ['', /unknown mode ""/],
    ['throttle', /throttle needs one probability, as in throttle:0.3/],
    ['error:', /error needs one probability/],
    ['throttle:0.1:0.2', /throttle needs one probability/],
    ['throttle:1.5', /the probability of throttle must be a number from 0 to 1, got "1.5"/],
    ['error:-0.1', /the probability of error must be a number from 0 to 1, got "-0.1"/],
    ['error:lots', /the probability of error must be a number from 0 to 1, got "lots"/],
    ['unavailable:0.5', /unavailable takes no probability/],
  ])('refuses "%s", saying what is wrong', (text, message) => {
    expect(() => parseDynamoDbFaults(text)).toThrow(message);
  });
});

describe('DynamoDbFaultProxy', () => {
  it('refuses a probability outside 0..1', () => {
    expect(() => new DynamoDbFaultProxy(dynamoDbEndpoint(), { mode: 'throttle', probability: 2 })).toThrow(/probability must be from 0 to 1, got 2/);
  });

  it('forwards requests and answers unchanged when no fault is drawn', async () => {
    const proxy = await startProxy({ mode: 'error', probability: 0 });
    const pk = `TEST#${randomUUID()}`;
    await clientOf(proxy.url).send(putItem(pk));
    const request = { TableName: tableName, Key: { pk: { S: pk }, sk: { S: 'ITEM' } }, ConsistentRead: true };

    const [proxied, direct] = [await rawCall(proxy.url, 'GetItem', request), await rawCall(dynamoDbEndpoint(), 'GetItem', request)];

    expect(proxied).toEqual(direct);
    expect(JSON.parse(proxied.body)).toEqual({ Item: { pk: { S: pk }, sk: { S: 'ITEM' }, value: { S: 'kept' } } });
    expect(proxy.counts).toMatchObject({ requests: 2, forwarded: 2, injected: { unavailable: 0, throttle: 0, error: 0 } });
  });

  it("forwards DynamoDB Local's own errors unchanged", async () => {
    const proxy = await startProxy({ mode: 'throttle', probability: 0 });
    const request = { TableName: 'no-such-table', Key: { pk: { S: 'x' }, sk: { S: 'y' } } };

    const [proxied, direct] = [await rawCall(proxy.url, 'GetItem', request), await rawCall(dynamoDbEndpoint(), 'GetItem', request)];

    expect(proxied).toEqual(direct);
    expect(proxied.status).toBe(400);
  });

  describe('unavailable', () => {
    it('answers every call 503 with a DynamoDB-shaped ServiceUnavailable body', async () => {
      const proxy = await startProxy({ mode: 'unavailable' });

      const answer = await rawCall(proxy.url, 'GetItem', { TableName: tableName, Key: { pk: { S: 'x' }, sk: { S: 'y' } } });

      expect(answer.status).toBe(503);
      expect(answer.contentType).toBe('application/x-amz-json-1.0');
      expect(JSON.parse(answer.body)).toEqual({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', message: expect.any(String) });
    });

    it('makes the SDK report a ServiceUnavailable server fault, which the translator names AuditStore.Unavailable', async () => {
      const proxy = await startProxy({ mode: 'unavailable' });

      const error = await outcomeOf(clientOf(proxy.url));

      expect(error).toMatchObject({ name: 'ServiceUnavailable', $fault: 'server', $metadata: { httpStatusCode: 503 } });
      expect(translateAuditStoreError(error)).toMatchObject({ name: ErrorName.AUDIT_UNAVAILABLE });
    });

    it('fails every attempt of an SDK that retries, and counts each one', async () => {
      const proxy = await startProxy({ mode: 'unavailable' });

      const error = await outcomeOf(clientOf(proxy.url, 3));

      expect(error).toMatchObject({ name: 'ServiceUnavailable', $metadata: { attempts: 3 } });
      expect(proxy.counts).toEqual({ requests: 3, forwarded: 0, injected: { unavailable: 3, throttle: 0, error: 0, hang: 0 }, injectedByOperation: { PutItem: 3 } });
    });

    it('makes an audit-store claim fail with AuditStore.Unavailable and write nothing', async () => {
      const proxy = await startProxy({ mode: 'unavailable' });
      const audit = new AuditStore(toDocumentClient(clientOf(proxy.url, 2)), tableName);
      const trueAudit = new AuditStore(toDocumentClient(clientOf(dynamoDbEndpoint())), tableName);
      const claimed = incident({ detectedAt: '2026-11-20T10:00:00Z' });

      const claim = audit.claimIncident(claimed, 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:one');

      await expect(claim).rejects.toMatchObject({ name: ErrorName.AUDIT_UNAVAILABLE });
      expect(await trueAudit.getIncident(claimed.incidentId)).toBeUndefined();
    });
  });

  describe('throttle:P', () => {
    it('answers 400 ProvisionedThroughputExceededException as DynamoDB does', async () => {
      const proxy = await startProxy({ mode: 'throttle', probability: 1 });

      const answer = await rawCall(proxy.url, 'PutItem', { TableName: tableName, Item: { pk: { S: 'x' }, sk: { S: 'y' } } });

      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException' });
    });

    it('makes the SDK report ProvisionedThroughputExceededException, which the translator names AuditStore.Throttled', async () => {
      const proxy = await startProxy({ mode: 'throttle', probability: 1 });

      const error = await outcomeOf(clientOf(proxy.url));

      expect(error).toMatchObject({ name: 'ProvisionedThroughputExceededException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      expect(translateAuditStoreError(error)).toMatchObject({ name: ErrorName.AUDIT_THROTTLED });
    });

    it('throttles about the fraction asked for, and lets the rest through to DynamoDB Local', async () => {
      const proxy = await startProxy({ mode: 'throttle', probability: 0.3, seed: 7 });
      const client = clientOf(proxy.url);

      const outcomes: unknown[] = [];
      for (let i = 0; i < 60; i++) outcomes.push(await outcomeOf(client));

      const throttled = outcomes.filter((o) => o !== 'ok').length;
      expect(throttled).toBe(proxy.counts.injected.throttle);
      expect(throttled).toBeGreaterThan(60 * 0.15);
      expect(throttled).toBeLessThan(60 * 0.45);
      expect(proxy.counts.forwarded).toBe(60 - throttled);
    });

    it('draws the same faults for the same seed', async () => {
      const pattern = async (seed: number) => {
        const proxy = await startProxy({ mode: 'throttle', probability: 0.5, seed });
        const client = clientOf(proxy.url);
        const calls: string[] = [];
        for (let i = 0; i < 16; i++) calls.push((await outcomeOf(client)) === 'ok' ? '.' : 'T');
        return calls.join('');
      };

      const [first, again, other] = [await pattern(42), await pattern(42), await pattern(43)];

      expect(again).toBe(first);
      expect(other).not.toBe(first);
    });
  });

  describe('error:P', () => {
    it('answers 500 InternalServerError as DynamoDB does', async () => {
      const proxy = await startProxy({ mode: 'error', probability: 1 });

      const answer = await rawCall(proxy.url, 'PutItem', { TableName: tableName, Item: { pk: { S: 'x' }, sk: { S: 'y' } } });

      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.body)).toMatchObject({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' });
    });

    it('makes the SDK report InternalServerError, which the translator names AuditStore.Unavailable', async () => {
      const proxy = await startProxy({ mode: 'error', probability: 1 });

      const error = await outcomeOf(clientOf(proxy.url));

      expect(error).toMatchObject({ name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
      expect(translateAuditStoreError(error)).toMatchObject({ name: ErrorName.AUDIT_UNAVAILABLE });
    });
  });

  describe('connections', () => {
    it('drops the connection when DynamoDB Local does not answer, which the translator names AuditStore.Unavailable', async () => {
      const proxy = await startProxy({ mode: 'error', probability: 0 }, `http://127.0.0.1:${await freePort()}`);

      const error = await outcomeOf(clientOf(proxy.url));

      // Outside jest the error keeps its code (ECONNRESET); inside, the SDK wraps it (see audit-errors.ts).
      expect(String(error)).toMatch(/socket hang up|ECONNRESET/);
      expect(error).not.toHaveProperty('$metadata.httpStatusCode');
      expect(translateAuditStoreError(error)).toMatchObject({ name: ErrorName.AUDIT_UNAVAILABLE });
    });

    it('closes open keep-alive connections on stop, so nothing answers afterwards', async () => {
      const proxy = await startProxy({ mode: 'error', probability: 0 });
      const client = clientOf(proxy.url);
      expect(await outcomeOf(client)).toBe('ok');

      await proxy.stop();
      const [reused, fresh] = [await outcomeOf(client), await outcomeOf(clientOf(proxy.url))];

      expect(String(reused)).toMatch(/socket hang up|ECONNRESET|ECONNREFUSED/);
      expect(String(fresh)).toMatch(/ECONNREFUSED/);
      expect([reused, fresh].map((error) => (translateAuditStoreError(error) as Error).name)).toEqual([ErrorName.AUDIT_UNAVAILABLE, ErrorName.AUDIT_UNAVAILABLE]);
    });
  });
});

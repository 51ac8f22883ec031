import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  TransactionCanceledException,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { auditStoreCall, translateAuditStoreError } from '../../../functions/shared/audit/audit-errors';
import { AuditStore } from '../../../functions/shared/audit/audit-store';
import { DecisionStore } from '../../../functions/shared/decisions/decision-store';
import { AuditStoreThrottledError, AuditStoreUnavailableError, ErrorName, StatusRegressionError, TRANSIENT_AUDIT_ERRORS } from '../../../functions/shared/errors';
import { IncidentStatus, TimelineStep } from '../../../functions/shared/vocabulary';
import { incident } from '../../support/audit-incidents';

const metadata = (httpStatusCode?: number) => ({ httpStatusCode, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 });

const serviceError = (name: string, httpStatusCode: number, $fault: 'client' | 'server' = httpStatusCode >= 500 ? 'server' : 'client') =>
  new DynamoDBServiceException({ name, $fault, message: `${name} from DynamoDB`, $metadata: metadata(httpStatusCode) });

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
    $metadata: metadata(400),
    CancellationReasons: codes.map((Code): CancellationReason => ({ Code })),
  });

/** A socket-level failure as @smithy/node-http-handler rejects it: a code, and no HTTP status. */
const networkError = (code: string, name = 'Error') => Object.assign(new Error(`connect ${code} 127.0.0.1:8000`), { name, code, $metadata: { attempts: 2 } });

describe('translateAuditStoreError', () => {
  it.each([
    ['ProvisionedThroughputExceededException', new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: metadata(400) })],
    ['ThrottlingException', serviceError('ThrottlingException', 400)],
    ['RequestLimitExceeded', new RequestLimitExceeded({ message: 'limit exceeded', $metadata: metadata(400) })],
    ['TransactionConflictException', serviceError('TransactionConflictException', 400)],
    ['any error answered with HTTP 429', serviceError('SomethingNew', 429)],
    ['a transaction cancelled by throttling', cancelled('None', 'ThrottlingError')],
    ['a transaction cancelled by provisioned throughput', cancelled('ProvisionedThroughputExceeded', 'None')],
    ['a transaction cancelled by a conflict', cancelled('TransactionConflict', 'None', 'None')],
  ])('names %s AuditStore.Throttled', (_case, error) => {
    const translated = translateAuditStoreError(error);

    expect(translated).toBeInstanceOf(AuditStoreThrottledError);
    expect(translated).toMatchObject({ name: ErrorName.AUDIT_THROTTLED, cause: error });
  });

  it.each([
    ['InternalServerError (500)', new InternalServerError({ message: 'Internal server error', $metadata: metadata(500) })],
    ['ServiceUnavailable (503)', serviceError('ServiceUnavailable', 503)],
    ['any other 5xx', serviceError('BadGateway', 502)],
    ['a server fault without a status', serviceError('InternalFailure', undefined as unknown as number, 'server')],
    ['a refused connection', networkError('ECONNREFUSED')],
    ['a reset connection', networkError('ECONNRESET', 'TimeoutError')],
    ['a request timeout', Object.assign(new Error('the request socket timed out after 1000 ms'), { name: 'TimeoutError', $metadata: {} })],
    ['an unknown host', networkError('ENOTFOUND')],
    // A socket error from another realm (jest's vm), as the SDK's retry wraps it, without its code.
    ['a reset connection the SDK wrapped', Object.assign(new Error('AWS SDK error wrapper for TimeoutError: socket hang up'), { $metadata: { attempts: 1 } })],
    ['a refused connection the SDK wrapped', Object.assign(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:8000'), { $metadata: { attempts: 1 } })],
  ])('names %s AuditStore.Unavailable', (_case, error) => {
    const translated = translateAuditStoreError(error);

    expect(translated).toBeInstanceOf(AuditStoreUnavailableError);
    expect(translated).toMatchObject({ name: ErrorName.AUDIT_UNAVAILABLE, cause: error });
  });

  it.each([
    ['ConditionalCheckFailedException', new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: metadata(400) })],
    ['a transaction cancelled by a failed condition', cancelled('ConditionalCheckFailed', 'None')],
    ['a transaction cancelled by a failed condition and throttling', cancelled('ConditionalCheckFailed', 'ThrottlingError')],
    ['a transaction cancelled by a validation error', cancelled('ValidationError', 'TransactionConflict')],
    ['a transaction cancelled without reasons', cancelled()],
    ['ValidationException', serviceError('ValidationException', 400)],
    ['AccessDeniedException', serviceError('AccessDeniedException', 400)],
    ['ResourceNotFoundException', serviceError('ResourceNotFoundException', 400)],
    ['a marshalling error (no status, no network code)', new Error('Pass options.removeUndefinedValues=true to remove undefined values')],
    ['an aborted call', Object.assign(new Error('Request aborted'), { name: 'AbortError' })],
    ['some other error the SDK wrapped', new Error('AWS SDK error wrapper for Error: something else')],
  ])('passes %s through unchanged', (_case, error) => {
    const translated = translateAuditStoreError(error);

    expect(translated).toBe(error);
  });

  it('passes non-errors through unchanged', () => {
    expect(translateAuditStoreError('boom')).toBe('boom');
  });

  it('names errors the ASL retries as transient audit errors', () => {
    const names = [translateAuditStoreError(serviceError('ThrottlingException', 400)), translateAuditStoreError(serviceError('ServiceUnavailable', 503))].map(
      (error) => (error as Error).name,
    );

    expect(names.every((name) => (TRANSIENT_AUDIT_ERRORS as readonly string[]).includes(name))).toBe(true);
  });

  it('keeps what DynamoDB said in the message', () => {
    const translated = translateAuditStoreError(serviceError('ServiceUnavailable', 503)) as Error;

    expect(translated.message).toContain('ServiceUnavailable: ServiceUnavailable from DynamoDB');
  });
});

describe('auditStoreCall', () => {
  it('resolves with what the call resolved with', async () => {
    const answer = await auditStoreCall(Promise.resolve({ Item: { pk: 'INCIDENT#1' } }));

    expect(answer).toEqual({ Item: { pk: 'INCIDENT#1' } });
  });

  it('rejects with the named error', async () => {
    const call = auditStoreCall(Promise.reject(serviceError('ThrottlingException', 400)));

    await expect(call).rejects.toBeInstanceOf(AuditStoreThrottledError);
  });
});

/** The stores name throttling and outages, and still tell failed conditions apart. */
describe('audit and decision stores on a failing DynamoDB', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const audit = new AuditStore(db, 'audit');
  const decisions = new DecisionStore(db, 'audit');
  const throttled = () => new ProvisionedThroughputExceededException({ message: 'throughput exceeded', $metadata: metadata(400) });
  const unavailable = () => serviceError('ServiceUnavailable', 503);
  const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: metadata(400) });

  beforeEach(() => dynamo.reset());
  afterAll(() => dynamo.restore());

  it('names a throttled claim AuditStore.Throttled', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('ThrottlingError', 'None', 'None'));

    const claim = audit.claimIncident(incident({ detectedAt: '2026-11-20T10:00:00Z' }), 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:one');

    await expect(claim).rejects.toMatchObject({ name: ErrorName.AUDIT_THROTTLED });
  });

  it('names a timeline write DynamoDB could not serve AuditStore.Unavailable', async () => {
    dynamo.on(PutCommand).rejects(unavailable());

    const append = audit.appendTimeline('incident-1', { step: TimelineStep.REATTACHED });

    await expect(append).rejects.toMatchObject({ name: ErrorName.AUDIT_UNAVAILABLE });
  });

  it('still treats a timeline step already recorded as recorded', async () => {
    dynamo.on(PutCommand).rejects(conditionFailed());

    const append = await audit.appendTimeline('incident-1', { step: TimelineStep.REATTACHED });

    expect(append).toEqual({ recorded: false });
  });

  it('still reports a status regression on a cancelled advance', async () => {
    dynamo.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed'));
    dynamo.on(GetCommand).resolves({ Item: { status: IncidentStatus.CLOSED } });

    const advance = audit.advance('incident-1', IncidentStatus.CLOSED, {});

    await expect(advance).rejects.toBeInstanceOf(StatusRegressionError);
  });

  it('names a throttled timeline read AuditStore.Throttled', async () => {
    dynamo.on(QueryCommand).rejects(throttled());

    const read = audit.getTimeline('incident-1');

    await expect(read).rejects.toMatchObject({ name: ErrorName.AUDIT_THROTTLED });
  });

  it('names a decision write DynamoDB could not serve AuditStore.Unavailable', async () => {
    dynamo.on(PutCommand).rejects(unavailable());

    const create = decisions.create({ decisionId: 'd1', incidentId: 'incident-1', taskToken: 'token', deadline: '2026-11-20T10:15:00Z' });

    await expect(create).rejects.toMatchObject({ name: ErrorName.AUDIT_UNAVAILABLE });
  });

  it('still answers false for a task token of a decision already taken', async () => {
    dynamo.on(UpdateCommand).rejects(conditionFailed());

    const replaced = await decisions.replaceTaskToken('d1', 'token-2');

    expect(replaced).toBe(false);
  });

  it('names a throttled decision read AuditStore.Throttled', async () => {
    dynamo.on(GetCommand).rejects(throttled());

    const read = decisions.get('d1');

    await expect(read).rejects.toMatchObject({ name: ErrorName.AUDIT_THROTTLED });
  });
});

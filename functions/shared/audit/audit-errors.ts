import { AuditStoreThrottledError, AuditStoreUnavailableError, describeError } from '../errors';

/**
 * Names what DynamoDB said about an audit-store call, so the ASL can retry the two answers that
 * are likely to differ a little later:
 *
 * - `AuditStore.Throttled`: ProvisionedThroughputExceededException, ThrottlingException,
 *   RequestLimitExceeded, TransactionConflictException, a TransactionCanceledException whose
 *   reasons are only throttling or TransactionConflict, and any HTTP 429;
 * - `AuditStore.Unavailable`: any 5xx or `$fault: 'server'` (InternalServerError,
 *   ServiceUnavailable), and no HTTP answer at all (connection refused or reset, timeouts).
 *
 * Everything else (ConditionalCheckFailedException, a cancellation with ConditionalCheckFailed,
 * validation, access denied, marshalling errors) is returned unchanged, for the stores' own checks.
 */

const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  // A single-item write that met a transaction on the same item: DynamoDB says to retry it.
  'TransactionConflictException',
]);

/** CancellationReasons codes of a transaction that would most likely succeed a little later. */
const TRANSIENT_CANCELLATION_REASONS: ReadonlySet<string> = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict']);

/** Socket-level failures: the request got no HTTP answer. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** What the SDK's HTTP handler names its connection and request timeouts. */
const TIMEOUT_ERROR_NAMES: ReadonlySet<string> = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/**
 * When Node's socket error comes from another JavaScript realm (jest runs code in a vm context),
 * it fails the SDK retry's `instanceof Error`, and the SDK throws a plain Error in its place:
 * "AWS SDK error wrapper for TimeoutError: socket hang up", without the code.
 */
const SDK_WRAPPER = /^AWS SDK error wrapper for (\w+): (.*)$/s;

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  CancellationReasons?: readonly { Code?: unknown }[];
}

function isTransientCancellation(error: SdkErrorShape): boolean {
  const codes = (error.CancellationReasons ?? []).map((reason) => String(reason.Code ?? 'None')).filter((code) => code !== 'None');
  return codes.length > 0 && codes.every((code) => TRANSIENT_CANCELLATION_REASONS.has(code));
}

function isWrappedNetworkError(error: { message?: unknown }): boolean {
  const wrapped = typeof error.message === 'string' ? SDK_WRAPPER.exec(error.message) : null;
  if (wrapped === null) return false;
  const [, name, message] = wrapped;
  return TIMEOUT_ERROR_NAMES.has(name) || [...NETWORK_ERROR_CODES].some((code) => message.includes(code));
}

/** The named audit-store error for `error`, or `error` itself when it is none of them. */
export function translateAuditStoreError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const shape = error as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : '';
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const options = { cause: error };

  if (THROTTLING_ERRORS.has(name) || status === 429 || (name === 'TransactionCanceledException' && isTransientCancellation(shape))) {
    return new AuditStoreThrottledError(`DynamoDB throttled the audit store: ${describeError(error)}`, options);
  }
  if ((status !== undefined && status >= 500 && status <= 599) || shape.$fault === 'server') {
    return new AuditStoreUnavailableError(`DynamoDB failed the audit-store call (HTTP ${status ?? '5xx'}): ${describeError(error)}`, options);
  }
  if (status === undefined && (NETWORK_ERROR_CODES.has(String(shape.code ?? '')) || TIMEOUT_ERROR_NAMES.has(name) || isWrappedNetworkError(error))) {
    return new AuditStoreUnavailableError(`DynamoDB did not answer the audit-store call: ${describeError(error)}`, options);
  }
  return error;
}

/** Awaits one DynamoDB call, throwing the named audit-store error where there is one. */
export async function auditStoreCall<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw translateAuditStoreError(error);
  }
}

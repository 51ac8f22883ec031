import type { AuditConnection } from './connection';

const REJECTED_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'IncompleteSignature',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH']);

function networkCode(error: Error): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && NETWORK_CODES.has(code)) return code;
  // The SDK wraps a socket error it does not recognise as an Error; the code survives in the text.
  const named = /\b(E[A-Z]+)\b/.exec(error.message)?.[1];
  if (named !== undefined && NETWORK_CODES.has(named)) return named;
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? networkCode(cause) : undefined;
}

/** The first line of a message: every error `audit` prints is one line. */
const firstLine = (text: string) => text.split('\n')[0].trim();

/**
 * Turns what the SDK threw into one line that says what is wrong and what to do; anything it
 * does not recognise keeps its own message's first line.
 */
export function explainAwsError(error: unknown, connection: Pick<AuditConnection, 'tableName' | 'where'>): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const { tableName, where } = connection;
  if (error.name === 'ResourceNotFoundException') {
    return new Error(`table "${tableName}" not found in ${where}: check --table or SCP_GUARDIAN_TABLE (the stack output AuditTableName) and --region`);
  }
  if (error.name === 'CredentialsProviderError') {
    return new Error('no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or use --local / --endpoint for local data');
  }
  if (REJECTED_CREDENTIALS.has(error.name)) {
    return new Error(`AWS rejected the credentials (${error.name}): ${firstLine(error.message)}`);
  }
  if (error.name === 'AccessDeniedException') {
    return new Error(`access denied to table "${tableName}": the caller needs dynamodb:GetItem and dynamodb:Query on the table and its indexes`);
  }
  if (error.name === 'ValidationException' && /index/i.test(error.message)) {
    return new Error(`table "${tableName}" lacks an index this command queries (${firstLine(error.message)}): deploy the current stack`);
  }
  const code = networkCode(error);
  if (code !== undefined) return new Error(`cannot reach DynamoDB at ${where} (${code})`);
  return new Error(firstLine(error.message) || error.name);
}

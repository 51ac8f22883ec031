import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CLIENT_TIMEOUTS, clientTimeoutOptions } from './timeouts';

/** Wraps a DynamoDB client so that undefined attributes are left out instead of rejected. */
export function toDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The DynamoDB client options every handler and the local runner use: the timeouts and the SDK's attempts (timeouts.ts). */
export const DYNAMODB_CLIENT_OPTIONS = clientTimeoutOptions(CLIENT_TIMEOUTS.dynamodb);

let documentClient: DynamoDBDocumentClient | undefined;
/** The handler's DynamoDB client, created once per container. */
export const defaultDocumentClient = () => (documentClient ??= toDocumentClient(new DynamoDBClient(DYNAMODB_CLIENT_OPTIONS)));

let claimClient: DynamoDBDocumentClient | undefined;
/** ClaimIncident's DynamoDB client: quick to give up, since the remediation waits on it (timeouts.ts). */
export const claimDocumentClient = () => (claimClient ??= toDocumentClient(new DynamoDBClient(clientTimeoutOptions(CLIENT_TIMEOUTS.claim))));

let admissionClient: DynamoDBDocumentClient | undefined;
/** The admit function's DynamoDB client: quicker still to give up, since an AttachPolicy waits on it (timeouts.ts). */
export const admissionDocumentClient = () => (admissionClient ??= toDocumentClient(new DynamoDBClient(clientTimeoutOptions(CLIENT_TIMEOUTS.admission))));

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Wraps a DynamoDB client so that undefined attributes are left out instead of rejected. */
export function toDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

let documentClient: DynamoDBDocumentClient | undefined;
/** The handler's DynamoDB client, created once per container. */
export const defaultDocumentClient = () => (documentClient ??= toDocumentClient(new DynamoDBClient({})));

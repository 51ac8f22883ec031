import type { DynamoDbLocal } from '../../local/dynamodb/dynamodb-local';

export default async function globalTeardown(): Promise<void> {
  (globalThis as { __dynamoDbLocal?: DynamoDbLocal }).__dynamoDbLocal?.stop();
}

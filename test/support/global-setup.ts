import { DynamoDbLocal } from '../../local/dynamodb/dynamodb-local';

/**
 * One DynamoDB Local for the whole run (it takes seconds to start); each suite creates its own
 * tables in it. Workers find it through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const dynamo = await DynamoDbLocal.start();
  (globalThis as { __dynamoDbLocal?: DynamoDbLocal }).__dynamoDbLocal = dynamo;
  process.env.SCP_GUARDIAN_TEST_DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

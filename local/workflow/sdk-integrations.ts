import { TransactWriteItemsCommand, type DynamoDBClient, type TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { AttachPolicyCommand, type AttachPolicyCommandInput, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { ErrorName } from '../../functions/shared/errors';

/** The prefix of an AWS SDK service integration's Task resource. */
export const SDK_INTEGRATION_PREFIX = 'arn:aws:states:::aws-sdk:';

/** A Task state's resource, run locally: the state's effective input (its Parameters) in, the API's answer out. */
export type SdkIntegration = (parameters: unknown) => Promise<unknown>;

/** The error a Task state sees, by the name Step Functions gives it. */
class IntegrationError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * How an `aws-sdk:<service>` integration names a failed call: the service name in PascalCase, a
 * period, and the error name with an `Exception` suffix even where the service's own name has
 * none (AWS: "Using AWS SDK service integrations"). A call that got no answer is the Task's
 * timeout (States.Timeout): Step Functions answers a hung call so.
 */
export function integrationErrorName(service: string, error: unknown): string {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if ($metadata?.httpStatusCode === undefined || name === undefined || name === 'TimeoutError') return ErrorName.STATES_TIMEOUT;
  return `${service}.${name.endsWith('Exception') ? name : `${name}Exception`}`;
}

function integration<I, O>(service: string, call: (parameters: I) => Promise<O>): SdkIntegration {
  return async (parameters) => {
    try {
      // The API's answer without the SDK's response metadata, as Step Functions returns it.
      const { $metadata: _metadata, ...answer } = (await call(parameters as I)) as O & { $metadata?: unknown };
      return answer;
    } catch (error) {
      throw new IntegrationError(integrationErrorName(service, error), (error as Error).message);
    }
  };
}

/**
 * The SDK integrations the ASL uses, by Task resource, each through the real SDK client of its
 * service (pointed at DynamoDB Local and the local Organizations endpoint), as Step Functions
 * makes the call with the state machine's role.
 */
export function localSdkIntegrations(clients: { dynamodb: DynamoDBClient; organizations: OrganizationsClient }): Record<string, SdkIntegration> {
  return {
    [`${SDK_INTEGRATION_PREFIX}dynamodb:transactWriteItems`]: integration('DynamoDb', (parameters: TransactWriteItemsCommandInput) =>
      clients.dynamodb.send(new TransactWriteItemsCommand(parameters)),
    ),
    [`${SDK_INTEGRATION_PREFIX}organizations:attachPolicy`]: integration('Organizations', (parameters: AttachPolicyCommandInput) =>
      clients.organizations.send(new AttachPolicyCommand(parameters)),
    ),
  };
}

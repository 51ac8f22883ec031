import { AwsServiceError } from '../aws-json-protocol/errors';
import { AwsJsonServer, type JsonObject, type ServerAddress } from '../aws-json-protocol/server';
import { TaskTokenError, type TaskTokenBroker } from './task-tokens';

const text = (input: JsonObject, key: string): string => {
  const value = input[key];
  if (typeof value !== 'string') throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must not be null`);
  return value;
};

/**
 * The part of the Step Functions API a decision needs (SendTaskSuccess, SendTaskFailure,
 * SendTaskHeartbeat), on loopback, so `decide` uses the real `@aws-sdk/client-sfn` locally too.
 */
export class LocalStepFunctionsEndpoint {
  private readonly server: AwsJsonServer;

  constructor(broker: TaskTokenBroker) {
    const answer = (run: () => void) => {
      try {
        run();
        return {};
      } catch (error) {
        if (error instanceof TaskTokenError) throw new AwsServiceError(error.name, error.message);
        throw error;
      }
    };
    this.server = new AwsJsonServer({
      targetPrefix: 'AWSStepFunctions',
      jsonVersion: '1.0',
      operations: {
        SendTaskSuccess: (input) => answer(() => broker.succeed(text(input, 'taskToken'), text(input, 'output'))),
        SendTaskFailure: (input) =>
          answer(() => broker.fail(text(input, 'taskToken'), input.error as string | undefined, input.cause as string | undefined)),
        SendTaskHeartbeat: (input) => answer(() => void text(input, 'taskToken')),
      },
    });
  }

  start(): Promise<ServerAddress> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  get url(): string {
    return this.server.url;
  }
}

import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../aws-json-protocol/errors';
import { AwsJsonServer, type JsonObject } from '../aws-json-protocol/server';
import type { ServerAddress } from '../stand-in-server';
import { TaskTokenError, type TaskTokenBroker } from './task-tokens';

const text = (input: JsonObject, key: string): string => {
  const value = input[key];
  if (typeof value !== 'string') throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${key}' failed to satisfy constraint: Member must not be null`);
  return value;
};

/** Starts a named execution for StartExecution, as the local environment runs them. */
export type ExecutionStarter = (request: { stateMachineArn: string; name: string; input: string }) => { executionArn: string; startDate: number };

/**
 * The part of the Step Functions API a decision needs (SendTaskSuccess, SendTaskFailure,
 * SendTaskHeartbeat), and the sweep's StartExecution, on loopback, so `decide` and the sweep
 * use the real `@aws-sdk/client-sfn` locally too.
 */
export class LocalStepFunctionsEndpoint {
  private readonly server: AwsJsonServer;
  /** Serves StartExecution once set (the local environment sets it); until then there is no state machine. */
  executions: ExecutionStarter | undefined;

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
        StartExecution: (input) => {
          const stateMachineArn = text(input, 'stateMachineArn');
          if (this.executions === undefined) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
          const name = typeof input.name === 'string' ? input.name : randomUUID();
          return this.executions({ stateMachineArn, name, input: typeof input.input === 'string' ? input.input : '{}' });
        },
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

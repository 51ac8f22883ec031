import { addLambdaContext } from './log';
import { once } from './runtime';

/** The parts of Lambda's context object that the logger and the handlers read. */
export interface LambdaContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** Lambda always passes a context; a test or the local runner may call without one. */
export type LambdaHandler<E, R> = (event: E, context?: LambdaContext) => Promise<R>;

/**
 * The one way a deployed function's `handler` is made from its `create...Handler` factory. The
 * handler is built on the first invocation, once per container (nothing at import: synth and
 * tests import handler modules without an environment); every log line of an invocation carries
 * Lambda's context (function name, request id, cold start). Metrics are published as they are
 * recorded (lambda-metrics.ts), not when the invocation ends: one that times out keeps them.
 */
export function lambdaHandler<E, R>(build: () => LambdaHandler<E, R>): LambdaHandler<E, R> {
  const handler = once(build);
  return async (event, context) => {
    if (context !== undefined) addLambdaContext(context);
    return handler()(event, context);
  };
}

import { addLambdaContext, lambdaLog } from './log';
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

/** What an invocation leaves to publish when it ends (invocation-metrics.ts). */
export interface InvocationFlush {
  flush(): void;
}

export type LambdaHandler<E, R> = (event: E, context: LambdaContext) => Promise<R>;

/**
 * The one way a deployed function's `handler` is made from its `create...Handler` factory. The
 * handler is built on the first invocation, once per container (nothing at import: synth and
 * tests import handler modules without an environment); every log line of an invocation carries
 * Lambda's context (function name, request id, cold start); and the metrics it emitted are
 * published when it ends, returned or thrown. A metric that cannot be published does not fail
 * work already done: the alarms that watch for missing metrics say so.
 */
export function lambdaHandler<E, R>(
  build: () => (event: E, context: LambdaContext) => Promise<R>,
  options: { metrics?: InvocationFlush } = {},
): LambdaHandler<E, R> {
  const handler = once(build);
  return async (event, context) => {
    addLambdaContext(context);
    try {
      return await handler()(event, context);
    } finally {
      try {
        options.metrics?.flush();
      } catch (error) {
        lambdaLog().error('could not publish the metrics', { error: (error as Error).message });
      }
    }
  };
}

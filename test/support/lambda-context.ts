import type { LambdaContext } from '../../functions/shared/lambda-handler';

/** The context Lambda hands an invocation of the function `functionName`, with `remainingMs` left. */
export function lambdaContext(functionName: string, awsRequestId = 'c6af9ac6-7b61-11e6-9a41-93e812345678', remainingMs = 10_000): LambdaContext {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:111122223333:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId,
    getRemainingTimeInMillis: () => remainingMs,
  };
}

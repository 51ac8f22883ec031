import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';

/**
 * The expression esbuild replaces with the validated rules; `functions/shared/runtime.ts`
 * reads it. The rules are compiled into every bundle, so a rules change changes the asset
 * hash and redeploys the functions; no rules travel in environment variables.
 */
export const RULES_DEFINE = 'process.env.SCP_GUARDIAN_RULES';

/** How long function logs are kept unless the stack says otherwise. */
export const DEFAULT_LOG_RETENTION = RetentionDays.THREE_MONTHS;

/**
 * The one set of defaults spread into every `NodejsFunction` of the stack: runtime,
 * architecture, tracing, memory, a default timeout (each function sets its own), and bundling.
 */
export function lambdaDefaults(rules: ProtectionRules) {
  return {
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    tracing: Tracing.ACTIVE,
    memorySize: 256,
    timeout: Duration.seconds(10),
    handler: 'handler',
    environment: {
      POWERTOOLS_SERVICE_NAME: 'scp-guardian',
      // The bundles carry source maps; Node only uses them when asked.
      NODE_OPTIONS: '--enable-source-maps',
    },
    bundling: {
      minify: true,
      sourceMap: true,
      target: 'node22',
      // The Node.js 22 runtime provides the AWS SDK v3; bundling it would only add weight.
      externalModules: ['@aws-sdk/*'],
      // esbuild runs locally (it is a devDependency); synth never needs Docker.
      forceDockerBundling: false,
      define: { [RULES_DEFINE]: JSON.stringify(JSON.stringify(rules)) },
    },
  } satisfies Partial<NodejsFunctionProps>;
}

/** A function's own log group, with a retention, kept when the stack is deleted. */
export function functionLogGroup(scope: Construct, id: string, retention: RetentionDays = DEFAULT_LOG_RETENTION): LogGroup {
  return new LogGroup(scope, id, { retention, removalPolicy: RemovalPolicy.RETAIN });
}

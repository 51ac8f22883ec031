import { existsSync } from 'node:fs';
import path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Alarm, CompositeAlarm, IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConstructId } from '../construct-ids';
import { CANARY_TIMEOUT_SECONDS } from '../../functions/canary/canary';
import { IdFormat } from '../../functions/shared/rules/id-formats';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { CanaryMissing } from './canary-missing';
import { functionLogGroup, lambdaDefaults } from './lambda-defaults';

export interface CanaryProps {
  /** The validated rules: `canary` names the pair, `policyTypes` the types its policy may be; compiled into the bundle. */
  readonly rules: ProtectionRules;
  /** Where CanaryMissing goes. */
  readonly alarmTopic: ITopic;
  /**
   * When the canary runs.
   * @default every day at 06:30 UTC, half an hour after the self-test
   */
  readonly schedule?: Schedule;
  /**
   * The folder holding `functions/canary/handler.ts`.
   * @default the project root (the folder above infra/)
   */
  readonly projectRoot?: string;
  /**
   * Retention of the function's log group.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/** Lambda runs a failed asynchronous invocation twice more; every attempt failing is a failed run. */
const RETRY_ATTEMPTS = 2;

/**
 * The daily canary (docs: "The canary"): a function, allowed DetachPolicy on the canary pair
 * alone, detaches the canary SCP from the empty canary OU on a schedule; the guard must bring it
 * back through CloudTrail, EventBridge and the workflow. CanaryMissing goes to the topic when a
 * canary is not back within 30 minutes, when none passed in a day, or when a run failed.
 */
export class Canary extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly schedule: Rule;
  /** The alarm people get (composite of `conditions`). */
  public readonly missingAlarm: CompositeAlarm;
  /** The conditions CanaryMissing combines; they have no actions of their own. */
  public readonly conditions: readonly Alarm[];
  /** The dashboard's canary row. */
  public readonly widgets: IWidget[];

  constructor(scope: Construct, id: string, props: CanaryProps) {
    const { canary, policyTypes } = props.rules;
    const projectRoot = props.projectRoot ?? path.resolve(__dirname, '..', '..');
    const entry = path.join(projectRoot, 'functions', 'canary', 'handler.ts');
    const problem =
      canary === undefined ? 'the rules have no "canary"'
      : !IdFormat.organizationalUnit.pattern.test(canary.targetId) ? `canary.targetId must be an OU id, got ${canary.targetId}`
      : !IdFormat.policy.pattern.test(canary.policyId) ? `canary.policyId must be a policy id, got ${canary.policyId}`
      : policyTypes.length === 0 ? 'policyTypes is empty'
      : !existsSync(entry) ? `no handler file at ${entry}`
      : undefined;
    if (problem !== undefined || canary === undefined) throw new Error(`Canary: ${problem}`);
    super(scope, id);

    // Organizations ARNs embed the management account and organization ids, unknown at synth
    // (handlers.ts, organizationsArns): those are wildcards; the policy and OU ids are pinned.
    const prefix = `arn:${Stack.of(this).partition}:organizations::*:`;
    const policyArns = policyTypes.map((type) => `${prefix}policy/o-*/${type.toLowerCase()}/${canary.policyId}`);
    const ouArn = `${prefix}ou/o-*/${canary.targetId}`;
    // OU ids start with their root's id, so this is every OU of the canary's root, and no root or account.
    const ousOfRoot = `${prefix}ou/o-*/${canary.targetId.split('-').slice(0, 2).join('-')}-*`;
    const grants: [action: string, resources: string[], why: string][] = [
      ['organizations:DetachPolicy', [...policyArns, ouArn], 'DetachPolicy is evaluated on the policy and on the target: both are pinned to the canary pair'],
      ['organizations:ListPoliciesForTarget', [ouArn], 'pinned to the canary OU'],
      ['organizations:ListChildren', [ousOfRoot], 'the canary OU and any OU inside it, whose ids are unknown at synth: OUs of the canary\'s root only'],
    ];

    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: 'scp-guardian canary: detaches the canary pair, nothing else' });
    const logGroup = functionLogGroup(this, 'Logs', props.logRetention);
    logGroup.grantWrite(this.role);
    const defaults = lambdaDefaults(props.rules);
    this.function = new NodejsFunction(this, ConstructId.CANARY_FUNCTION, {
      ...defaults,
      entry,
      description: `scp-guardian: daily canary, detaches ${canary.policyId} from the empty OU ${canary.targetId} for the guard to reattach`,
      timeout: Duration.seconds(CANARY_TIMEOUT_SECONDS),
      role: this.role,
      logGroup,
      // A run refused before DetachPolicy changed nothing, and the checks make a retried run safe.
      retryAttempts: RETRY_ATTEMPTS,
    });
    for (const [action, resources, why] of grants) {
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: [action], resources }));
      for (const resource of resources) {
        Validations.of(this.role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: `${action}: the ARN embeds the management account and organization ids (o-...), unknown at synth time, so both are wildcards; ${why}.`,
        });
      }
    }
    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.' });
    for (const rule of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
      Validations.of(this.function).acknowledge({ id: rule, reason: 'Node.js 22 is pinned on purpose, as for every function of the stack (handlers.ts): a newer runtime is a reviewed change.' });
    }
    for (const rule of ['Serverless-LambdaDLQ', 'Serverless-LambdaAsyncFailureDestination']) {
      Validations.of(this.function).acknowledge({
        id: rule,
        reason: 'A run whose every attempt failed is what CanaryMissing reports (CanaryRunFailed), with the reason in the function log; a queue or destination would keep a scheduled event with nothing in it worth replaying.',
      });
    }

    this.schedule = new Rule(this, ConstructId.CANARY_RULE, {
      description: `scp-guardian: daily canary, detaches ${canary.policyId} from ${canary.targetId} for the guard to reattach`,
      schedule: props.schedule ?? Schedule.cron({ minute: '30', hour: '6' }),
      targets: [new LambdaFunction(this.function, { retryAttempts: RETRY_ATTEMPTS, maxEventAge: Duration.hours(1) })],
    });
    Validations.of(this.schedule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: 'A canary run EventBridge could not start is exactly what CanaryMissing reports (no canary passed in a day); a dead-letter queue would keep an empty scheduled event.',
    });

    const missing = new CanaryMissing(this, 'Missing', { function: this.function, attempts: RETRY_ATTEMPTS + 1, alarmTopic: props.alarmTopic, canary });
    this.missingAlarm = missing.alarm;
    this.conditions = missing.conditions;
    this.widgets = missing.widgets;
  }
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ConstructId } from '../construct-ids';
import { SWEEP_MISSING_ALARM, sweepMissingPeriodSeconds } from '../sweep-alarm';
import { MetricDimension, MetricName, METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/shared/metrics';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { FUNCTION_TIMEOUT_SECONDS } from '../../functions/shared/workflow-functions';
import { STATE_MACHINE_ARN_ENV } from '../../functions/sweep/handler';
import { functionLogGroup, lambdaDefaults } from './lambda-defaults';
import { sweepGrants } from './sweep-permissions';

export interface SweepProps {
  /** The validated rules: compiled into the bundle; `sweep.everyMinutes` sets the schedule, the rest the role. */
  readonly rules: ProtectionRules;
  /** The audit table, which holds the desired state. */
  readonly table: ITable;
  /** The remediation workflow, started for each drift. */
  readonly stateMachine: IStateMachine;
  /** Where SweepFailed and SweepMissing go. */
  readonly alarmTopic: ITopic;
  /**
   * Sweep right after each deployment that changes the function (the rules included).
   * @default true
   */
  readonly sweepAfterDeploy?: boolean;
  /**
   * The folder holding `functions/sweep/handler.ts`.
   * @default the project root (the folder above infra/)
   */
  readonly projectRoot?: string;
  /**
   * Retention of the function's log group.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The sweep (docs: "The sweep"): a function that compares the organization with the desired
 * state and starts the workflow for each drift, on an EventBridge Scheduler schedule every
 * `sweep.everyMinutes` and once after each deployment; alarms when it fails or stops sweeping.
 */
export class Sweep extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly schedule: Schedule;
  /** The custom resource that sweeps after a deployment, served by the function itself. */
  public readonly afterDeploy?: CustomResource;
  /** SweepFailed (errors or throttles of the function) and SweepMissing (no completed sweep, SweepCompleted, in three intervals). */
  public readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: SweepProps) {
    const minutes = props.rules.sweep.everyMinutes;
    const projectRoot = props.projectRoot ?? path.resolve(__dirname, '..', '..');
    const entry = path.join(projectRoot, 'functions', 'sweep', 'handler.ts');
    const problem = !Number.isInteger(minutes) || minutes < 1 || minutes > 1440 ? `sweep.everyMinutes must be a whole number from 1 to 1440, got ${minutes}` : !existsSync(entry) ? `no handler file at ${entry}` : undefined;
    if (problem !== undefined) throw new Error(`Sweep: ${problem}`);
    super(scope, id);

    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: 'scp-guardian sweep: reads the organization, starts the workflow for drift' });
    const logGroup = functionLogGroup(this, 'Logs', props.logRetention);
    logGroup.grantWrite(this.role);
    const defaults = lambdaDefaults(props.rules);
    this.function = new NodejsFunction(this, ConstructId.SWEEP_FUNCTION, {
      ...defaults,
      entry,
      description: 'scp-guardian: sweeps the organization against the desired state, starts the workflow for each drift',
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.sweep),
      role: this.role,
      logGroup,
      environment: { ...defaults.environment, TABLE_NAME: props.table.tableName, [STATE_MACHINE_ARN_ENV]: props.stateMachine.stateMachineArn },
      // Invoked asynchronously (the schedule, CloudFormation): the next scheduled sweep is the retry.
      retryAttempts: 0,
    });
    for (const grant of sweepGrants(Stack.of(this), props.rules, props.table.tableArn, props.stateMachine.stateMachineArn)) {
      this.role.addToPrincipalPolicy(new PolicyStatement({ actions: grant.actions, resources: grant.resources, conditions: grant.conditions }));
      for (const resource of grant.resources.filter((r) => r.includes('*'))) {
        Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason: `${grant.actions.join(', ')}: ${grant.why}; the management account and organization ids in Organizations ARNs are unknown at synth time.` });
      }
    }
    Validations.of(this.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'ListRoots, LookupEvents and the X-Ray tracing calls (PutTraceSegments, PutTelemetryRecords) support no resource-level permissions.' });
    for (const rule of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
      Validations.of(this.function).acknowledge({ id: rule, reason: 'Node.js 22 is pinned on purpose, as for every function of the stack (handlers.ts): a newer runtime is a reviewed change.' });
    }
    const noQueue = 'A failed sweep is reported by SweepFailed and SweepMissing, with its reason in the function log, and the next scheduled sweep does its work again; a queued copy of a schedule event holds nothing worth replaying.';
    for (const rule of ['Serverless-LambdaDLQ', 'Serverless-LambdaAsyncFailureDestination']) Validations.of(this.function).acknowledge({ id: rule, reason: noQueue });

    const interval = Duration.minutes(minutes);
    // The schedule's own role, here rather than the stack-wide one LambdaInvoke would make, so its
    // finding is acknowledged on it; only this account's schedules may assume it.
    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'scp-guardian sweep schedule: invokes the sweep function',
    });
    this.schedule = new Schedule(this, ConstructId.SWEEP_SCHEDULE, {
      description: `scp-guardian: sweep every ${minutes} min`,
      schedule: ScheduleExpression.rate(interval),
      // An invocation older than one interval is superseded by the next one.
      target: new LambdaInvoke(this.function, { role: scheduleRole, input: ScheduleTargetInput.fromObject({ source: 'scp-guardian.schedule' }), retryAttempts: 3, maxEventAge: interval }),
    });
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason: 'LambdaInvoke grants lambda:InvokeFunction on the sweep function and its versions and aliases (function ARN + ":*"): one function, no other.',
    });

    if (props.sweepAfterDeploy ?? true) {
      // The function is its own custom resource provider (functions/sweep/after-deploy.ts): it
      // answers CloudFormation at once and then sweeps, so a deployment never waits on a sweep or
      // fails because of one. A new version (code, configuration, rules) means a new event.
      this.afterDeploy = new CustomResource(this, 'AfterDeploy', {
        serviceToken: this.function.functionArn,
        resourceType: 'Custom::ScpGuardianSweep',
        properties: { FunctionVersion: this.function.currentVersion.version },
      });
      this.afterDeploy.node.addDependency(this.role, props.stateMachine, props.table);
    }

    const alarm = (name: string, expression: IMetric, description: string, options: { comparison: ComparisonOperator; periods: number; datapoints?: number; threshold?: number; missing: TreatMissingData }) => {
      const { periods, comparison: comparisonOperator, missing: treatMissingData } = options;
      const created = new Alarm(this, name, { metric: expression, threshold: options.threshold ?? 1, evaluationPeriods: periods, datapointsToAlarm: options.datapoints ?? periods, comparisonOperator, treatMissingData, alarmDescription: description });
      created.addAlarmAction(new SnsAction(props.alarmTopic));
      return created;
    };
    const five = { period: Duration.minutes(5), statistic: 'Sum' };
    const perInterval = { period: Duration.seconds(sweepMissingPeriodSeconds(minutes)), statistic: SWEEP_MISSING_ALARM.statistic };
    this.alarms = [
      alarm(
        'SweepFailed',
        new MathExpression({ expression: 'FILL(errors, 0) + FILL(throttles, 0)', usingMetrics: { errors: this.function.metricErrors(five), throttles: this.function.metricThrottles(five) }, period: five.period }),
        'A sweep failed or was throttled: desired pairs missing from the organization may not be restored. See the sweep function log.',
        { comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, periods: 1, missing: TreatMissingData.NOT_BREACHING },
      ),
      // Completed sweeps, as the function counts them (functions/sweep/handler.ts): an invocation
      // without errors is no proof, since `reconcile --dry-run` invokes it too and restores nothing.
      alarm(
        'SweepMissing',
        new Metric({ namespace: METRICS_NAMESPACE, metricName: MetricName.SWEEP_COMPLETED, dimensionsMap: { [MetricDimension.SERVICE]: METRICS_SERVICE }, ...perInterval }),
        `No sweep completed in three intervals of ${minutes} min (SweepCompleted): the schedule or the function is broken, and nothing missed by the event path is restored.`,
        {
          comparison: SWEEP_MISSING_ALARM.comparisonOperator as ComparisonOperator,
          periods: SWEEP_MISSING_ALARM.evaluationPeriods,
          datapoints: SWEEP_MISSING_ALARM.datapointsToAlarm,
          threshold: SWEEP_MISSING_ALARM.threshold,
          missing: SWEEP_MISSING_ALARM.treatMissingData as TreatMissingData,
        },
      ),
    ];
  }
}

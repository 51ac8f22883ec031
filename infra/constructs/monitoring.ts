import { Duration, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IAlarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { EventField, Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ConstructId } from '../construct-ids';
import { GRAPHED_KINDS, GRAPHED_OUTCOMES, GRAPHED_VERDICTS, MetricDimension, MetricName, METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/shared/metrics';
import { KIND_NAME } from '../../functions/shared/notifications/kind-words';
import { selfTestEnvelope } from '../../functions/shared/self-test';

export interface MonitoringProps {
  readonly stateMachine: StateMachine;
  readonly deadLetterQueue: IQueue;
  /** The function behind the Slack interactions URL. */
  readonly slackInteractions: IFunction;
  /** Where alarms go. */
  readonly alarmTopic: ITopic;
  /**
   * When the self-test runs.
   * @default every day at 06:00 UTC
   */
  readonly selfTestSchedule?: Schedule;
  /**
   * Refused Slack requests in five minutes that raise the alarm (forgeries, or a wrong signing secret).
   * @default 10
   */
  readonly slackRefusalThreshold?: number;
  /**
   * The daily canary's alarm and dashboard row (Canary construct), shown with the rest.
   * @default no canary
   */
  readonly canary?: { readonly alarm: IAlarm; readonly widgets: readonly IWidget[] };
  /**
   * The sweep's alarms (Sweep construct), shown with the rest.
   * @default none
   */
  readonly sweepAlarms?: readonly IAlarm[];
}

const custom = (metricName: string, statistic: string, extra: Record<string, string> = {}) =>
  new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    statistic,
    period: Duration.hours(1),
    dimensionsMap: { [MetricDimension.SERVICE]: METRICS_SERVICE, ...extra },
  });

/**
 * Knowing it works: a dashboard, alarms to the notification topic for everything that means the
 * guard is not guarding, and a daily self-test execution whose absence is itself an alarm.
 */
export class Monitoring extends Construct {
  public readonly dashboard: Dashboard;
  public readonly alarms: Alarm[] = [];
  public readonly selfTestRule: Rule;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    const threshold = props.slackRefusalThreshold ?? 10;
    if (!Number.isInteger(threshold) || threshold < 1) throw new Error(`Monitoring: slackRefusalThreshold must be a whole number of at least 1 (got ${threshold})`);
    super(scope, id);
    const { stateMachine } = props;

    this.selfTestRule = new Rule(this, ConstructId.SELF_TEST_RULE, {
      description: 'scp-guardian: daily self-test through classify, record and notify (never touches the organization)',
      schedule: props.selfTestSchedule ?? Schedule.cron({ minute: '0', hour: '6' }),
      targets: [new SfnStateMachine(stateMachine, { input: RuleTargetInput.fromObject(selfTestEnvelope(EventField.eventId, EventField.time)) })],
    });
    Validations.of(this.selfTestRule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: 'A self-test that EventBridge could not deliver is exactly what the SelfTestMissing alarm reports; a dead-letter queue would only keep a synthetic event nobody needs, and sharing the intake DLQ would raise its alarm as if a real detachment were unhandled.',
    });

    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };
    const alarm = (name: string, metric: IMetric, description: string, options: { threshold?: number; missing?: TreatMissingData; comparison?: ComparisonOperator } = {}) => {
      const created = new Alarm(this, name, {
        metric,
        threshold: options.threshold ?? 1,
        evaluationPeriods: 1,
        comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new SnsAction(props.alarmTopic));
      this.alarms.push(created);
      return created;
    };

    alarm('ExecutionsFailed', stateMachine.metricFailed(fiveMinutes), 'A remediation workflow failed: a protected policy may still be detached. See the audit trail (scp-guardian audit list --outcome FAILED).');
    alarm('ExecutionsTimedOut', stateMachine.metricTimedOut(fiveMinutes), 'A remediation workflow timed out.');
    alarm('ExecutionsAborted', stateMachine.metricAborted(fiveMinutes), 'A remediation workflow was stopped by hand.');
    alarm(
      'DeadLetters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      'EventBridge could not start the workflow for a DetachPolicy event: the event is in the dead-letter queue, unhandled.',
    );
    const url5xx = new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'Url5xxCount',
      dimensionsMap: { FunctionName: props.slackInteractions.functionName },
      ...fiveMinutes,
    });
    alarm('SlackEndpointErrors', url5xx, 'The Slack interactions endpoint answered 5xx: approvers may be unable to decide.');
    alarm(
      'SlackRequestsRefused',
      custom(MetricName.SLACK_REQUESTS_REFUSED, 'Sum').with({ period: Duration.minutes(5) }),
      `At least ${threshold} Slack requests in five minutes failed signature checks: forgery attempts, or a wrong signing secret.`,
      { threshold },
    );
    alarm(
      'SelfTestMissing',
      custom(MetricName.SELF_TEST_PASSED, 'Sum').with({ period: Duration.days(1) }),
      'No scheduled self-test went through the workflow in the last day: the guard itself may be broken.',
      { threshold: 1, comparison: ComparisonOperator.LESS_THAN_THRESHOLD, missing: TreatMissingData.BREACHING },
    );

    const byValue = (metricName: string, dimension: string, values: readonly string[], label: (value: string) => string = (value) => value) =>
      values.map((value) => custom(metricName, 'Sum', { [dimension]: value }).with({ label: label(value) }));
    // The legend says each kind as the email and Slack do ("account moved"), with the value `audit list --kind` takes.
    const kindLabel = (kind: string) => `${KIND_NAME[kind as keyof typeof KIND_NAME] ?? kind} (${kind})`;
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# scp-guardian\nWhat weakened a protected policy (detached, type disabled, account moved, rewritten, deleted, forbidden policy attached, drift), what was done about it, and whether the guard itself is healthy. Details: `scp-guardian audit list --kind KIND` / `audit show`.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Incidents by verdict', left: byValue(MetricName.INCIDENTS, MetricDimension.VERDICT, GRAPHED_VERDICTS), stacked: true, width: 8 }),
      new GraphWidget({ title: 'Incidents by outcome', left: byValue(MetricName.OUTCOMES, MetricDimension.OUTCOME, GRAPHED_OUTCOMES), stacked: true, width: 8 }),
      new GraphWidget({
        title: 'Time to remediate (s)',
        left: [custom(MetricName.TIME_TO_REMEDIATE, 'p50').with({ label: 'p50' }), custom(MetricName.TIME_TO_REMEDIATE, 'p95').with({ label: 'p95' })],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Overrides and failures',
        left: [custom(MetricName.OVERRIDES, 'Sum').with({ label: 'overrides' }), custom(MetricName.OUTCOMES, 'Sum', { [MetricDimension.OUTCOME]: 'FAILED' }).with({ label: 'failed' })],
        width: 8,
      }),
      new GraphWidget({
        title: 'Workflow executions',
        left: [
          stateMachine.metricStarted({ label: 'started' }),
          stateMachine.metricSucceeded({ label: 'succeeded' }),
          stateMachine.metricFailed({ label: 'failed' }),
          stateMachine.metricTimedOut({ label: 'timed out' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Dead letters and Slack endpoint',
        left: [props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'DLQ depth', statistic: 'Maximum' })],
        right: [
          url5xx.with({ label: 'Slack endpoint 5xx', period: Duration.hours(1) }),
          custom(MetricName.SLACK_REQUESTS_REFUSED, 'Sum').with({ label: 'Slack requests refused' }),
          new MathExpression({ expression: 'errors', usingMetrics: { errors: props.slackInteractions.metricErrors() }, label: 'Slack function errors' }),
        ],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Incidents by kind', left: byValue(MetricName.INCIDENTS, MetricDimension.KIND, GRAPHED_KINDS, kindLabel), stacked: true, width: 12 }),
      new GraphWidget({
        title: 'Restoration writes by kind (re-enable, reattach, move back, restore content, detach)',
        left: byValue(MetricName.RESTORE_ACTIONS, MetricDimension.KIND, GRAPHED_KINDS, kindLabel),
        stacked: true,
        width: 12,
      }),
    );
    if (props.canary !== undefined) this.dashboard.addWidgets(...props.canary.widgets);
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms, ...(props.canary === undefined ? [] : [props.canary.alarm]), ...(props.sweepAlarms ?? [])], width: 24 }),
    );
  }
}

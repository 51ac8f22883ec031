import { Duration } from 'aws-cdk-lib';
import { Alarm, AlarmRule, AlarmState, ComparisonOperator, CompositeAlarm, GraphWidget, Metric, TreatMissingData, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CANARY_DEADLINE_MINUTES, type CanaryPair } from '../../functions/shared/canary';
import { MetricDimension, MetricName, METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/shared/metrics';

export interface CanaryMissingProps {
  /** The canary function, whose failed runs count. */
  readonly function: IFunction;
  /** How many attempts a run makes (Lambda's retries of an asynchronous invocation, plus one). */
  readonly attempts: number;
  /** Where CanaryMissing goes. */
  readonly alarmTopic: ITopic;
  /** The canary pair, for the alarm's description and the graph's title. */
  readonly canary: CanaryPair;
  /**
   * How long a missed deadline or a failed run holds CanaryMissing in ALARM: longer than the hour
   * until NoCanaryPassedInADay takes over (25 hours after the last pass), so it does not flap.
   * @default Duration.hours(2)
   */
  readonly hold?: Duration;
}

/**
 * CanaryMissing: one alarm to the topic, a composite of four conditions without actions of
 * their own. The canary function stamps CanaryDeadline 30 minutes after each DetachPolicy (docs:
 * "The canary"), so "not back within 30 minutes" needs no time arithmetic in CloudWatch: it is
 * "a deadline point arrived, and no CanaryPassed since before the DetachPolicy".
 */
export class CanaryMissing extends Construct {
  public readonly alarm: CompositeAlarm;
  public readonly conditions: Alarm[] = [];
  public readonly widgets: IWidget[];

  constructor(scope: Construct, id: string, props: CanaryMissingProps) {
    const hold = props.hold ?? Duration.hours(2);
    if (!Number.isInteger(props.attempts) || props.attempts < 1 || hold.toMinutes() < 60) {
      throw new Error(`CanaryMissing: attempts must be a whole number of at least 1 and hold at least an hour (got ${props.attempts} and ${hold.toMinutes()} min)`);
    }
    super(scope, id);
    const { canary } = props;

    const metric = (name: MetricName, period: Duration) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName: name, statistic: 'Sum', period, dimensionsMap: { [MetricDimension.SERVICE]: METRICS_SERVICE } });
    const condition = (name: string, description: string, alarm: Omit<ConstructorParameters<typeof Alarm>[2], 'evaluationPeriods'> & { evaluationPeriods?: number }) => {
      const created = new Alarm(this, name, { evaluationPeriods: 1, ...alarm, alarmDescription: `${description} A condition of CanaryMissing, no action of its own.`, actionsEnabled: false });
      this.conditions.push(created);
      return created;
    };
    const [atLeastOne, noneAtAll] = [ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, ComparisonOperator.LESS_THAN_THRESHOLD];

    // In ALARM for `hold` after a canary's deadline...
    const deadlineReached = condition('CanaryDeadlineReached', `A canary's deadline (${CANARY_DEADLINE_MINUTES} min after its DetachPolicy) passed in the last ${hold.toMinutes()} minutes.`, {
      metric: metric(MetricName.CANARY_DEADLINE, hold),
      threshold: 1,
      comparisonOperator: atLeastOne,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // ...and in ALARM unless a canary passed in a window 45 minutes longer, so that at any minute
    // of `hold` it still sees a pass made between the DetachPolicy and its deadline.
    const lookBack = hold.plus(Duration.minutes(CANARY_DEADLINE_MINUTES + 15));
    const notPassed = condition('CanaryNotPassedRecently', `No canary passed in the last ${lookBack.toMinutes()} minutes.`, {
      metric: metric(MetricName.CANARY_PASSED, lookBack),
      threshold: 1,
      comparisonOperator: noneAtAll,
      treatMissingData: TreatMissingData.BREACHING,
    });
    // 25 hourly periods, all empty: a daily canary passes once in any 25 hours, even when a run is late.
    const noneToday = condition('NoCanaryPassedInADay', 'No canary passed in the last 25 hours (silence counts as failure).', {
      metric: metric(MetricName.CANARY_PASSED, Duration.hours(1)),
      threshold: 1,
      evaluationPeriods: 25,
      datapointsToAlarm: 25,
      comparisonOperator: noneAtAll,
      treatMissingData: TreatMissingData.BREACHING,
    });
    const runFailed = condition('CanaryRunFailed', `Every attempt of a canary run in the last ${hold.toMinutes()} minutes failed or refused (an OU with accounts, the policy not attached, access denied).`, {
      metric: props.function.metricErrors({ statistic: 'Sum', period: hold }),
      threshold: props.attempts,
      comparisonOperator: atLeastOne,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.alarm = new CompositeAlarm(this, 'CanaryMissing', {
      alarmDescription:
        `The canary (${canary.policyId} on ${canary.targetId}) did not come back within ${CANARY_DEADLINE_MINUTES} minutes, none passed in a day, or a run failed: ` +
        "the guard may not be receiving CloudTrail events. See the canary function's logs and `scp-guardian audit list`.",
      alarmRule: AlarmRule.anyOf(
        AlarmRule.allOf(AlarmRule.fromAlarm(deadlineReached, AlarmState.ALARM), AlarmRule.fromAlarm(notPassed, AlarmState.ALARM)),
        AlarmRule.fromAlarm(noneToday, AlarmState.ALARM),
        AlarmRule.fromAlarm(runFailed, AlarmState.ALARM),
      ),
    });
    this.alarm.addAlarmAction(new SnsAction(props.alarmTopic));

    this.widgets = [
      new GraphWidget({
        title: `Canary (${canary.policyId} on ${canary.targetId}), per day`,
        left: [metric(MetricName.CANARY_STARTED, Duration.days(1)).with({ label: 'started' }), metric(MetricName.CANARY_PASSED, Duration.days(1)).with({ label: 'passed' })],
        right: [props.function.metricErrors({ statistic: 'Sum', period: Duration.days(1), label: 'runs failed' })],
        width: 12,
      }),
    ];
  }
}

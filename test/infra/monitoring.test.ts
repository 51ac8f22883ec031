import { Match, type Template } from 'aws-cdk-lib/assertions';
import { MetricName, METRICS_NAMESPACE } from '../../functions/shared/metrics';
import { SELF_TEST_SOURCE } from '../../functions/shared/self-test';
import type { ScpGuardianStack } from '../../infra/stack';
import { logicalId, NO_BUNDLING, synthesize } from './support';

let stack: ScpGuardianStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = synthesize(NO_BUNDLING));
});

const topicRef = () => ({ Ref: logicalId(stack.notifications.topic) });
const alarmWith = (properties: Record<string, unknown>) =>
  template.hasResourceProperties('AWS::CloudWatch::Alarm', { ...properties, AlarmActions: [topicRef()] });

describe('alarms to the notification topic', () => {
  it('fire on any failed, timed-out or aborted execution', () => {
    for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      alarmWith({
        Namespace: 'AWS/States',
        MetricName: metricName,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(stack.workflow.stateMachine) } }],
      });
    }
  });

  it('fire on any message in the EventBridge dead-letter queue', () => {
    alarmWith({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack.intake.deadLetterQueue), 'QueueName'] } }],
    });
  });

  it('fire on Slack endpoint 5xx answers and on refused signatures above the threshold', () => {
    alarmWith({ Namespace: 'AWS/Lambda', MetricName: 'Url5xxCount', Threshold: 1 });
    alarmWith({ Namespace: METRICS_NAMESPACE, MetricName: MetricName.SLACK_REQUESTS_REFUSED, Threshold: 10, Period: 300 });
  });

  it('fire when no self-test went through in a day, counting silence as failure', () => {
    alarmWith({
      Namespace: METRICS_NAMESPACE,
      MetricName: MetricName.SELF_TEST_PASSED,
      Period: 86400,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });
});

describe('self-test schedule', () => {
  it('starts the workflow daily with a synthetic event the workflow recognises', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 * * ? *)',
      Targets: [
        Match.objectLike({
          Arn: { Ref: logicalId(stack.workflow.stateMachine) },
          InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp(SELF_TEST_SOURCE) }),
        }),
      ],
    });
  });
});

describe('dashboard', () => {
  const body = () => JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));

  it('shows incidents by verdict and outcome, time to remediate, overrides and failures', () => {
    for (const text of ['Incidents by verdict', 'Incidents by outcome', 'Time to remediate', 'Overrides and failures', MetricName.INCIDENTS, MetricName.TIME_TO_REMEDIATE, 'p95']) {
      expect(body()).toContain(text);
    }
  });

  it('shows executions, dead-letter depth and Slack endpoint errors', () => {
    for (const text of ['ExecutionsStarted', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ApproximateNumberOfMessagesVisible', 'Url5xxCount', MetricName.SLACK_REQUESTS_REFUSED]) {
      expect(body()).toContain(text);
    }
  });
});

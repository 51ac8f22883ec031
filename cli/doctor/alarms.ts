import { AlarmType, DescribeAlarmsCommand, type CloudWatchClient, type CompositeAlarm, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { callFailed, FailedCall, Permission } from './aws-calls';
import { CheckGroup, checksOf, type Check } from './check';
import { resourcesOf, ResourceType, type StackResources } from './stack-resources';

const check = checksOf(CheckGroup.STACK);

export const ALARM_NAMES = {
  ACTIONS: 'alarms notify the topic',
  FIRING: 'no alarm in ALARM',
} as const;

/** The stack's alarms as CloudWatch has them, and the names CloudFormation lists that CloudWatch does not. */
export interface StackAlarms {
  metric: MetricAlarm[];
  composite: CompositeAlarm[];
  missing: string[];
  /** The composite alarms CloudFormation lists (their names). */
  compositeNames: string[];
}

/** DescribeAlarms takes up to 100 names a call. */
const NAMES_PER_CALL = 100;

/** The stack's metric and composite alarms, by the names ListStackResources gives (their physical ids). */
export async function describeStackAlarms(cloudWatch: CloudWatchClient, stack: StackResources): Promise<StackAlarms> {
  const compositeNames = resourcesOf(stack, ResourceType.COMPOSITE_ALARM).map((resource) => resource.physicalId);
  const names = [...resourcesOf(stack, ResourceType.ALARM).map((resource) => resource.physicalId), ...compositeNames];
  const found: StackAlarms = { metric: [], composite: [], missing: [], compositeNames };
  for (let start = 0; start < names.length; start += NAMES_PER_CALL) {
    let token: string | undefined;
    do {
      const page = await FailedCall.of(
        Permission.DESCRIBE_ALARMS,
        cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(start, start + NAMES_PER_CALL), AlarmTypes: [AlarmType.MetricAlarm, AlarmType.CompositeAlarm], NextToken: token })),
      );
      found.metric.push(...(page.MetricAlarms ?? []));
      found.composite.push(...(page.CompositeAlarms ?? []));
      token = page.NextToken;
    } while (token !== undefined);
  }
  const described = new Set([...found.metric, ...found.composite].map((alarm) => alarm.AlarmName));
  found.missing = names.filter((name) => !described.has(name));
  return found;
}

/** The stack's alarms, or the line every alarm check shows when they could not be read. */
export async function stackAlarmsOrCheck(cloudWatch: CloudWatchClient, stack: StackResources): Promise<StackAlarms | Check> {
  try {
    return await describeStackAlarms(cloudWatch, stack);
  } catch (error) {
    if (!(error instanceof FailedCall)) throw error;
    return callFailed(check, ALARM_NAMES.ACTIONS, error.cause, error.permission);
  }
}

type AnyAlarm = MetricAlarm | CompositeAlarm;

/**
 * The alarms that notify by themselves: a condition of one of the stack's composite alarms (the
 * canary's, infra/constructs/canary-missing.ts) has no action of its own on purpose, and notifies
 * through the composite.
 */
function notifying(alarms: StackAlarms): AnyAlarm[] {
  const rules = alarms.composite.map((alarm) => alarm.AlarmRule ?? '');
  const isCondition = (alarm: AnyAlarm) => alarm.AlarmArn !== undefined && rules.some((rule) => rule.includes(`"${alarm.AlarmArn}"`));
  return [...alarms.metric.filter((alarm) => !isCondition(alarm)), ...alarms.composite];
}

/** Each alarm that notifies sends to the stack's topic, with its actions enabled. */
export function alarmActionsCheck(alarms: StackAlarms | Check, stack: StackResources, topicArn: string | undefined): Check {
  const name = ALARM_NAMES.ACTIONS;
  if (!('metric' in alarms)) return alarms;
  if (alarms.missing.length > 0) {
    // CloudWatch returns composite alarms only to a caller granted cloudwatch:DescribeAlarms on "*":
    // with a narrower grant every composite alarm looks deleted.
    const composite = new Set(alarms.compositeNames);
    const metricMissing = alarms.missing.filter((alarm) => !composite.has(alarm));
    const compositeMissing = alarms.missing.filter((alarm) => composite.has(alarm));
    const allComposites = compositeMissing.length > 0 && compositeMissing.length === alarms.compositeNames.length;
    const problems = [
      ...(metricMissing.length === 0 ? [] : [`${metricMissing.join(', ')}: listed by ${stack.stackName}, unknown to CloudWatch (deleted outside CloudFormation)`]),
      ...(compositeMissing.length === 0
        ? []
        : allComposites
          ? [`${compositeMissing.join(', ')}: listed by ${stack.stackName}, not returned by CloudWatch, which returns composite alarms only when cloudwatch:DescribeAlarms is granted on Resource "*"; else deleted outside CloudFormation`]
          : [`${compositeMissing.join(', ')}: listed by ${stack.stackName}, unknown to CloudWatch (deleted outside CloudFormation)`]),
    ];
    const fix = allComposites ? 'grant cloudwatch:DescribeAlarms on Resource "*" (docs/cli.md, "doctor"); if it is granted so, npx cdk deploy' : 'npx cdk deploy';
    return check.fail(name, problems.join('; '), fix);
  }
  const own = notifying(alarms);
  if (own.length === 0) return check.fail(name, `${stack.stackName} has no alarm: nothing tells anyone the guard is not guarding`, 'npx cdk deploy');
  if (topicArn === undefined) return check.fail(name, 'the stack\'s topic is not known (see "alarms can reach the topic")', 'npx cdk deploy');
  const disabled = own.filter((alarm) => alarm.ActionsEnabled !== true).map((alarm) => alarm.AlarmName);
  const elsewhere = own.filter((alarm) => !(alarm.AlarmActions ?? []).includes(topicArn)).map((alarm) => alarm.AlarmName);
  const problems = [
    ...(disabled.length === 0 ? [] : [`actions disabled on ${disabled.join(', ')}`]),
    ...(elsewhere.length === 0 ? [] : [`no action to ${topicArn.split(':').pop()} on ${elsewhere.join(', ')}`]),
  ];
  if (problems.length > 0) {
    const enable = disabled.length === 0 ? '' : `aws cloudwatch enable-alarm-actions --alarm-names ${disabled.join(' ')}; `;
    return check.fail(name, `${problems.join('; ')}: those alarms tell no one`, `${enable}npx cdk deploy puts the stack's actions back`);
  }
  return check.ok(name, `${own.length} alarms, each with its actions enabled and an action to ${topicArn.split(':').pop()}`);
}

/** An alarm in ALARM right now is worth a look, whatever doctor's other lines say. */
export function firingCheck(alarms: StackAlarms | Check): Check {
  const name = ALARM_NAMES.FIRING;
  if (!('metric' in alarms)) return check.skip(name, `the alarms could not be read (see "${ALARM_NAMES.ACTIONS}")`);
  const own = notifying(alarms);
  const firing = own.filter((alarm) => alarm.StateValue === 'ALARM');
  if (firing.length === 0) return check.ok(name, `none of ${own.length} alarms is in ALARM`);
  const since = (alarm: AnyAlarm) => (alarm.StateUpdatedTimestamp === undefined ? '' : ` since ${new Date(alarm.StateUpdatedTimestamp).toISOString()}`);
  return check.warn(
    name,
    `${firing.map((alarm) => `${alarm.AlarmName}${since(alarm)}`).join(', ')}`,
    `the alarm's description says what it means; aws cloudwatch describe-alarms --alarm-names ${firing.map((alarm) => alarm.AlarmName).join(' ')} tells why`,
  );
}

import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, ListTargetsByRuleCommand, type DescribeRuleCommandOutput, type EventBridgeClient, type Target } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, type GetScheduleCommandOutput, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { MetricDimension, MetricName, METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/shared/metrics';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { SWEEP_MISSING_ALARM, sweepMissingPeriodSeconds } from '../../infra/sweep-alarm';
import { callFailed, FailedCall, Permission } from './aws-calls';
import { CheckGroup, checksOf, type Check } from './check';
import { LOGICAL_ID, resourceByLogicalId, ResourceType, type StackResources } from './stack-resources';

const check = checksOf(CheckGroup.STACK);

export const SCHEDULE_NAMES = {
  INTAKE: 'intake rule starts the workflow',
  SWEEP: 'sweep schedule running',
  SELF_TEST_SCHEDULE: 'self-test schedule enabled',
  CANARY_SCHEDULE: 'canary schedule enabled',
} as const;

export const REDEPLOY = 'npx cdk deploy';
/** ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS also matches read-only calls: still enabled. */
export const isEnabled = (state: string | undefined) => state === 'ENABLED' || state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** A rule's physical id is its name, prefixed with `bus|` on a bus other than the default one. */
function ruleName(physicalId: string): { Name: string; EventBusName?: string } {
  const [bus, name] = physicalId.includes('|') ? physicalId.split('|') : [undefined, physicalId];
  return bus === undefined ? { Name: name } : { Name: name, EventBusName: bus };
}

interface DeployedRule {
  name: string;
  rule: DescribeRuleCommandOutput;
  targets: Target[];
}

/** The rule and its targets, undefined when EventBridge no longer has it; a FailedCall names the permission. */
async function readRule(events: EventBridgeClient, physicalId: string): Promise<DeployedRule | undefined> {
  const { Name, EventBusName } = ruleName(physicalId);
  let rule: DescribeRuleCommandOutput;
  try {
    rule = await events.send(new DescribeRuleCommand({ Name, EventBusName }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw new FailedCall(Permission.DESCRIBE_RULE, error);
  }
  const targets: Target[] = [];
  let token: string | undefined;
  do {
    const page = await FailedCall.of(Permission.LIST_TARGETS_BY_RULE, events.send(new ListTargetsByRuleCommand({ Rule: Name, EventBusName, NextToken: token })));
    targets.push(...(page.Targets ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return { name: Name, rule, targets };
}

export const enableRule = (name: string) => `aws events enable-rule --name ${name}`;
export const targetList = (targets: Target[]) => (targets.length === 0 ? 'no target' : targets.map((target) => target.Arn?.split(':').pop()).join(', '));

/** One rule of the stack, read, or the check's line when it cannot be. */
export async function ruleOrCheck(events: EventBridgeClient, stack: StackResources, name: string, logicalId: string, what: string): Promise<DeployedRule | Check> {
  const resource = resourceByLogicalId(stack, ResourceType.RULE, logicalId);
  if (resource === undefined) return check.fail(name, `${stack.stackName} has no ${what} (${logicalId}…)`, REDEPLOY);
  try {
    return (await readRule(events, resource.physicalId)) ?? check.fail(name, `the ${what} ${ruleName(resource.physicalId).Name} does not exist: deleted outside CloudFormation`, REDEPLOY);
  } catch (error) {
    if (!(error instanceof FailedCall)) throw error;
    return callFailed(check, name, error.cause, error.permission);
  }
}

/** The daily self-test's rule (infra/constructs/monitoring.ts): enabled, starting the state machine. */
export async function selfTestScheduleCheck(events: EventBridgeClient, stack: StackResources, stateMachineArn: string | undefined): Promise<Check> {
  const name = SCHEDULE_NAMES.SELF_TEST_SCHEDULE;
  const found = await ruleOrCheck(events, stack, name, LOGICAL_ID.SELF_TEST_RULE, 'self-test schedule');
  if (!('rule' in found)) return found;
  if (!isEnabled(found.rule.State)) return check.warn(name, `${found.name} is ${found.rule.State ?? 'of no state'}: no daily self-test proves the workflow runs (SelfTestMissing goes into alarm)`, enableRule(found.name));
  if (stateMachineArn === undefined || !found.targets.some((target) => target.Arn === stateMachineArn)) {
    return check.warn(name, `${found.name} targets ${targetList(found.targets)}, not the stack's state machine: the self-test runs nothing`, REDEPLOY);
  }
  return check.ok(name, `${found.name} ${found.rule.State}, ${found.rule.ScheduleExpression ?? 'no schedule expression'}`);
}

/** The ARN of the stack's function CloudFormation gives a logical id derived from `prefix`, if Lambda has it. */
function functionArn(stack: StackResources, prefix: string): { name?: string; arn?: string } {
  const name = resourceByLogicalId(stack, ResourceType.FUNCTION, prefix)?.physicalId;
  return { name, arn: stack.functions.find((fn) => name !== undefined && fn.FunctionName === name)?.FunctionArn };
}

/** The canary's rule (infra/constructs/canary.ts), when the rules have a canary: enabled, invoking the stack's canary function. */
export async function canaryScheduleCheck(events: EventBridgeClient, stack: StackResources, rules: ProtectionRules): Promise<Check> {
  const name = SCHEDULE_NAMES.CANARY_SCHEDULE;
  if (rules.canary === undefined) return check.skip(name, 'the rules have no "canary"');
  const found = await ruleOrCheck(events, stack, name, LOGICAL_ID.CANARY_RULE, 'canary schedule');
  if (!('rule' in found)) return found;
  if (!isEnabled(found.rule.State)) return check.warn(name, `${found.name} is ${found.rule.State ?? 'of no state'}: no daily canary proves intake works (CanaryMissing goes into alarm)`, enableRule(found.name));
  const canary = functionArn(stack, LOGICAL_ID.CANARY_FUNCTION);
  if (canary.arn === undefined || !found.targets.some((target) => target.Arn === canary.arn)) {
    const own = canary.name ?? `(${stack.stackName} has no ${LOGICAL_ID.CANARY_FUNCTION}…)`;
    return check.warn(name, `${found.name} targets ${targetList(found.targets)}, not the stack's canary function ${own}: the canary never runs`, REDEPLOY);
  }
  return check.ok(name, `${found.name} ${found.rule.State}, ${found.rule.ScheduleExpression ?? 'no schedule expression'}`);
}

/** The schedule as Scheduler has it, undefined when it no longer exists; a FailedCall names the permission. */
async function readSchedule(scheduler: SchedulerClient, name: string): Promise<GetScheduleCommandOutput | undefined> {
  try {
    // No GroupName: the sweep construct puts its schedule in the default group.
    return await scheduler.send(new GetScheduleCommand({ Name: name }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw new FailedCall(Permission.GET_SCHEDULE, error);
  }
}

const quoted = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

/** The schedule fields UpdateSchedule resets when a call leaves them out (all but Name, GroupName, State and Target). */
type ScheduleField = 'ScheduleExpression' | 'ScheduleExpressionTimezone' | 'FlexibleTimeWindow' | 'Description' | 'StartDate' | 'EndDate' | 'KmsKeyArn' | 'ActionAfterCompletion';

/**
 * The update-schedule command that gives the schedule `state` and every field it has but those in
 * `drop`: UpdateSchedule replaces the whole schedule, and resets every optional field the call
 * leaves out, so the command passes each one get-schedule showed (the target, read again by
 * get-schedule). A `cdk deploy` would not do it: CloudFormation updates only what the template changes.
 */
function updateSchedule(schedule: GetScheduleCommandOutput, name: string, drop: readonly ScheduleField[] = []): string {
  const group = schedule.GroupName === undefined || schedule.GroupName === 'default' ? '' : ` --group-name ${schedule.GroupName}`;
  const window = schedule.FlexibleTimeWindow;
  const kept = (field: ScheduleField) => !drop.includes(field) && schedule[field] !== undefined;
  const date = (value: Date | undefined) => (value === undefined ? '' : new Date(value).toISOString());
  const options = [
    `--schedule-expression ${quoted(schedule.ScheduleExpression ?? '')}`,
    kept('ScheduleExpressionTimezone') ? `--schedule-expression-timezone ${schedule.ScheduleExpressionTimezone}` : '',
    `--flexible-time-window Mode=${window?.Mode ?? 'OFF'}${window?.MaximumWindowInMinutes === undefined ? '' : `,MaximumWindowInMinutes=${window.MaximumWindowInMinutes}`}`,
    kept('Description') ? `--description ${quoted(schedule.Description!)}` : '',
    kept('StartDate') ? `--start-date ${date(schedule.StartDate)}` : '',
    kept('EndDate') ? `--end-date ${date(schedule.EndDate)}` : '',
    kept('KmsKeyArn') ? `--kms-key-arn ${schedule.KmsKeyArn}` : '',
    kept('ActionAfterCompletion') ? `--action-after-completion ${schedule.ActionAfterCompletion}` : '',
    `--target "$(aws scheduler get-schedule --name ${name}${group} --query Target --output json)"`,
  ].filter((option) => option !== '');
  return `aws scheduler update-schedule --name ${name}${group} --state ENABLED ${options.join(' ')}`;
}

/** The schedule's StartDate and EndDate against now: a window that excludes now runs no sweep; one that will end, only until then. */
function scheduleWindow(schedule: GetScheduleCommandOutput, name: string, now: Date): { level: 'fail' | 'warn'; why: string; fix: string } | undefined {
  const at = (value: Date) => new Date(value).toISOString();
  const dates: ScheduleField[] = ['StartDate', 'EndDate'];
  const fix = `${updateSchedule(schedule, name, dates)} (the stack sets neither date; a cdk deploy that does not change the schedule leaves them)`;
  if (schedule.EndDate !== undefined && new Date(schedule.EndDate).getTime() <= now.getTime()) return { level: 'fail', why: `ended at ${at(schedule.EndDate)} (EndDate): no sweep runs, the safety net is off`, fix };
  if (schedule.StartDate !== undefined && new Date(schedule.StartDate).getTime() > now.getTime()) return { level: 'fail', why: `starts only at ${at(schedule.StartDate)} (StartDate): until then no sweep runs, the safety net is off`, fix };
  if (schedule.EndDate !== undefined) return { level: 'warn', why: `ends at ${at(schedule.EndDate)} (EndDate): after that no sweep runs`, fix };
  return undefined;
}

/**
 * How the SweepMissing alarm differs from the way the stack builds it (infra/sweep-alarm.ts), in
 * words: an alarm that treats missing data as not breaching, or counts something else, stays OK
 * while no sweep runs, so its OK proves nothing.
 */
export function sweepAlarmDifferences(alarm: MetricAlarm, everyMinutes: number): string[] {
  const wanted: [keyof MetricAlarm, unknown][] = [
    ['Namespace', METRICS_NAMESPACE],
    ['Statistic', SWEEP_MISSING_ALARM.statistic],
    ['Period', sweepMissingPeriodSeconds(everyMinutes)],
    ['Threshold', SWEEP_MISSING_ALARM.threshold],
    ['ComparisonOperator', SWEEP_MISSING_ALARM.comparisonOperator],
    ['EvaluationPeriods', SWEEP_MISSING_ALARM.evaluationPeriods],
    ['DatapointsToAlarm', SWEEP_MISSING_ALARM.datapointsToAlarm],
    ['TreatMissingData', SWEEP_MISSING_ALARM.treatMissingData],
  ];
  const differences = wanted.filter(([field, value]) => alarm[field] !== value).map(([field, value]) => `${field} ${String(alarm[field] ?? 'unset')} (the stack's: ${String(value)})`);
  const dimensions = (alarm.Dimensions ?? []).map((dimension) => `${dimension.Name}=${dimension.Value}`).join(',');
  const ownDimensions = `${MetricDimension.SERVICE}=${METRICS_SERVICE}`;
  if (dimensions !== ownDimensions) differences.push(`Dimensions ${dimensions === '' ? 'none' : dimensions} (the stack's: ${ownDimensions})`);
  return differences;
}

/**
 * The sweep's EventBridge Scheduler schedule (infra/constructs/sweep.ts): ENABLED (GetSchedule),
 * within its StartDate and EndDate, invoking the stack's sweep function, and sweeps completing, as
 * the SweepMissing alarm reads them (no SweepCompleted in three intervals: a schedule that does not
 * fire, or a sweep that fails), the alarm defined as the stack builds it. A sweep that does not run
 * is a fail: the safety net is off.
 */
export async function sweepCheck(scheduler: SchedulerClient, stack: StackResources, alarms: readonly MetricAlarm[] | Check, rules: ProtectionRules, now: Date): Promise<Check> {
  const name = SCHEDULE_NAMES.SWEEP;
  const resource = resourceByLogicalId(stack, ResourceType.SCHEDULE, LOGICAL_ID.SWEEP_SCHEDULE);
  if (resource === undefined) return check.fail(name, `${stack.stackName} has no sweep schedule (${LOGICAL_ID.SWEEP_SCHEDULE}…): nothing the event path missed is restored`, REDEPLOY);
  // CloudFormation's physical id of an AWS::Scheduler::Schedule is its name (what Ref returns).
  const scheduleName = resource.physicalId;
  let schedule: GetScheduleCommandOutput | undefined;
  try {
    schedule = await readSchedule(scheduler, scheduleName);
  } catch (error) {
    if (!(error instanceof FailedCall)) throw error;
    return callFailed(check, name, error.cause, error.permission);
  }
  if (schedule === undefined) return check.fail(name, `the sweep schedule ${scheduleName} does not exist: deleted outside CloudFormation, the safety net is off`, `${REDEPLOY} recreates it only if it changed: delete and redeploy the stack, or recreate it by hand`);
  const window = scheduleWindow(schedule, scheduleName, now);
  if (schedule.State !== 'ENABLED') {
    // Enabled again with dates that exclude now, it would still run nothing.
    const enable = updateSchedule(schedule, scheduleName, window?.level === 'fail' ? ['StartDate', 'EndDate'] : []);
    return check.fail(name, `the sweep schedule ${scheduleName} is ${schedule.State ?? 'of no state'}: no sweep runs, the safety net is off`, `${enable} (a cdk deploy that does not change the schedule leaves it ${schedule.State ?? 'so'})`);
  }
  if (window?.level === 'fail') return check.fail(name, `the sweep schedule ${scheduleName} is ENABLED but ${window.why}`, window.fix);
  const sweepFunction = resourceByLogicalId(stack, ResourceType.FUNCTION, LOGICAL_ID.SWEEP_FUNCTION);
  const sweepArn = stack.functions.find((fn) => fn.FunctionName === sweepFunction?.physicalId)?.FunctionArn;
  const target = schedule.Target?.Arn;
  if (sweepArn === undefined || target !== sweepArn) {
    const targetName = target === undefined ? 'nothing' : target.split(':').pop();
    const sweepName = sweepFunction === undefined ? `(${stack.stackName} has no ${LOGICAL_ID.SWEEP_FUNCTION}…)` : sweepFunction.physicalId;
    return check.fail(
      name,
      `the sweep schedule ${scheduleName} invokes ${targetName}, not the stack's sweep function ${sweepName}: no sweep runs, the safety net is off`,
      `aws scheduler update-schedule --name ${scheduleName} with Target.Arn ${sweepArn ?? 'the sweep function\'s ARN'} and every other field as get-schedule shows it (a cdk deploy that does not change the schedule leaves it so)`,
    );
  }
  const found = `${scheduleName} ENABLED, ${schedule.ScheduleExpression ?? 'no schedule expression'}, invokes ${sweepFunction!.physicalId}`;
  // The alarms could not be read: what was found of the schedule stays in the line.
  if (!Array.isArray(alarms)) return { ...(alarms as Check), name, detail: `${found}; whether sweeps complete is not known: ${(alarms as Check).detail}` };
  const missing = alarms.find((alarm) => alarm.MetricName === MetricName.SWEEP_COMPLETED);
  const why = 'the sweep function\'s log says why a run failed';
  if (missing === undefined) return check.fail(name, `${found}; ${stack.stackName} has no alarm on ${MetricName.SWEEP_COMPLETED}: whether sweeps complete is not known`, REDEPLOY);
  if (missing.StateValue === 'ALARM') {
    const since = missing.StateUpdatedTimestamp === undefined ? '' : ` since ${new Date(missing.StateUpdatedTimestamp).toISOString()}`;
    return check.fail(name, `${found}, but ${missing.AlarmName} is in ALARM${since}: no sweep completed in three intervals, the safety net is off`, why);
  }
  const differences = sweepAlarmDifferences(missing, rules.sweep.everyMinutes);
  if (differences.length > 0) {
    return check.fail(name, `${found}; ${missing.AlarmName} is not defined as the stack builds it (${differences.join('; ')}): its ${missing.StateValue ?? 'state'} does not say whether sweeps complete`, `${REDEPLOY} puts it back only if the template changed; aws cloudformation detect-stack-drift --stack-name ${stack.stackName} shows the drift`);
  }
  if (missing.StateValue !== 'OK') return check.warn(name, `${found}; ${missing.AlarmName} is ${missing.StateValue ?? 'of no state'}: not known yet whether sweeps complete`, `run doctor again after three sweep intervals; ${why}`);
  if (window !== undefined) return check.warn(name, `${found}; ${missing.AlarmName} OK; but the schedule ${window.why}`, window.fix);
  return check.ok(name, `${found}; a sweep completed within three intervals (${missing.AlarmName} OK)`);
}

import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, ListTargetsByRuleCommand, type DescribeRuleCommandOutput, type EventBridgeClient, type Target } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, type GetScheduleCommandOutput, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { MetricName } from '../../functions/shared/metrics';
import type { ProtectionRules } from '../../functions/shared/rules/schema';
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

/** The canary's rule (infra/constructs/canary.ts), when the rules have a canary: enabled, invoking a function of the stack. */
export async function canaryScheduleCheck(events: EventBridgeClient, stack: StackResources, rules: ProtectionRules): Promise<Check> {
  const name = SCHEDULE_NAMES.CANARY_SCHEDULE;
  if (rules.canary === undefined) return check.skip(name, 'the rules have no "canary"');
  const found = await ruleOrCheck(events, stack, name, LOGICAL_ID.CANARY_RULE, 'canary schedule');
  if (!('rule' in found)) return found;
  if (!isEnabled(found.rule.State)) return check.warn(name, `${found.name} is ${found.rule.State ?? 'of no state'}: no daily canary proves intake works (CanaryMissing goes into alarm)`, enableRule(found.name));
  const functions = new Set(stack.functions.map((fn) => fn.FunctionArn));
  if (!found.targets.some((target) => functions.has(target.Arn))) return check.warn(name, `${found.name} targets ${targetList(found.targets)}, no function of ${stack.stackName}: the canary never runs`, REDEPLOY);
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

/**
 * The command that enables the schedule again. UpdateSchedule replaces the whole schedule, so it
 * gives back every field the schedule has (its target, read again by get-schedule). A `cdk deploy`
 * would not do it: CloudFormation updates only what the template changes.
 */
function enableSchedule(schedule: GetScheduleCommandOutput, name: string): string {
  const group = schedule.GroupName === undefined || schedule.GroupName === 'default' ? '' : ` --group-name ${schedule.GroupName}`;
  const window = schedule.FlexibleTimeWindow;
  const options = [
    `--schedule-expression ${quoted(schedule.ScheduleExpression ?? '')}`,
    schedule.ScheduleExpressionTimezone === undefined ? '' : `--schedule-expression-timezone ${schedule.ScheduleExpressionTimezone}`,
    `--flexible-time-window Mode=${window?.Mode ?? 'OFF'}${window?.MaximumWindowInMinutes === undefined ? '' : `,MaximumWindowInMinutes=${window.MaximumWindowInMinutes}`}`,
    schedule.Description === undefined ? '' : `--description ${quoted(schedule.Description)}`,
    `--target "$(aws scheduler get-schedule --name ${name}${group} --query Target --output json)"`,
  ].filter((option) => option !== '');
  return `aws scheduler update-schedule --name ${name}${group} --state ENABLED ${options.join(' ')}`;
}

/**
 * The sweep's EventBridge Scheduler schedule (infra/constructs/sweep.ts): ENABLED (GetSchedule),
 * invoking the stack's sweep function, and sweeps completing, as the SweepMissing alarm reads them
 * (no SweepCompleted in three intervals: a schedule that does not fire, or a sweep that fails).
 * A sweep that does not run is a fail: the safety net is off.
 */
export async function sweepCheck(scheduler: SchedulerClient, stack: StackResources, alarms: readonly MetricAlarm[] | Check): Promise<Check> {
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
  if (schedule.State !== 'ENABLED') {
    return check.fail(name, `the sweep schedule ${scheduleName} is ${schedule.State ?? 'of no state'}: no sweep runs, the safety net is off`, `${enableSchedule(schedule, scheduleName)} (a cdk deploy that does not change the schedule leaves it ${schedule.State ?? 'so'})`);
  }
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
  if (!Array.isArray(alarms)) return { ...(alarms as Check), name };
  const missing = alarms.find((alarm) => alarm.MetricName === MetricName.SWEEP_COMPLETED);
  const why = 'the sweep function\'s log says why a run failed';
  if (missing === undefined) return check.fail(name, `${found}; ${stack.stackName} has no alarm on ${MetricName.SWEEP_COMPLETED}: whether sweeps complete is not known`, REDEPLOY);
  if (missing.StateValue === 'ALARM') {
    const since = missing.StateUpdatedTimestamp === undefined ? '' : ` since ${new Date(missing.StateUpdatedTimestamp).toISOString()}`;
    return check.fail(name, `${found}, but ${missing.AlarmName} is in ALARM${since}: no sweep completed in three intervals, the safety net is off`, why);
  }
  if (missing.StateValue !== 'OK') return check.warn(name, `${found}; ${missing.AlarmName} is ${missing.StateValue ?? 'of no state'}: not known yet whether sweeps complete`, `run doctor again after three sweep intervals; ${why}`);
  return check.ok(name, `${found}; a sweep completed within three intervals (${missing.AlarmName} OK)`);
}

import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, ListTargetsByRuleCommand, type DescribeRuleCommandOutput, type EventBridgeClient, type Target } from '@aws-sdk/client-eventbridge';
import { MetricName } from '../../functions/shared/metrics';
import type { ProtectionRules } from '../../functions/shared/rules/schema';
import { callFailed, FailedCall, Permission } from './aws-calls';
import { CheckGroup, checksOf, type Check } from './check';
import { patternCovers, probes } from './event-pattern';
import { LOGICAL_ID, resourceByLogicalId, ResourceType, type StackResources } from './stack-resources';

const check = checksOf(CheckGroup.STACK);

export const SCHEDULE_NAMES = {
  INTAKE: 'intake rule starts the workflow',
  SWEEP: 'sweep schedule running',
  SELF_TEST_SCHEDULE: 'self-test schedule enabled',
  CANARY_SCHEDULE: 'canary schedule enabled',
} as const;

const REDEPLOY = 'npx cdk deploy';
/** ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS also matches read-only calls: still enabled. */
const isEnabled = (state: string | undefined) => state === 'ENABLED' || state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

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

const enableRule = (name: string) => `aws events enable-rule --name ${name}`;
const targetList = (targets: Target[]) => (targets.length === 0 ? 'no target' : targets.map((target) => target.Arn?.split(':').pop()).join(', '));

/** One rule of the stack, read, or the check's line when it cannot be. */
async function ruleOrCheck(events: EventBridgeClient, stack: StackResources, name: string, logicalId: string, what: string): Promise<DeployedRule | Check> {
  const resource = resourceByLogicalId(stack, ResourceType.RULE, logicalId);
  if (resource === undefined) return check.fail(name, `${stack.stackName} has no ${what} (${logicalId}…)`, REDEPLOY);
  try {
    return (await readRule(events, resource.physicalId)) ?? check.fail(name, `the ${what} ${ruleName(resource.physicalId).Name} does not exist: deleted outside CloudFormation`, REDEPLOY);
  } catch (error) {
    if (!(error instanceof FailedCall)) throw error;
    return callFailed(check, name, error.cause, error.permission);
  }
}

/**
 * The intake rule (infra/constructs/intake.ts): enabled, its pattern admits every watched call
 * (and AttachPolicy of each forbidden policy) from anyone but the guard, and it starts the stack's
 * state machine.
 */
export async function intakeCheck(events: EventBridgeClient, stack: StackResources, stateMachineArn: string | undefined, rules: ProtectionRules): Promise<Check> {
  const name = SCHEDULE_NAMES.INTAKE;
  const found = await ruleOrCheck(events, stack, name, LOGICAL_ID.INTAKE_RULE, 'intake rule');
  if (!('rule' in found)) return found;
  const { rule, targets } = found;
  if (!isEnabled(rule.State)) {
    return check.fail(name, `the intake rule ${found.name} is ${rule.State ?? 'of no state'}: no Organizations change starts the workflow, only the sweep restores`, enableRule(found.name));
  }
  const account = stateMachineArn?.split(':')[4] ?? '000000000000';
  const forbidden = [...new Set(rules.forbid.map((forbid) => forbid.policyId))].sort();
  const verdict = patternCovers(rule.EventPattern, probes(account, forbidden));
  if (verdict.kind === 'misses') {
    return check.fail(name, `the pattern of ${found.name} does not match ${verdict.eventNames.join(', ')}: those changes wait for the sweep`, `${REDEPLOY} (it puts the pattern the rules need back)`);
  }
  if (verdict.kind === 'unknown') {
    return check.fail(name, `the pattern of ${found.name} has what doctor cannot evaluate (${verdict.why}): whether it matches the watched calls is not known`, `${REDEPLOY} (it puts the pattern the rules need back)`);
  }
  if (stateMachineArn === undefined || !targets.some((target) => target.Arn === stateMachineArn)) {
    return check.fail(name, `${found.name} targets ${targetList(targets)}, not the stack's state machine: matched events start nothing`, REDEPLOY);
  }
  return check.ok(name, `${found.name} ${rule.State}, matches every watched call, starts ${stateMachineArn.split(':').pop()}`);
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

/**
 * The sweep's EventBridge Scheduler schedule (infra/constructs/sweep.ts). Its own State needs
 * scheduler:GetSchedule, and the project has no Scheduler client: doctor reads whether sweeps
 * complete instead, from the SweepMissing alarm (no SweepCompleted in three intervals), which a
 * disabled schedule puts into ALARM. A sweep that does not run is a fail: the safety net is off.
 */
export function sweepCheck(stack: StackResources, alarms: readonly MetricAlarm[] | Check): Check {
  const name = SCHEDULE_NAMES.SWEEP;
  const schedule = resourceByLogicalId(stack, ResourceType.SCHEDULE, LOGICAL_ID.SWEEP_SCHEDULE);
  if (schedule === undefined) return check.fail(name, `${stack.stackName} has no sweep schedule (${LOGICAL_ID.SWEEP_SCHEDULE}…): nothing the event path missed is restored`, REDEPLOY);
  if (!Array.isArray(alarms)) return { ...(alarms as Check), name };
  const missing = alarms.find((alarm) => alarm.MetricName === MetricName.SWEEP_COMPLETED);
  const see = `aws scheduler get-schedule --name ${schedule.physicalId} (State must be ENABLED); the sweep function's log says why a run failed`;
  if (missing === undefined) return check.fail(name, `${stack.stackName} has no alarm on ${MetricName.SWEEP_COMPLETED}: whether sweeps run is not known`, REDEPLOY);
  if (missing.StateValue === 'ALARM') {
    const since = missing.StateUpdatedTimestamp === undefined ? '' : ` since ${new Date(missing.StateUpdatedTimestamp).toISOString()}`;
    return check.fail(name, `${missing.AlarmName} is in ALARM${since}: no sweep completed in three intervals, the safety net is off (schedule ${schedule.physicalId} disabled, or the sweep failing)`, see);
  }
  if (missing.StateValue !== 'OK') return check.warn(name, `${missing.AlarmName} is ${missing.StateValue ?? 'of no state'}: not known yet whether sweeps complete`, `run doctor again after three sweep intervals; ${see}`);
  return check.ok(name, `${schedule.physicalId}: a sweep completed within three intervals (${missing.AlarmName} OK)`);
}

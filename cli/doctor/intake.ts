import type { EventBridgeClient, Target } from '@aws-sdk/client-eventbridge';
import { parseGuardRoleArns } from '../../functions/classify/handler';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { forbiddenPolicyIds, intakeEventPattern } from '../../infra/intake-pattern';
import { CheckGroup, checksOf, type Check } from './check';
import { canonicalPattern, patternCovers, probes } from './event-pattern';
import { enableRule, isEnabled, REDEPLOY, ruleOrCheck, SCHEDULE_NAMES, targetList } from './rules-and-schedules';
import { LOGICAL_ID, resourceByLogicalId, resourcesOf, ResourceType, STACK_ENVIRONMENT, type StackResources } from './stack-resources';

const check = checksOf(CheckGroup.STACK);

const DRIFT = (stackName: string) => `aws cloudformation detect-stack-drift --stack-name ${stackName} shows what was changed outside CloudFormation; npx cdk deploy puts back only what the template changes`;

/** `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME` → the role's account and name. */
function roleOf(arn: string): { account: string; name: string } | undefined {
  const match = /^arn:[a-z-]+:iam::(\d{12}):role\/(?:[^:]*\/)?([^/:]+)$/.exec(arn);
  return match === null ? undefined : { account: match[1], name: match[2] };
}

/**
 * The roles the guard restores with, as the classify function is told them (GUARD_ROLE_ARNS,
 * infra/constructs/intake.ts): the intake pattern leaves their calls out. Each must be a role of
 * the stack: another role there is a principal whose changes start no remediation.
 */
function guardRoles(stack: StackResources, account: string): { arns: string[] } | { problem: Check } {
  const name = SCHEDULE_NAMES.INTAKE;
  const variable = STACK_ENVIRONMENT.GUARD_ROLES;
  const arns = parseGuardRoleArns(stack.environment.GUARD_ROLES);
  if (arns.length === 0) return { problem: check.fail(name, `no function of ${stack.stackName} names the guard's roles (${variable}): the pattern the stack should have is not known`, REDEPLOY) };
  const stackRoles = new Set(resourcesOf(stack, ResourceType.ROLE).map((role) => role.physicalId));
  const foreign = arns.filter((arn) => {
    const role = roleOf(arn);
    return role === undefined || role.account !== account || !stackRoles.has(role.name);
  });
  if (foreign.length > 0) {
    return { problem: check.fail(name, `${variable} names ${foreign.join(', ')}, no role of ${stack.stackName}: its Organizations calls start no remediation`, DRIFT(stack.stackName)) };
  }
  return { arns };
}

const queueName = (stack: StackResources) => resourceByLogicalId(stack, ResourceType.QUEUE, LOGICAL_ID.INTAKE_DEAD_LETTER_QUEUE)?.physicalId.split('/').pop() ?? '?';

/** An SQS queue's ARN from the URL CloudFormation gives as its physical id (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME). */
function queueArn(url: string, partition: string, region: string): string | undefined {
  const match = /\/(\d{12})\/([^/]+)$/.exec(url);
  return match === null ? undefined : `arn:${partition}:sqs:${region}:${match[1]}:${match[2]}`;
}

/**
 * How a target that starts the state machine differs from the one the CDK builds (SfnStateMachine
 * in infra/constructs/intake.ts): the execution input is the whole event (an Input, InputPath or
 * InputTransformer would start executions with something else in it), a role of the stack lets
 * EventBridge start it, and what it cannot deliver goes to the stack's dead-letter queue.
 */
function targetProblems(target: Target, stack: StackResources, stateMachineArn: string): string[] {
  const [, partition, , region, account] = stateMachineArn.split(':');
  const problems: string[] = [];
  if (target.Input !== undefined) problems.push(`Input ${target.Input.length > 40 ? `${target.Input.slice(0, 40)}…` : target.Input} replaces the event`);
  if (target.InputPath !== undefined) problems.push(`InputPath ${target.InputPath} passes only part of the event`);
  if (target.InputTransformer !== undefined) problems.push('an InputTransformer rewrites the event');
  const stackRoles = new Set(resourcesOf(stack, ResourceType.ROLE).map((role) => role.physicalId));
  const role = target.RoleArn === undefined ? undefined : roleOf(target.RoleArn);
  if (target.RoleArn === undefined) problems.push('no RoleArn: EventBridge cannot start the execution');
  else if (role === undefined || role.account !== account || !stackRoles.has(role.name)) problems.push(`RoleArn ${target.RoleArn} is no role of ${stack.stackName}`);
  const queue = resourceByLogicalId(stack, ResourceType.QUEUE, LOGICAL_ID.INTAKE_DEAD_LETTER_QUEUE);
  const ownQueue = queue === undefined ? undefined : queueArn(queue.physicalId, partition, region);
  const deadLetters = target.DeadLetterConfig?.Arn;
  if (deadLetters === undefined) problems.push('no dead-letter queue: an event it cannot deliver is lost, and DeadLetters never goes into alarm');
  else if (deadLetters !== ownQueue) problems.push(`dead letters go to ${deadLetters.split(':').pop()}, not the stack's queue ${ownQueue?.split(':').pop() ?? `(${stack.stackName} has no ${LOGICAL_ID.INTAKE_DEAD_LETTER_QUEUE}…)`}: DeadLetters never goes into alarm`);
  return problems;
}

/** Why the deployed pattern is not the one the stack builds, in words: what doctor's sample calls show of the difference. */
function patternDifference(pattern: string | undefined, account: string, forbidden: readonly string[], ruleName: string, roles: number): string {
  const differs = `the pattern of ${ruleName} is not the one the rules and the stack's ${roles} guard roles make`;
  const verdict = patternCovers(pattern, probes(account, forbidden));
  if (verdict.kind === 'misses') return `${differs}: it does not match ${verdict.eventNames.join(', ')} by ${verdict.callers.join(', ')}; those changes wait for the sweep`;
  if (verdict.kind === 'unknown') return `${differs}, and has what doctor cannot evaluate (${verdict.why}): what it leaves out is not known`;
  return `${differs}: it matches doctor's sample calls, but may leave out other callers or calls`;
}

/**
 * The intake rule (infra/constructs/intake.ts): enabled; its pattern, once in canonical form, is
 * the one the CDK builds from the rules' forbidden policies and the stack's guard roles (anything
 * else may exempt some principal or call, whatever sample events it matches); it starts the
 * stack's state machine with the whole event, a role of the stack and the stack's dead-letter queue.
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
  const guard = guardRoles(stack, account);
  if ('problem' in guard) return guard.problem;
  const forbidden = forbiddenPolicyIds(rules.forbid);
  let deployed: unknown;
  try {
    deployed = JSON.parse(rule.EventPattern ?? '');
  } catch {
    deployed = undefined;
  }
  if (canonicalPattern(deployed) !== canonicalPattern(intakeEventPattern(forbidden, guard.arns))) {
    return check.fail(name, patternDifference(rule.EventPattern, account, forbidden, found.name, guard.arns.length), `${REDEPLOY} (it puts the pattern the rules need back)`);
  }
  const starting = stateMachineArn === undefined ? [] : targets.filter((target) => target.Arn === stateMachineArn);
  if (stateMachineArn === undefined || starting.length === 0) {
    return check.fail(name, `${found.name} targets ${targetList(targets)}, not the stack's state machine: matched events start nothing`, REDEPLOY);
  }
  const problems = starting.flatMap((target) => targetProblems(target, stack, stateMachineArn).map((problem) => `target ${target.Id ?? '?'}: ${problem}`));
  if (problems.length > 0) return check.fail(name, `${found.name} starts ${stateMachineArn.split(':').pop()}, but not as the stack builds it: ${problems.join('; ')}`, DRIFT(stack.stackName));
  return check.ok(name, `${found.name} ${rule.State}, its pattern the one the rules and the stack's ${guard.arns.length} guard roles make, starts ${stateMachineArn.split(':').pop()} with the whole event, dead letters to ${queueName(stack)}`);
}

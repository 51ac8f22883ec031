import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AuditQueries } from '../audit/queries';
import type { IncidentRecord } from '../../functions/shared/audit/records';
import { CANARY_DEADLINE_MINUTES, canaryPassed } from '../../functions/shared/canary';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { selfTestPassed } from '../../functions/shared/self-test';
import { IncidentStatus, Source } from '../../functions/shared/vocabulary';
import { ALARM_NAMES, alarmActionsCheck, firingCheck, stackAlarmsOrCheck } from './alarms';
import { callFailed, FailedCall, Permission } from './aws-calls';
import { CheckGroup, checksOf, type Check } from './check';
import { intakeCheck } from './intake';
import { canaryScheduleCheck, SCHEDULE_NAMES, selfTestScheduleCheck, sweepCheck } from './rules-and-schedules';
import { findStack, resourcesOf, ResourceType, STACK_ENVIRONMENT, StackNotFound, type StackResources } from './stack-resources';
import { alarmsMayPublish } from './topic-policy';


const check = checksOf(CheckGroup.STACK);

/** The stack group's lines, in the order doctor prints them. */
export const NAMES = {
  DEPLOYED: 'stack deployed',
  INTAKE: SCHEDULE_NAMES.INTAKE,
  SWEEP: SCHEDULE_NAMES.SWEEP,
  SELF_TEST_SCHEDULE: SCHEDULE_NAMES.SELF_TEST_SCHEDULE,
  CANARY_SCHEDULE: SCHEDULE_NAMES.CANARY_SCHEDULE,
  ALARM_ACTIONS: ALARM_NAMES.ACTIONS,
  ALARMS: 'alarms can reach the topic',
  ALARMS_FIRING: ALARM_NAMES.FIRING,
  SLACK: 'Slack secrets set',
  SELF_TEST: 'last self-test passed',
  CANARY: 'last canary passed',
} as const;

/** The self-test and the canary run once a day: older than this, the last one is a missed day. */
export const DAILY_WITHIN_HOURS = 26;

export interface StackClients {
  cloudFormation: CloudFormationClient;
  lambda: LambdaClient;
  events: EventBridgeClient;
  scheduler: SchedulerClient;
  cloudWatch: CloudWatchClient;
  sfn: SFNClient;
  sns: SNSClient;
  secrets: SecretsManagerClient;
  /** The audit table's queries, once the table is known. */
  queries: (tableName: string) => AuditQueries;
}

const REDEPLOY = 'npx cdk deploy';
const OTHER_NAME = 'npx cdk deploy (or give --stack NAME if it was deployed under another name)';

/**
 * What a stack status means for the guard: a stack that never finished creating, or is being
 * deleted, guards nothing; an update or import that rolled back left the previous version running;
 * an update that failed and stayed so (cdk deploy --no-rollback) or whose rollback failed leaves
 * the stack stuck, but its resources still run, so the other checks still say what they do.
 */
interface StatusProblem {
  level: 'fail' | 'warn';
  why: string;
  fix: string;
  /** The stack's resources still run: every other check still reads them. */
  resourcesRun?: boolean;
}

function statusProblem(status: string, stackName: string): StatusProblem | undefined {
  const events = `the stack events say why (aws cloudformation describe-stack-events --stack-name ${stackName})`;
  if (status === 'UPDATE_ROLLBACK_COMPLETE') return { level: 'warn', why: 'the last update rolled back: the previous version runs', fix: `${events}; then ${REDEPLOY}` };
  if (status === 'IMPORT_ROLLBACK_COMPLETE') return { level: 'warn', why: 'the last import rolled back: the previous version runs', fix: `${events}; then ${REDEPLOY}` };
  if (status === 'UPDATE_FAILED') return { level: 'fail', why: 'an update failed and was not rolled back (cdk deploy --no-rollback): the stack is stuck half-way', fix: `${events}; fix it and ${REDEPLOY}, or roll back (aws cloudformation rollback-stack --stack-name ${stackName})`, resourcesRun: true };
  if (status === 'UPDATE_ROLLBACK_FAILED') return { level: 'fail', why: 'an update\'s rollback failed: the stack is stuck half-way', fix: `${events}; then aws cloudformation continue-update-rollback --stack-name ${stackName}`, resourcesRun: true };
  if (status.endsWith('_FAILED')) return { level: 'fail', why: 'a change failed half-way: the stack is stuck', fix: events };
  if (status === 'ROLLBACK_COMPLETE') return { level: 'fail', why: 'its creation failed: nothing of it is left running', fix: `delete it (aws cloudformation delete-stack --stack-name ${stackName}), then ${REDEPLOY}` };
  if (status.startsWith('DELETE_')) return { level: 'fail', why: 'it is being deleted', fix: `wait for the deletion to end, then ${REDEPLOY}` };
  // A stack made by a change set that was never executed holds no resource yet.
  if (status === 'REVIEW_IN_PROGRESS') return { level: 'fail', why: 'it is not created yet: a change set waits to be executed', fix: `execute the change set (aws cloudformation list-change-sets --stack-name ${stackName}), or ${REDEPLOY}` };
  if (status.endsWith('_IN_PROGRESS')) {
    if (status.startsWith('CREATE_') || status.startsWith('ROLLBACK_')) return { level: 'fail', why: 'it is not created yet', fix: 'wait for the deployment, then run doctor again' };
    return { level: 'warn', why: 'a change is under way', fix: 'run doctor again when it ends' };
  }
  if (!status.endsWith('_COMPLETE')) return { level: 'fail', why: 'a status doctor does not know', fix: `aws cloudformation describe-stacks --stack-name ${stackName}` };
  return undefined;
}

/** The stack's status, its functions, and its one state machine, ACTIVE. */
async function deployedCheck(sfn: SFNClient, stack: StackResources, stateMachineArn: string | undefined): Promise<Check> {
  const name = NAMES.DEPLOYED;
  const problem = statusProblem(stack.status, stack.stackName);
  const why = stack.statusReason === undefined ? '' : ` (${stack.statusReason})`;
  if (problem?.level === 'fail' && problem.resourcesRun !== true) return check.fail(name, `${stack.stackName} is ${stack.status}${why}: ${problem.why}`, problem.fix);
  if (stack.missingFunctions.length > 0) {
    return check.fail(name, `${stack.stackName}'s function ${stack.missingFunctions.join(', ')} does not exist: deleted outside CloudFormation`, `${REDEPLOY} recreates it only if it changed: delete and redeploy the stack, or restore it by hand`);
  }
  if (stateMachineArn === undefined) return check.fail(name, `${stack.stackName} (${stack.status}) has no state machine: not this stack, or a partial deployment`, OTHER_NAME);
  let status: string | undefined;
  try {
    status = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).status;
  } catch (error) {
    if ((error as Error).name === 'StateMachineDoesNotExist') return check.fail(name, `the state machine ${stateMachineArn} does not exist`, REDEPLOY);
    return callFailed(check, name, error, Permission.DESCRIBE_STATE_MACHINE);
  }
  const machine = stateMachineArn.split(':').pop();
  if (status !== 'ACTIVE') return check.fail(name, `the state machine ${machine} is ${status ?? 'of no status'}`, REDEPLOY);
  const found = `${stack.stackName} ${stack.status}: ${stack.functions.length} functions, state machine ${machine} ACTIVE`;
  if (problem?.level === 'fail') return check.fail(name, `${found}; ${problem.why}${why}`, problem.fix);
  if (problem !== undefined) return check.warn(name, `${found}; ${problem.why}${why}`, problem.fix);
  return check.ok(name, found);
}

async function alarmsCheck(sns: SNSClient, stack: StackResources): Promise<Check> {
  const topicArn = stack.environment.TOPIC;
  if (topicArn === undefined) return check.fail(NAMES.ALARMS, `no function of ${stack.stackName} names the topic (${STACK_ENVIRONMENT.TOPIC})`, 'npx cdk deploy');
  let attributes: Record<string, string>;
  try {
    attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes ?? {};
  } catch (error) {
    if ((error as Error).name === 'NotFoundException') return check.fail(NAMES.ALARMS, `the topic ${topicArn} does not exist`, 'npx cdk deploy');
    return callFailed(check, NAMES.ALARMS, error, Permission.GET_TOPIC_ATTRIBUTES);
  }
  const topic = topicArn.split(':').pop();
  const verdict = alarmsMayPublish(attributes.Policy, topicArn);
  const silent = 'every alarm fails with "not authorized to perform SNS:Publish"';
  const redeploy = 'redeploy (npx cdk deploy) to put the stack\'s topic policy back; docs/operations.md says how to prove delivery';
  if (verdict.kind === 'denied') return check.fail(NAMES.ALARMS, `the policy of ${topic} denies cloudwatch.amazonaws.com sns:Publish (${verdict.statement}): ${silent}`, redeploy);
  if (verdict.kind === 'unknown') {
    return check.fail(NAMES.ALARMS, `the policy of ${topic} has a statement doctor cannot evaluate (${verdict.statement}: ${verdict.why}): whether alarms can publish is not known`, redeploy);
  }
  if (verdict.kind === 'not allowed') {
    return check.fail(NAMES.ALARMS, `the policy of ${topic} does not let cloudwatch.amazonaws.com publish to it for this account's alarms: ${silent}`, redeploy);
  }
  const key = attributes.KmsMasterKeyId;
  if (key !== undefined) {
    return check.warn(
      NAMES.ALARMS,
      `${topic}'s policy lets CloudWatch alarms publish; it is encrypted with KMS key ${key}, whose key policy doctor does not read: alarms fail unless it lets cloudwatch.amazonaws.com use the key`,
      `aws kms get-key-policy --key-id ${key} --policy-name default: it must allow cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey* (npx cdk deploy puts it back)`,
    );
  }
  return check.ok(NAMES.ALARMS, `${topic}'s policy lets CloudWatch alarms publish`);
}

async function slackCheck(secrets: SecretsManagerClient, stack: StackResources, rules: ProtectionRules): Promise<Check> {
  if (rules.notify.slackChannel === undefined) return check.skip(NAMES.SLACK, 'the rules name no notify.slackChannel: Slack is off, notices go by email');
  const wanted = [
    ['bot token', stack.environment.BOT_TOKEN],
    ['signing secret', stack.environment.SIGNING_SECRET],
  ] as const;
  const unset: { what: string; name: string }[] = [];
  for (const [what, secretArn] of wanted) {
    if (secretArn === undefined) return check.fail(NAMES.SLACK, `no function of ${stack.stackName} names the Slack ${what}'s secret`, 'npx cdk deploy');
    const name = secretArn.split(':secret:').pop() ?? secretArn;
    let described: { VersionIdsToStages?: Record<string, string[]>; DeletedDate?: Date };
    try {
      described = await secrets.send(new DescribeSecretCommand({ SecretId: secretArn }));
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return check.fail(NAMES.SLACK, `the Slack ${what}'s secret ${name} does not exist: not deployed`, 'npx cdk deploy');
      return callFailed(check, NAMES.SLACK, error, Permission.DESCRIBE_SECRET);
    }
    if (described.DeletedDate !== undefined) {
      return check.fail(
        NAMES.SLACK,
        `the Slack ${what}'s secret ${name} is scheduled for deletion (since ${new Date(described.DeletedDate).toISOString()}): Slack stops working when it is deleted`,
        `aws secretsmanager restore-secret --secret-id ${name}`,
      );
    }
    const stages = described.VersionIdsToStages ?? {};
    // The stack creates both secrets empty: a value exists once a version is AWSCURRENT.
    if (!Object.values(stages).some((labels) => labels.includes('AWSCURRENT'))) unset.push({ what, name });
  }
  if (unset.length > 0) {
    return check.fail(
      NAMES.SLACK,
      `no value yet: the ${unset.map((secret) => `${secret.what} (${secret.name})`).join(', the ')}; Slack messages and buttons do not work`,
      `${unset.map((secret) => `aws secretsmanager put-secret-value --secret-id ${secret.name} --secret-string '<the ${secret.what}>'`).join('; ')} (docs/slack.md, "The Slack app")`,
    );
  }
  return check.ok(NAMES.SLACK, 'the bot token and the signing secret have values');
}

const hoursSince = (time: string, now: Date) => (now.getTime() - new Date(time).getTime()) / 3_600_000;
const ago = (hours: number) => (hours < 1 ? `${Math.max(0, Math.round(hours * 60))} min ago` : `${Math.round(hours)} h ago`);

/** The newest incident of a source (a Query on the byYear index, newest first). */
/** The latest incident of a source (none: undefined), or the check that says the table could not be read. */
async function latest(queries: AuditQueries, source: Source, name: string): Promise<{ record: IncidentRecord | undefined } | { failed: Check }> {
  try {
    return { record: (await queries.list({ source }, { limit: 1 })).incidents[0] };
  } catch (error) {
    return { failed: callFailed(check, name, error, Permission.QUERY_TABLE) };
  }
}

async function selfTestCheck(queries: AuditQueries, now: Date): Promise<Check> {
  const found = await latest(queries, Source.SELF_TEST, NAMES.SELF_TEST);
  if ('failed' in found) return found.failed;
  const { record } = found;
  if (record === undefined) return check.warn(NAMES.SELF_TEST, 'no self-test recorded yet', 'the first runs at 06:00 UTC after the deployment; run doctor again after it');
  const age = hoursSince(record.detectedAt, now);
  const id = record.incidentId;
  if (record.status !== IncidentStatus.CLOSED) {
    if (age < 1) return check.warn(NAMES.SELF_TEST, `${id} started ${ago(age)}, still ${record.status}`, 'run doctor again in a few minutes');
    return check.fail(NAMES.SELF_TEST, `${id} started ${ago(age)} and never closed`, `scp-guardian audit show ${id}; the ExecutionsFailed alarm tells why`);
  }
  if (!selfTestPassed(record.incident)) {
    return check.fail(NAMES.SELF_TEST, `${id} (${ago(age)}): Organizations did not answer classify: ${(record.incident.enrichmentErrors ?? []).join('; ')}`, `scp-guardian audit show ${id}; check the classify function's role`);
  }
  if (age > DAILY_WITHIN_HOURS) return check.fail(NAMES.SELF_TEST, `the last one passed ${ago(age)}: none since (SelfTestMissing is in alarm)`, 'check the SelfTestSchedule rule and the workflow\'s executions');
  return check.ok(NAMES.SELF_TEST, `${id}, ${ago(age)}`);
}

async function canaryCheck(queries: AuditQueries, rules: ProtectionRules, stack: StackResources, now: Date): Promise<Check> {
  if (rules.canary === undefined) return check.skip(NAMES.CANARY, 'the rules have no "canary": nothing proves intake daily', 'add a canary (docs/operations.md, "The canary: proving intake every day")');
  if (stack.environment.CANARY_ROLE === undefined) return check.fail(NAMES.CANARY, `the rules have a canary, the deployed ${stack.stackName} has none`, 'npx cdk deploy');
  const found = await latest(queries, Source.CANARY, NAMES.CANARY);
  if ('failed' in found) return found.failed;
  const { record } = found;
  if (record === undefined) return check.warn(NAMES.CANARY, 'no canary recorded yet', 'invoke the CanaryFunctionName output once, or wait for 06:30 UTC');
  const age = hoursSince(record.detectedAt, now);
  const id = record.incidentId;
  if (record.status !== IncidentStatus.CLOSED && age * 60 < CANARY_DEADLINE_MINUTES) return check.warn(NAMES.CANARY, `${id} started ${ago(age)}, still ${record.status}`, 'run doctor again in a few minutes');
  if (record.outcome === undefined || !canaryPassed({ outcome: record.outcome })) return check.fail(NAMES.CANARY, `${id} (${ago(age)}) ended ${record.outcome ?? record.status}: the canary pair did not come back`, `scp-guardian audit show ${id} --include-self-tests`);
  if (age > DAILY_WITHIN_HOURS) return check.fail(NAMES.CANARY, `the last one passed ${ago(age)}: none since (CanaryMissing is in alarm)`, 'check the canary schedule and function');
  return check.ok(NAMES.CANARY, `${id}, ${ago(age)}: ${record.outcome}`);
}

/**
 * The deployed stack (in the region of `clients`, us-east-1 unless `--region` says otherwise),
 * found by its own resources: its status and state machine, the intake rule and the schedules,
 * its alarms (actions to the topic, the topic's policy letting them publish, none in ALARM), the
 * Slack secrets, and the last self-test and canary, as the audit trail records them.
 */
export async function stackChecks(clients: StackClients, stackName: string, rules: ProtectionRules, now: Date = new Date()): Promise<{ checks: Check[]; stack?: StackResources }> {
  const [, ...rest] = Object.values(NAMES);
  let stack: StackResources;
  try {
    stack = await findStack(clients, stackName);
  } catch (error) {
    if (error instanceof StackNotFound) {
      const region = await clients.cloudFormation.config.region();
      return { checks: [check.fail(NAMES.DEPLOYED, `no stack ${stackName} in this account's ${region}`, OTHER_NAME), ...rest.map((name) => check.skip(name, 'the stack is not deployed'))] };
    }
    if (!(error instanceof FailedCall)) throw error;
    return { checks: [callFailed(check, NAMES.DEPLOYED, error.cause, error.permission), ...rest.map((name) => check.skip(name, 'the stack could not be looked for'))] };
  }
  const stateMachines = resourcesOf(stack, ResourceType.STATE_MACHINE);
  const stateMachineArn = stateMachines.length === 1 ? stateMachines[0].physicalId : undefined;
  const deployed = await deployedCheck(clients.sfn, stack, stateMachineArn);
  const problem = statusProblem(stack.status, stackName);
  if (problem?.level === 'fail' && problem.resourcesRun !== true) return { checks: [deployed, ...rest.map((name) => check.skip(name, `the stack is ${stack.status}`))], stack };
  const alarms = await stackAlarmsOrCheck(clients.cloudWatch, stack);
  const checks = [
    deployed,
    await intakeCheck(clients.events, stack, stateMachineArn, rules),
    await sweepCheck(clients.scheduler, stack, 'metric' in alarms ? alarms.metric : alarms, rules, now),
    await selfTestScheduleCheck(clients.events, stack, stateMachineArn),
    await canaryScheduleCheck(clients.events, stack, rules),
    alarmActionsCheck(alarms, stack, stack.environment.TOPIC),
    await alarmsCheck(clients.sns, stack),
    firingCheck(alarms),
    await slackCheck(clients.secrets, stack, rules),
  ];
  const tableName = stack.environment.TABLE;
  if (tableName === undefined) {
    const missing = `no function of ${stackName} names the audit table (${STACK_ENVIRONMENT.TABLE})`;
    return { checks: [...checks, check.fail(NAMES.SELF_TEST, missing, REDEPLOY), check.fail(NAMES.CANARY, missing, REDEPLOY)], stack };
  }
  const queries = clients.queries(tableName);
  return { checks: [...checks, await selfTestCheck(queries, now), await canaryCheck(queries, rules, stack, now)], stack };
}

/** Against `local --serve`: nothing is deployed, and no check here has a local counterpart. */
export function localStackChecks(): Check[] {
  return [
    check.skip(NAMES.DEPLOYED, 'local --serve runs the workflow in-process: nothing is deployed'),
    check.skip(NAMES.INTAKE, 'no EventBridge locally: events reach the workflow by POST /events'),
    check.skip(NAMES.SWEEP, 'no schedule locally: POST /reconcile (or reconcile --local) sweeps'),
    check.skip(NAMES.SELF_TEST_SCHEDULE, 'no daily schedule locally'),
    check.skip(NAMES.CANARY_SCHEDULE, 'no daily schedule locally: scp-guardian local --canary runs it once'),
    check.skip(NAMES.ALARM_ACTIONS, 'no CloudWatch alarms locally: notices are kept (GET /notifications)'),
    check.skip(NAMES.ALARMS, 'no CloudWatch alarms locally: notices are kept (GET /notifications)'),
    check.skip(NAMES.ALARMS_FIRING, 'no CloudWatch alarms locally'),
    check.skip(NAMES.SLACK, 'locally Slack is the stand-in, or SLACK_BOT_TOKEN'),
    check.skip(NAMES.SELF_TEST, 'no daily schedule locally'),
    check.skip(NAMES.CANARY, 'no daily schedule locally: scp-guardian local --canary runs it once'),
  ];
}

import { ListFunctionsCommand, type FunctionConfiguration, type LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AuditQueries } from '../../functions/shared/audit/queries';
import type { IncidentRecord } from '../../functions/shared/audit/records';
import { CANARY_DEADLINE_MINUTES, CANARY_ROLE_ARN_ENV, canaryPassed } from '../../functions/shared/canary';
import type { ProtectionRules } from '../../functions/shared/rules/schema';
import { selfTestPassed } from '../../functions/shared/self-test';
import { IncidentStatus, Source } from '../../functions/shared/vocabulary';
import { STATE_MACHINE_ARN_ENV } from '../../functions/sweep/handler';
import { callFailed, FailedCall, Permission } from './aws-calls';
import { CheckGroup, checksOf, type Check } from './check';
import { alarmsMayPublish } from './topic-policy';

const check = checksOf(CheckGroup.STACK);

export const NAMES = {
  DEPLOYED: 'stack deployed',
  ALARMS: 'alarms can reach the topic',
  SLACK: 'Slack secrets set',
  SELF_TEST: 'last self-test passed',
  CANARY: 'last canary passed',
} as const;

/**
 * The environment variables through which the stack hands its functions its resources
 * (infra/constructs/handlers.ts, sweep.ts, slack-endpoint.ts; read by each handler): doctor
 * finds the stack's table, state machine, topic and secrets in them.
 */
export const STACK_ENVIRONMENT = {
  TABLE: 'TABLE_NAME',
  STATE_MACHINE: STATE_MACHINE_ARN_ENV,
  TOPIC: 'TOPIC_ARN',
  BOT_TOKEN: 'BOT_TOKEN_ARN',
  SIGNING_SECRET: 'SIGNING_SECRET_ARN',
  /** Set on classify when the rules have a canary (infra/stack.ts). */
  CANARY_ROLE: CANARY_ROLE_ARN_ENV,
} as const;

/** The self-test and the canary run once a day: older than this, the last one is a missed day. */
export const DAILY_WITHIN_HOURS = 26;

/** What the stack's functions say about its resources. */
export interface StackResources {
  stackName: string;
  functions: FunctionConfiguration[];
  /** The value each environment variable has in the stack's functions (the first found). */
  environment: Partial<Record<keyof typeof STACK_ENVIRONMENT, string>>;
}

export interface StackClients {
  lambda: LambdaClient;
  sfn: SFNClient;
  sns: SNSClient;
  secrets: SecretsManagerClient;
  /** The audit table's queries, once the table is known. */
  queries: (tableName: string) => AuditQueries;
}

/**
 * The stack's functions: CloudFormation names each `<stack name>-<logical id>-<suffix>`, and their
 * configuration (ListFunctions answers it with the names) holds the rest of the stack's resources.
 */
export async function findStack(lambda: LambdaClient, stackName: string): Promise<StackResources> {
  const functions: FunctionConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await FailedCall.of(Permission.LIST_FUNCTIONS, lambda.send(new ListFunctionsCommand({ Marker: marker })));
    functions.push(...(page.Functions ?? []).filter((fn) => fn.FunctionName?.startsWith(`${stackName}-`) === true));
    marker = page.NextMarker;
  } while (marker !== undefined);
  const environment: StackResources['environment'] = {};
  for (const [key, variable] of Object.entries(STACK_ENVIRONMENT) as [keyof typeof STACK_ENVIRONMENT, string][]) {
    const value = functions.map((fn) => fn.Environment?.Variables?.[variable]).find((found) => found !== undefined && found !== '');
    if (value !== undefined) environment[key] = value;
  }
  return { stackName, functions, environment };
}

async function deployedCheck(sfn: SFNClient, stack: StackResources): Promise<Check> {
  const stateMachineArn = stack.environment.STATE_MACHINE;
  if (stateMachineArn === undefined) {
    return check.fail(NAMES.DEPLOYED, `${stack.functions.length} functions named ${stack.stackName}-*, none with ${STACK_ENVIRONMENT.STATE_MACHINE}: not this stack, or a partial deployment`, 'npx cdk deploy');
  }
  let status: string | undefined;
  try {
    status = (await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }))).status;
  } catch (error) {
    if ((error as Error).name === 'StateMachineDoesNotExist') return check.fail(NAMES.DEPLOYED, `the state machine ${stateMachineArn} does not exist`, 'npx cdk deploy');
    return callFailed(check, NAMES.DEPLOYED, error, Permission.DESCRIBE_STATE_MACHINE);
  }
  const machine = stateMachineArn.split(':').pop();
  if (status !== 'ACTIVE') return check.fail(NAMES.DEPLOYED, `the state machine ${machine} is ${status ?? 'of no status'}`, 'npx cdk deploy');
  return check.ok(NAMES.DEPLOYED, `${stack.stackName}: ${stack.functions.length} functions, state machine ${machine} ACTIVE`);
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
      `${unset.map((secret) => `aws secretsmanager put-secret-value --secret-id ${secret.name} --secret-string '<the ${secret.what}>'`).join('; ')} (README, "Slack app")`,
    );
  }
  return check.ok(NAMES.SLACK, 'the bot token and the signing secret have values');
}

const hoursSince = (time: string, now: Date) => (now.getTime() - new Date(time).getTime()) / 3_600_000;
const ago = (hours: number) => (hours < 1 ? `${Math.max(0, Math.round(hours * 60))} min ago` : `${Math.round(hours)} h ago`);

/** The newest incident of a source (a Query on the byYear index, newest first). */
async function latest(queries: AuditQueries, source: Source): Promise<IncidentRecord | undefined> {
  return (await queries.list({ source }, { limit: 1 })).incidents[0];
}

async function selfTestCheck(queries: AuditQueries, now: Date): Promise<Check> {
  let record: IncidentRecord | undefined;
  try {
    record = await latest(queries, Source.SELF_TEST);
  } catch (error) {
    return callFailed(check, NAMES.SELF_TEST, error, Permission.QUERY_TABLE);
  }
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
  if (rules.canary === undefined) return check.skip(NAMES.CANARY, 'the rules have no "canary": nothing proves intake daily', 'add a canary (README, "The canary")');
  if (stack.environment.CANARY_ROLE === undefined) return check.fail(NAMES.CANARY, `the rules have a canary, the deployed ${stack.stackName} has none`, 'npx cdk deploy');
  let record: IncidentRecord | undefined;
  try {
    record = await latest(queries, Source.CANARY);
  } catch (error) {
    return callFailed(check, NAMES.CANARY, error, Permission.QUERY_TABLE);
  }
  if (record === undefined) return check.warn(NAMES.CANARY, 'no canary recorded yet', 'invoke the CanaryFunctionName output once, or wait for 06:30 UTC');
  const age = hoursSince(record.detectedAt, now);
  const id = record.incidentId;
  if (record.status !== IncidentStatus.CLOSED && age * 60 < CANARY_DEADLINE_MINUTES) return check.warn(NAMES.CANARY, `${id} started ${ago(age)}, still ${record.status}`, 'run doctor again in a few minutes');
  if (record.outcome === undefined || !canaryPassed({ outcome: record.outcome })) return check.fail(NAMES.CANARY, `${id} (${ago(age)}) ended ${record.outcome ?? record.status}: the canary pair did not come back`, `scp-guardian audit show ${id} --include-self-tests`);
  if (age > DAILY_WITHIN_HOURS) return check.fail(NAMES.CANARY, `the last one passed ${ago(age)}: none since (CanaryMissing is in alarm)`, 'check the canary schedule and function');
  return check.ok(NAMES.CANARY, `${id}, ${ago(age)}: ${record.outcome}`);
}

/**
 * The deployed stack (in the region of `clients`, us-east-1 unless `--region` says otherwise): its functions and state machine exist, its alarms' topic lets
 * CloudWatch publish (the alarms themselves are not read: cloudwatch:DescribeAlarms needs a
 * CloudWatch client, which the project does not depend on), the Slack secrets have values, and the last self-test and canary passed,
 * as the audit trail records them.
 */
export async function stackChecks(clients: StackClients, stackName: string, rules: ProtectionRules, now: Date = new Date()): Promise<{ checks: Check[]; stack?: StackResources }> {
  const rest = [NAMES.ALARMS, NAMES.SLACK, NAMES.SELF_TEST, NAMES.CANARY];
  let stack: StackResources;
  try {
    stack = await findStack(clients.lambda, stackName);
  } catch (error) {
    if (!(error instanceof FailedCall)) throw error;
    return { checks: [callFailed(check, NAMES.DEPLOYED, error.cause, error.permission), ...rest.map((name) => check.skip(name, 'the stack could not be looked for'))] };
  }
  if (stack.functions.length === 0) {
    return {
      checks: [
        check.fail(NAMES.DEPLOYED, `no function named ${stackName}-* in this account's ${await clients.lambda.config.region()}`, 'npx cdk deploy (or give --stack NAME if it was deployed under another name)'),
        ...rest.map((name) => check.skip(name, 'the stack is not deployed')),
      ],
    };
  }
  const checks = [await deployedCheck(clients.sfn, stack), await alarmsCheck(clients.sns, stack), await slackCheck(clients.secrets, stack, rules)];
  const tableName = stack.environment.TABLE;
  if (tableName === undefined) {
    const missing = `no function of ${stackName} names the audit table (${STACK_ENVIRONMENT.TABLE})`;
    return { checks: [...checks, check.fail(NAMES.SELF_TEST, missing, 'npx cdk deploy'), check.fail(NAMES.CANARY, missing, 'npx cdk deploy')], stack };
  }
  const queries = clients.queries(tableName);
  return { checks: [...checks, await selfTestCheck(queries, now), await canaryCheck(queries, rules, stack, now)], stack };
}

/** Against `local --serve`: nothing is deployed, and no check here has a local counterpart. */
export function localStackChecks(): Check[] {
  return [
    check.skip(NAMES.DEPLOYED, 'local --serve runs the workflow in-process: nothing is deployed'),
    check.skip(NAMES.ALARMS, 'no CloudWatch alarms locally: notices are kept (GET /notifications)'),
    check.skip(NAMES.SLACK, 'locally Slack is the stand-in, or SLACK_BOT_TOKEN'),
    check.skip(NAMES.SELF_TEST, 'no daily schedule locally'),
    check.skip(NAMES.CANARY, 'no daily schedule locally: scp-guardian local --canary runs it once'),
  ];
}

import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type CompositeAlarm, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, ResourceNotFoundException as RuleNotFoundException, type Target } from '@aws-sdk/client-eventbridge';
import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetFunctionConfigurationCommand, LambdaClient, ResourceNotFoundException as FunctionNotFoundException, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  DescribePolicyCommand,
  ListChildrenCommand,
  ListPoliciesForTargetCommand,
  ListRootsCommand,
  ListTargetsForPolicyCommand,
  OrganizationsClient,
  PolicyNotFoundException,
} from '@aws-sdk/client-organizations';
import { GetScheduleCommand, ResourceNotFoundException as ScheduleNotFoundException, SchedulerClient, type GetScheduleCommandOutput } from '@aws-sdk/client-scheduler';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { STACK_ENVIRONMENT } from '../../../cli/doctor/stack-resources';
import { DesiredPartition } from '../../../functions/shared/audit/table-schema';
import { MetricDimension, MetricName, METRICS_NAMESPACE, METRICS_SERVICE } from '../../../functions/shared/metrics';
import { intakeEventPattern } from '../../../infra/intake-pattern';

/**
 * An AWS account as doctor reads it, every service mocked with aws-sdk-client-mock: a healthy
 * organization (SCPs on the root r-a1b2, two protected SCPs attached where the desired state says),
 * an organization trail, and the deployed stack with its table, topic, secrets, self-test and
 * canary. Each test breaks one part of it.
 */

export const ACCOUNT = '111122223333';
export const ROOT = 'r-a1b2';
export const PROD = 'ou-a1b2-7hq4vz2n';
export const DENY_LEAVE = 'p-denyleave1';
export const PROTECT_CT = 'p-protectct';
export const CANARY = { policyId: 'p-canary01', targetId: 'ou-a1b2-canary01' } as const;
export const FULL_AWS_ACCESS = 'p-FullAWSAccess';

export const TABLE = 'ScpGuardian-AuditStoreTable1234-ABCDEF';
export const STATE_MACHINE = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:RemediationStateMachine1234`;
export const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:ScpGuardian-NotificationsTopic1234-ABCDEF`;
export const BOT_TOKEN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:SlackBotToken1234-AbCdEf`;
export const SIGNING = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:SlackSigningSecret1234-AbCdEf`;

/** The rules as a file holds them (parse with parseProtectionRules). */
export const RULES = {
  protect: [
    { policyId: DENY_LEAVE, targets: '*', mode: 'auto' },
    { policyId: PROTECT_CT, targets: [PROD], mode: 'approval' },
  ],
  notify: { slackChannel: 'C0SECURITY', slackTeamId: 'T0TEAM', slackAppId: 'A0APP' },
  canary: CANARY,
};

/** The roles the guard restores with (the stack's own), as classify's GUARD_ROLE_ARNS names them. */
export const GUARD_ROLE_NAMES = ['ScpGuardian-HandlersReattachRole-U1V2W3X4', 'ScpGuardian-HandlersRestoreRole-E5F6G7H8', 'ScpGuardian-WorkflowStateMachineRole-I9J0K1L2'];
export const GUARD_ROLES = GUARD_ROLE_NAMES.map((name) => `arn:aws:iam::${ACCOUNT}:role/${name}`);
export const GUARD_ROLE = GUARD_ROLES[0];

const fn = (name: string, variables: Record<string, string>): FunctionConfiguration => ({
  FunctionName: `ScpGuardian-${name}`,
  FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:ScpGuardian-${name}`,
  Environment: { Variables: variables },
});
export const STACK_FUNCTIONS = [
  fn('SweepFunction1234-AAAA', { [STACK_ENVIRONMENT.TABLE]: TABLE }),
  fn('HandlersNotify1234-BBBB', { [STACK_ENVIRONMENT.TABLE]: TABLE, [STACK_ENVIRONMENT.TOPIC]: TOPIC }),
  fn('HandlersSlackInteractions-CCCC', { [STACK_ENVIRONMENT.BOT_TOKEN]: BOT_TOKEN, [STACK_ENVIRONMENT.SIGNING_SECRET]: SIGNING }),
  fn('HandlersClassify-DDDD', { [STACK_ENVIRONMENT.CANARY_ROLE]: `arn:aws:iam::${ACCOUNT}:role/ScpGuardian-CanaryRole`, [STACK_ENVIRONMENT.GUARD_ROLES]: GUARD_ROLES.join(',') }),
  fn('CanaryFunction7B473602-EEEE', {}),
];
export const SWEEP_FUNCTION = STACK_FUNCTIONS[0];
export const CANARY_FUNCTION = STACK_FUNCTIONS[4];

/** The stack's rules and schedules, by name (their physical ids). */
export const RULE = {
  INTAKE: 'ScpGuardian-IntakeDetachPolicyRule889A24F5-1A2B3C4D5E6F',
  SELF_TEST: 'ScpGuardian-MonitoringSelfTestScheduleC93DB-7G8H9I0J',
  CANARY: 'ScpGuardian-CanaryScheduleE8221BF4-K1L2M3N4',
} as const;
export const SWEEP_SCHEDULE = 'SweepSchedule5ECAB4A7-O5P6Q7R8S9T0';
/** The intake's dead-letter queue (its physical id is its URL) and the role EventBridge starts the workflow with. */
export const DEAD_LETTER_QUEUE = 'ScpGuardian-IntakeDeadLetterQueueA5C12DB5-Q1R2S3T4';
export const DEAD_LETTER_QUEUE_ARN = `arn:aws:sqs:us-east-1:${ACCOUNT}:${DEAD_LETTER_QUEUE}`;
export const EVENTS_ROLE = 'ScpGuardian-WorkflowStateMachineEventsRole-M3N4O5P6';
/** The intake rule's pattern as the CDK builds it for RULES (no forbid rule), with the guard's roles. */
export const INTAKE_PATTERN = JSON.stringify(intakeEventPattern([], GUARD_ROLES));

const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${name}`;
export const notifying = (AlarmName: string, extra: Partial<MetricAlarm> = {}): MetricAlarm => ({ AlarmName, AlarmArn: alarmArn(AlarmName), ActionsEnabled: true, AlarmActions: [TOPIC], StateValue: 'OK', ...extra });
export const ALARM = {
  EXECUTIONS_FAILED: 'ScpGuardian-MonitoringExecutionsFailedACC22879-AAAA1111',
  SWEEP_MISSING: 'ScpGuardian-SweepSweepMissing0D24B041-BBBB2222',
  CANARY_RUN_FAILED: 'ScpGuardian-CanaryMissingCanaryRunFailed661BD98D-CCCC3333',
  CANARY_MISSING: 'ScpGuardian-CanaryMissingCanaryMissing7E10A3CB-DDDD4444',
} as const;

export const resource = (LogicalResourceId: string, PhysicalResourceId: string | undefined, ResourceType: string): StackResourceSummary => ({
  LogicalResourceId,
  PhysicalResourceId,
  ResourceType,
  ResourceStatus: 'CREATE_COMPLETE',
  LastUpdatedTimestamp: new Date('2026-11-01T00:00:00Z'),
});
/** The stack's resources as ListStackResources lists them (two pages). */
export const STACK_RESOURCES: StackResourceSummary[] = [
  // The sweep and canary functions under the logical ids the CDK gives them (doctor checks the schedules invoke them).
  ...STACK_FUNCTIONS.map((config, index) => resource(index === 0 ? 'SweepFunctionA7728703' : index === 4 ? 'CanaryFunction7B473602' : `Function${index}ABCDEF12`, config.FunctionName, 'AWS::Lambda::Function')),
  resource('AuditStoreTable2B775E23', TABLE, 'AWS::DynamoDB::Table'),
  resource('NotificationsTopicAE679CBD', TOPIC, 'AWS::SNS::Topic'),
  resource('WorkflowStateMachine8F1B1C15', STATE_MACHINE, 'AWS::StepFunctions::StateMachine'),
  resource('IntakeDetachPolicyRule889A24F5', RULE.INTAKE, 'AWS::Events::Rule'),
  resource('MonitoringSelfTestScheduleC93DB608', RULE.SELF_TEST, 'AWS::Events::Rule'),
  resource('CanaryScheduleE8221BF4', RULE.CANARY, 'AWS::Events::Rule'),
  resource('SweepSchedule5ECAB4A7', SWEEP_SCHEDULE, 'AWS::Scheduler::Schedule'),
  resource('MonitoringExecutionsFailedACC22879', ALARM.EXECUTIONS_FAILED, 'AWS::CloudWatch::Alarm'),
  resource('SweepSweepMissing0D24B041', ALARM.SWEEP_MISSING, 'AWS::CloudWatch::Alarm'),
  resource('CanaryMissingCanaryRunFailed661BD98D', ALARM.CANARY_RUN_FAILED, 'AWS::CloudWatch::Alarm'),
  resource('CanaryMissingCanaryMissing7E10A3CB', ALARM.CANARY_MISSING, 'AWS::CloudWatch::CompositeAlarm'),
  ...GUARD_ROLE_NAMES.map((name, index) => resource(`GuardRole${index}ABCDEF12`, name, 'AWS::IAM::Role')),
  resource('WorkflowStateMachineEventsRoleDA721697', EVENTS_ROLE, 'AWS::IAM::Role'),
  resource('IntakeDeadLetterQueueA5C12DB5', `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${DEAD_LETTER_QUEUE}`, 'AWS::SQS::Queue'),
];

export const TOPIC_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowAlarmsOfThisAccountToPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: TOPIC,
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` } },
    },
    { Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: TOPIC, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
  ],
});

export const mocks = {
  cloudFormation: mockClient(CloudFormationClient),
  events: mockClient(EventBridgeClient),
  scheduler: mockClient(SchedulerClient),
  cloudWatch: mockClient(CloudWatchClient),
  sts: mockClient(STSClient),
  organizations: mockClient(OrganizationsClient),
  cloudTrail: mockClient(CloudTrailClient),
  lambda: mockClient(LambdaClient),
  sfn: mockClient(SFNClient),
  sns: mockClient(SNSClient),
  secrets: mockClient(SecretsManagerClient),
  dynamodb: mockClient(DynamoDBDocumentClient),
};

/** What the fake account holds; tests change it before doctor runs. */
export interface FakeAccount {
  /** The policy types enabled on the root. */
  rootTypes: string[];
  /** Policy → the targets it is attached to. */
  attached: Record<string, string[]>;
  /** The desired pairs the audit table holds (policy → targets). */
  desired: Record<string, string[]>;
  /** The newest incident of each source, as this year's byYear partition answers it. */
  newest: Record<string, Record<string, unknown> | undefined>;
  /** The stack's status (DescribeStacks); undefined: no such stack. */
  stackStatus?: string;
  /** Each rule's state and targets (EventBridge); a rule not here does not exist. */
  rules: Record<string, { State: string; EventPattern?: string; ScheduleExpression?: string; targets: string[]; targetFields?: Partial<Target> }>;
  /** The sweep schedule as Scheduler has it (SWEEP_SCHEDULE, in the default group); undefined: it does not exist. */
  sweepSchedule?: { State: 'ENABLED' | 'DISABLED'; target: string; extra?: Partial<GetScheduleCommandOutput> };
  /** The alarms CloudWatch has. */
  alarms: { metric: MetricAlarm[]; composite: CompositeAlarm[] };
  /** Other stacks of the account (name → their resources), whose functions the Lambda mock also knows when given. */
  otherStacks?: Record<string, { resources: StackResourceSummary[]; functions: FunctionConfiguration[] }>;
}

export function healthyAccount(now: Date): FakeAccount {
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000).toISOString();
  return {
    rootTypes: ['SERVICE_CONTROL_POLICY'],
    attached: { [DENY_LEAVE]: [ROOT], [PROTECT_CT]: [PROD], [CANARY.policyId]: [CANARY.targetId], [FULL_AWS_ACCESS]: [ROOT, PROD, CANARY.targetId] },
    desired: { [DENY_LEAVE]: [ROOT], [PROTECT_CT]: [PROD], [CANARY.policyId]: [CANARY.targetId] },
    newest: {
      'self-test': { incidentId: 'selftest-1', source: 'self-test', status: 'CLOSED', outcome: 'OBSERVED', detectedAt: hoursAgo(6), incident: { enrichmentErrors: [] } },
      canary: { incidentId: 'canary-1', source: 'canary', status: 'CLOSED', outcome: 'REATTACHED', detectedAt: hoursAgo(5.5), incident: {} },
    },
    stackStatus: 'UPDATE_COMPLETE',
    rules: {
      [RULE.INTAKE]: {
        State: 'ENABLED',
        EventPattern: INTAKE_PATTERN,
        targets: [STATE_MACHINE],
        // As the CDK's SfnStateMachine target builds it (infra/constructs/intake.ts).
        targetFields: { RoleArn: `arn:aws:iam::${ACCOUNT}:role/${EVENTS_ROLE}`, DeadLetterConfig: { Arn: DEAD_LETTER_QUEUE_ARN }, RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 } },
      },
      [RULE.SELF_TEST]: { State: 'ENABLED', ScheduleExpression: 'cron(0 6 * * ? *)', targets: [STATE_MACHINE] },
      [RULE.CANARY]: { State: 'ENABLED', ScheduleExpression: 'cron(30 6 * * ? *)', targets: [CANARY_FUNCTION.FunctionArn!] },
    },
    sweepSchedule: { State: 'ENABLED', target: SWEEP_FUNCTION.FunctionArn! },
    alarms: {
      metric: [
        notifying(ALARM.EXECUTIONS_FAILED, { MetricName: 'ExecutionsFailed' }),
        notifying(ALARM.SWEEP_MISSING, {
          MetricName: MetricName.SWEEP_COMPLETED,
          Namespace: METRICS_NAMESPACE,
          Dimensions: [{ Name: MetricDimension.SERVICE, Value: METRICS_SERVICE }],
          Statistic: 'Sum',
          Period: 900,
          Threshold: 1,
          ComparisonOperator: 'LessThanThreshold',
          EvaluationPeriods: 3,
          DatapointsToAlarm: 3,
          TreatMissingData: 'breaching',
        }),
        // A condition of CanaryMissing: no action of its own (infra/constructs/canary-missing.ts); OK, as CanaryMissing is.
        { AlarmName: ALARM.CANARY_RUN_FAILED, AlarmArn: alarmArn(ALARM.CANARY_RUN_FAILED), ActionsEnabled: false, AlarmActions: [], StateValue: 'OK' },
      ],
      composite: [{ ...notifying(ALARM.CANARY_MISSING), AlarmRule: `ALARM("${alarmArn(ALARM.CANARY_RUN_FAILED)}") OR ALARM("${alarmArn('ScpGuardian-Other')}")` }],
    },
  };
}

const scp = (policyId: string) => ({ Policy: { PolicySummary: { Id: policyId, Name: policyId, Type: 'SERVICE_CONTROL_POLICY' }, Content: `{"Version":"2012-10-17","Statement":[],"Sid":"${policyId}"}` } });

/** Every mock answering from `account`, read at call time. */
export function mockAws(account: FakeAccount, now: Date): void {
  for (const mock of Object.values(mocks)) mock.reset();
  const { sts, organizations, cloudTrail, cloudFormation, lambda, events, scheduler, cloudWatch, sfn, sns, secrets, dynamodb } = mocks;
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/doctor`, UserId: 'AIDAEXAMPLE' });

  organizations.on(DescribeOrganizationCommand).resolves({ Organization: { Id: 'o-a1b2c3d4e5', FeatureSet: 'ALL', MasterAccountId: ACCOUNT } });
  organizations.on(ListRootsCommand).callsFake(() => ({ Roots: [{ Id: ROOT, PolicyTypes: account.rootTypes.map((Type) => ({ Type, Status: 'ENABLED' })) }] }));
  organizations.on(DescribePolicyCommand).callsFake((input: { PolicyId: string }) => {
    if (account.attached[input.PolicyId] === undefined) throw new PolicyNotFoundException({ message: 'We can\'t find a policy with the PolicyId that you specified.', $metadata: {} });
    return scp(input.PolicyId);
  });
  organizations.on(ListTargetsForPolicyCommand).callsFake((input: { PolicyId: string }) => {
    const targets = account.attached[input.PolicyId];
    if (targets === undefined) throw new PolicyNotFoundException({ message: 'no such policy', $metadata: {} });
    return { Targets: targets.map((TargetId) => ({ TargetId })) };
  });
  organizations.on(ListPoliciesForTargetCommand).resolves({ Policies: [] });
  organizations.on(ListChildrenCommand).resolves({ Children: [] });
  organizations.on(DescribeOrganizationalUnitCommand).callsFake((input: { OrganizationalUnitId: string }) => ({ OrganizationalUnit: { Id: input.OrganizationalUnitId } }));
  organizations.on(DescribeAccountCommand).callsFake((input: { AccountId: string }) => ({ Account: { Id: input.AccountId } }));

  cloudTrail.on(DescribeTrailsCommand).resolves({
    trailList: [{ Name: 'org-trail', TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`, HomeRegion: 'us-east-1', IsMultiRegionTrail: true, IsOrganizationTrail: true }],
  });
  cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true }] });
  cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
  cloudTrail.on(LookupEventsCommand).resolves({ Events: [] });

  const noStack = (name: string) => Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
  const other = (name: string) => account.otherStacks?.[name];
  cloudFormation.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
    if (other(input.StackName) !== undefined) return { Stacks: [{ StackName: input.StackName, StackStatus: 'UPDATE_COMPLETE', CreationTime: now }] };
    if (account.stackStatus === undefined || input.StackName !== 'ScpGuardian') throw noStack(input.StackName);
    return { Stacks: [{ StackName: input.StackName, StackStatus: account.stackStatus, CreationTime: now }] };
  });
  // ScpGuardian's in two pages; each stack's own resources only.
  cloudFormation.on(ListStackResourcesCommand).callsFake((input: { StackName: string; NextToken?: string }) => {
    const elsewhere = other(input.StackName);
    if (elsewhere !== undefined) return { StackResourceSummaries: elsewhere.resources };
    if (input.StackName !== 'ScpGuardian') throw noStack(input.StackName);
    return input.NextToken === undefined ? { StackResourceSummaries: STACK_RESOURCES.slice(0, 4), NextToken: 'page-2' } : { StackResourceSummaries: STACK_RESOURCES.slice(4) };
  });
  lambda.on(GetFunctionConfigurationCommand).callsFake((input: { FunctionName: string }) => {
    const everyFunction = [...STACK_FUNCTIONS, ...Object.values(account.otherStacks ?? {}).flatMap((stack) => stack.functions)];
    const found = everyFunction.find((config) => config.FunctionName === input.FunctionName);
    if (found === undefined) throw new FunctionNotFoundException({ message: `Function not found: ${input.FunctionName}`, $metadata: {} });
    return found;
  });
  events.on(DescribeRuleCommand).callsFake((input: { Name: string }) => {
    const rule = account.rules[input.Name];
    if (rule === undefined) throw new RuleNotFoundException({ message: `Rule ${input.Name} does not exist.`, $metadata: {} });
    const { targets, ...described } = rule;
    return { Name: input.Name, ...described };
  });
  events.on(ListTargetsByRuleCommand).callsFake((input: { Rule: string }) => {
    const rule = account.rules[input.Rule];
    return { Targets: (rule?.targets ?? []).map((Arn, index) => ({ Id: `Target${index}`, Arn, ...rule?.targetFields })) };
  });
  scheduler.on(GetScheduleCommand).callsFake((input: { Name: string; GroupName?: string }) => {
    const schedule = account.sweepSchedule;
    if (schedule === undefined || input.Name !== SWEEP_SCHEDULE || (input.GroupName ?? 'default') !== 'default') throw new ScheduleNotFoundException({ message: `Schedule ${input.Name} does not exist.`, Message: `Schedule ${input.Name} does not exist.`, $metadata: {} });
    return {
      Arn: `arn:aws:scheduler:us-east-1:${ACCOUNT}:schedule/default/${SWEEP_SCHEDULE}`,
      Name: SWEEP_SCHEDULE,
      GroupName: 'default',
      Description: 'scp-guardian: sweep every 15 min',
      ScheduleExpression: 'rate(15 minutes)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: schedule.State,
      Target: { Arn: schedule.target, RoleArn: `arn:aws:iam::${ACCOUNT}:role/ScpGuardian-SweepScheduleRole-Y5Z6A7B8`, Input: '{"source":"scp-guardian.schedule"}', RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 3 } },
      ...schedule.extra,
    };
  });
  cloudWatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames: string[] }) => {
    // As CloudWatch answers more than 100 names.
    if (input.AlarmNames.length > 100) throw Object.assign(new Error('1 validation error detected: Value at \'alarmNames\' failed to satisfy constraint: Member must have length less than or equal to 100'), { name: 'ValidationError' });
    return {
      MetricAlarms: account.alarms.metric.filter((alarm) => input.AlarmNames.includes(alarm.AlarmName!)),
      CompositeAlarms: account.alarms.composite.filter((alarm) => input.AlarmNames.includes(alarm.AlarmName!)),
    };
  });
  sfn.on(DescribeStateMachineCommand).resolves({ status: 'ACTIVE', stateMachineArn: STATE_MACHINE, name: 'RemediationStateMachine1234', definition: '{}', roleArn: 'r', type: 'STANDARD', creationDate: now });
  sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: TOPIC_POLICY, KmsMasterKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/abc` } });
  secrets.on(DescribeSecretCommand).resolves({ VersionIdsToStages: { 'v-1': ['AWSCURRENT'] } });

  dynamodb.on(GetCommand).resolves({});
  dynamodb.on(QueryCommand).callsFake((input: { IndexName?: string; ExpressionAttributeValues: Record<string, string> }) => {
    const pk = input.ExpressionAttributeValues[':pk'];
    if (input.IndexName === undefined && pk === DesiredPartition.POLICIES) return { Items: Object.keys(account.desired).map((policyId) => ({ pk, sk: policyId, policyId })) };
    const policyId = Object.keys(account.desired).find((id) => pk === DesiredPartition.pairs(id));
    if (input.IndexName === undefined && policyId !== undefined) {
      return { Items: account.desired[policyId].map((targetId) => ({ pk, sk: `${targetId}#2026-11-01T00:00:00.000Z#abcd1234`, policyId, targetId, desired: true, reason: 'seen-attached', at: '2026-11-01T00:00:00.000Z' })) };
    }
    const record = pk === String(now.getUTCFullYear()) ? account.newest[input.ExpressionAttributeValues[':source']] : undefined;
    return { Items: record === undefined ? [] : [{ pk: `INCIDENT#${record.incidentId}`, sk: 'INCIDENT', ...record }] };
  });
}

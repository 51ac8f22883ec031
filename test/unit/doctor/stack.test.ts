import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand, type Target } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient, type FunctionConfiguration } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { DescribeSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { DEFAULT_STACK_NAME } from '../../../cli/commands/doctor';
import { stackChecks, type StackClients } from '../../../cli/doctor/stack';
import { AuditQueries } from '../../../cli/audit/queries';
import { toDocumentClient } from '../../../functions/shared/clients/dynamodb';
import { parseProtectionRules } from '../../../config/load';
import { STACK_NAME } from '../../../infra/app';
import { intakeDetailPattern, intakeEventPattern } from '../../../infra/intake-pattern';
import { ACCOUNT, ALARM, BOT_TOKEN, CANARY_FUNCTION, DEAD_LETTER_QUEUE, GUARD_ROLES, healthyAccount, mockAws, mocks, RULE, RULES, SIGNING, STACK_FUNCTIONS, STACK_RESOURCES, STATE_MACHINE, notifying, resource, SWEEP_FUNCTION, SWEEP_SCHEDULE, TABLE, TOPIC, type FakeAccount } from './support';

const NOW = new Date();
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();
const rules = parseProtectionRules(RULES);
const { cloudFormation, lambda, events, scheduler, cloudWatch, sns, secrets } = mocks;

const clients: StackClients = {
  cloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
  lambda: new LambdaClient({ region: 'us-east-1' }),
  events: new EventBridgeClient({ region: 'us-east-1' }),
  scheduler: new SchedulerClient({ region: 'us-east-1' }),
  cloudWatch: new CloudWatchClient({ region: 'us-east-1' }),
  sfn: new SFNClient({ region: 'us-east-1' }),
  sns: new SNSClient({ region: 'us-east-1' }),
  secrets: new SecretsManagerClient({ region: 'us-east-1' }),
  queries: (tableName) => new AuditQueries(toDocumentClient(new DynamoDBClient({ region: 'us-east-1' })), tableName),
};

let account: FakeAccount;
let newest: FakeAccount['newest'];

beforeEach(() => {
  account = healthyAccount(NOW);
  newest = account.newest;
  mockAws(account, NOW);
});

const run = () => stackChecks(clients, DEFAULT_STACK_NAME, rules, NOW);
const statuses = async () => Object.fromEntries((await run()).checks.map((check) => [check.name, check.status]));
const line = async (name: string) => (await run()).checks.find((check) => check.name === name);
const denied = (permission: string) => Object.assign(new Error(`User: arn:aws:iam::${ACCOUNT}:user/doc is not authorized to perform: ${permission} on resource: *`), { name: 'AccessDeniedException' });

describe('doctor: the deployed stack', () => {
  it('looks for the stack under the name the CDK app gives it', () => {
    expect(DEFAULT_STACK_NAME).toBe(STACK_NAME);
  });

  it('passes a deployed stack whose alarms reach the topic, whose secrets are set, with a recent self-test and canary', async () => {
    const { checks, stack } = await run();

    expect(checks.map((check) => [check.name, check.status, check.detail])).toEqual([
      ['stack deployed', 'ok', 'ScpGuardian UPDATE_COMPLETE: 5 functions, state machine RemediationStateMachine1234 ACTIVE'],
      ['intake rule starts the workflow', 'ok', `${RULE.INTAKE} ENABLED, its pattern the one the rules and the stack's 3 guard roles make, starts RemediationStateMachine1234 with the whole event, dead letters to ${DEAD_LETTER_QUEUE}`],
      ['sweep schedule running', 'ok', `${SWEEP_SCHEDULE} ENABLED, rate(15 minutes), invokes ${SWEEP_FUNCTION.FunctionName}; a sweep completed within three intervals (${ALARM.SWEEP_MISSING} OK)`],
      ['self-test schedule enabled', 'ok', `${RULE.SELF_TEST} ENABLED, cron(0 6 * * ? *)`],
      ['canary schedule enabled', 'ok', `${RULE.CANARY} ENABLED, cron(30 6 * * ? *)`],
      ['alarms notify the topic', 'ok', '3 alarms, each with its actions enabled and an action to ScpGuardian-NotificationsTopic1234-ABCDEF'],
      [
        'alarms can reach the topic',
        'warn',
        `ScpGuardian-NotificationsTopic1234-ABCDEF's policy lets CloudWatch alarms publish; it is encrypted with KMS key arn:aws:kms:us-east-1:${ACCOUNT}:key/abc, whose key policy doctor does not read: alarms fail unless it lets cloudwatch.amazonaws.com use the key`,
      ],
      ['no alarm in ALARM', 'ok', 'none of 3 alarms is in ALARM'],
      ['Slack secrets set', 'ok', 'the bot token and the signing secret have values'],
      ['last self-test passed', 'ok', 'selftest-1, 6 h ago'],
      ['last canary passed', 'ok', 'canary-1, 6 h ago: REATTACHED'],
    ]);
    expect(stack?.environment.TABLE).toBe(TABLE);
  });

  it('fails when the stack does not exist, naming it and the region, with the deploy command', async () => {
    account.stackStatus = undefined;

    const { checks } = await run();

    expect(checks[0]).toEqual({
      group: 'stack',
      name: 'stack deployed',
      status: 'fail',
      detail: "no stack ScpGuardian in this account's us-east-1",
      fix: 'npx cdk deploy (or give --stack NAME if it was deployed under another name)',
    });
    expect(checks.slice(1).every((check) => check.status === 'skip')).toBe(true);
  });

  describe('beside another stack whose names start alike (ScpGuardian-Staging)', () => {
    const STAGING_TABLE = 'ScpGuardian-Staging-AuditStoreTable-ZZZZ';
    const STAGING_TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:ScpGuardian-Staging-Topic-ZZZZ`;
    const staging: FunctionConfiguration = {
      FunctionName: 'ScpGuardian-Staging-SweepFunction-ZZZZ',
      FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:ScpGuardian-Staging-SweepFunction-ZZZZ`,
      Environment: { Variables: { TABLE_NAME: STAGING_TABLE, TOPIC_ARN: STAGING_TOPIC } },
    };
    beforeEach(() => {
      account.otherStacks = { 'ScpGuardian-Staging': { resources: [{ LogicalResourceId: 'SweepFunctionA7728703', PhysicalResourceId: staging.FunctionName, ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: NOW }], functions: [staging] } };
    });

    it('takes the table and the topic from ScpGuardian\'s own resources, not from Staging\'s', async () => {
      const { stack } = await run();

      expect(stack?.environment).toMatchObject({ TABLE: TABLE, TOPIC: TOPIC });
      expect(stack?.functions.map((fn) => fn.FunctionName)).toEqual(STACK_FUNCTIONS.map((fn) => fn.FunctionName));
    });

    it('reads Staging\'s when --stack names it', async () => {
      const { stack } = await stackChecks(clients, 'ScpGuardian-Staging', rules, NOW);

      expect(stack?.environment).toMatchObject({ TABLE: STAGING_TABLE, TOPIC: STAGING_TOPIC });
      expect(stack?.functions.map((fn) => fn.FunctionName)).toEqual([staging.FunctionName]);
    });
  });

  it.each([
    ['UPDATE_ROLLBACK_COMPLETE', 'warn', 'the last update rolled back: the previous version runs'],
    ['UPDATE_IN_PROGRESS', 'warn', 'a change is under way'],
    ['ROLLBACK_COMPLETE', 'fail', 'its creation failed: nothing of it is left running'],
    ['DELETE_IN_PROGRESS', 'fail', 'it is being deleted'],
    ['CREATE_FAILED', 'fail', 'a change failed half-way: the stack is stuck'],
    ['CREATE_IN_PROGRESS', 'fail', 'it is not created yet'],
    ['REVIEW_IN_PROGRESS', 'fail', 'it is not created yet: a change set waits to be executed'],
    ['IMPORT_ROLLBACK_COMPLETE', 'warn', 'the last import rolled back: the previous version runs'],
  ])('a stack %s is a %s: %s', async (stackStatus, status, why) => {
    account.stackStatus = stackStatus;

    const { checks } = await run();

    expect(checks[0]).toMatchObject({ name: 'stack deployed', status, detail: expect.stringContaining(why) });
    if (status === 'fail') expect(checks.slice(1).every((check) => check.status === 'skip')).toBe(true);
  });

  it.each([
    ['UPDATE_FAILED', 'an update failed and was not rolled back (cdk deploy --no-rollback): the stack is stuck half-way'],
    ['UPDATE_ROLLBACK_FAILED', 'an update\'s rollback failed: the stack is stuck half-way'],
  ])('a stack %s fails, and the checks of the resources it still runs are made', async (stackStatus, why) => {
    account.stackStatus = stackStatus;
    account.rules[RULE.INTAKE].State = 'DISABLED';

    const { checks } = await run();

    expect(checks[0]).toMatchObject({ name: 'stack deployed', status: 'fail', detail: `ScpGuardian ${stackStatus}: 5 functions, state machine RemediationStateMachine1234 ACTIVE; ${why}` });
    expect(checks.find((check) => check.name === 'intake rule starts the workflow')).toMatchObject({ status: 'fail', detail: expect.stringContaining('is DISABLED') });
    expect(checks.find((check) => check.name === 'sweep schedule running')?.status).toBe('ok');
  });

  it('fails when a function CloudFormation lists no longer exists', async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: STACK_FUNCTIONS[1].FunctionName }).rejects(Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' }));

    expect(await line('stack deployed')).toMatchObject({ status: 'fail', detail: `ScpGuardian's function ${STACK_FUNCTIONS[1].FunctionName} does not exist: deleted outside CloudFormation` });
  });

  it('names cloudformation:DescribeStacks and cloudformation:ListStackResources when they are denied', async () => {
    cloudFormation.on(ListStackResourcesCommand).rejects(denied('cloudformation:ListStackResources'));
    expect(await line('stack deployed')).toMatchObject({ status: 'fail', detail: 'access denied: the caller lacks cloudformation:ListStackResources' });

    mockAws(account, NOW);
    cloudFormation.reset().onAnyCommand().rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    expect(await line('stack deployed')).toMatchObject({ status: 'fail', detail: 'access denied: the caller lacks cloudformation:DescribeStacks', fix: expect.stringContaining('grant cloudformation:DescribeStacks') });
  });

  it('names lambda:GetFunctionConfiguration when it is denied', async () => {
    lambda.on(GetFunctionConfigurationCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    expect(await line('stack deployed')).toMatchObject({ status: 'fail', detail: 'access denied: the caller lacks lambda:GetFunctionConfiguration' });
  });

  describe('the intake rule', () => {
    const intake = () => line('intake rule starts the workflow');

    it('fails when it is disabled, with the command that enables it', async () => {
      account.rules[RULE.INTAKE].State = 'DISABLED';

      expect(await intake()).toMatchObject({ status: 'fail', detail: expect.stringContaining('is DISABLED: no Organizations change starts the workflow'), fix: `aws events enable-rule --name ${RULE.INTAKE}` });
    });

    const differs = `the pattern of ${RULE.INTAKE} is not the one the rules and the stack's 3 guard roles make`;
    const everyone = 'a role session, an Identity Center session, an IAM user, the root user';
    const detail = intakeDetailPattern([], GUARD_ROLES) as { $or: Record<string, unknown>[] };
    const withDetail = (changed: Record<string, unknown>) => JSON.stringify({ ...intakeEventPattern([], GUARD_ROLES), detail: changed });

    it('passes the pattern the CDK builds with its keys and arrays in another order', async () => {
      const reordered = { detail: { $or: [...detail.$or].reverse(), errorCode: [{ exists: false }], eventSource: ['organizations.amazonaws.com'] }, 'detail-type': ['AWS API Call via CloudTrail'], source: ['aws.organizations'] };
      account.rules[RULE.INTAKE].EventPattern = JSON.stringify(reordered);

      expect(await intake()).toMatchObject({ status: 'ok', detail: `${RULE.INTAKE} ENABLED, its pattern the one the rules and the stack's 3 guard roles make, starts RemediationStateMachine1234 with the whole event, dead letters to ${DEAD_LETTER_QUEUE}` });
    });

    it('fails when its pattern no longer matches some of the watched calls, naming them', async () => {
      account.rules[RULE.INTAKE].EventPattern = JSON.stringify({ source: ['aws.organizations'], 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventName: ['DetachPolicy', 'UpdatePolicy'] } });

      expect(await intake()).toMatchObject({ status: 'fail', detail: `${differs}: it does not match DisablePolicyType, MoveAccount, DeletePolicy by ${everyone}; those changes wait for the sweep` });
    });

    it('fails when the pattern leaves out the calls of IAM users and root (no session issuer)', async () => {
      account.rules[RULE.INTAKE].EventPattern = JSON.stringify({ source: ['aws.organizations'], detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': GUARD_ROLES }] } } } } });

      expect((await intake())?.detail).toBe(`${differs}: it does not match DetachPolicy, DisablePolicyType, MoveAccount, UpdatePolicy, DeletePolicy by an IAM user, the root user; those changes wait for the sweep`);
    });

    it('fails when the pattern exempts the Identity Center roles (anything-but a prefix of aws-reserved/)', async () => {
      const exemptSso = { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': { prefix: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/` } }] } } } };
      account.rules[RULE.INTAKE].EventPattern = withDetail({ ...detail, $or: [{ ...detail.$or[0], ...exemptSso }, detail.$or[1]] });

      expect(await intake()).toMatchObject({ status: 'fail', detail: `${differs}: it does not match DetachPolicy, DisablePolicyType, MoveAccount, UpdatePolicy, DeletePolicy by an Identity Center session; those changes wait for the sweep` });
    });

    it('fails when the pattern exempts one more role than the guard\'s, though it matches every sample call', async () => {
      account.rules[RULE.INTAKE].EventPattern = JSON.stringify(intakeEventPattern([], [...GUARD_ROLES, `arn:aws:iam::${ACCOUNT}:role/BreakGlass`]));

      expect(await intake()).toMatchObject({ status: 'fail', detail: `${differs}: it matches doctor's sample calls, but may leave out other callers or calls` });
    });

    it('fails when the pattern keeps only role sessions and IAM users (the root user\'s calls dropped)', async () => {
      account.rules[RULE.INTAKE].EventPattern = withDetail({ ...detail, userIdentity: { type: ['AssumedRole', 'IAMUser'] } });

      expect((await intake())?.detail).toBe(`${differs}: it does not match DetachPolicy, DisablePolicyType, MoveAccount, UpdatePolicy, DeletePolicy by the root user; those changes wait for the sweep`);
    });

    it('fails when classify\'s guard roles name a role that is not the stack\'s, even with the pattern built from them', async () => {
      const extra = `arn:aws:iam::${ACCOUNT}:role/BreakGlass`;
      const classify = STACK_FUNCTIONS[3];
      lambda.on(GetFunctionConfigurationCommand, { FunctionName: classify.FunctionName }).resolves({ ...classify, Environment: { Variables: { ...classify.Environment!.Variables, GUARD_ROLE_ARNS: [...GUARD_ROLES, extra].join(',') } } });
      account.rules[RULE.INTAKE].EventPattern = JSON.stringify(intakeEventPattern([], [...GUARD_ROLES, extra]));

      expect(await intake()).toMatchObject({ status: 'fail', detail: `GUARD_ROLE_ARNS names ${extra}, no role of ScpGuardian: its Organizations calls start no remediation` });
    });

    it('fails when no function names the guard\'s roles: the pattern to expect is not known', async () => {
      const classify = STACK_FUNCTIONS[3];
      const { GUARD_ROLE_ARNS: _dropped, ...others } = classify.Environment!.Variables!;
      lambda.on(GetFunctionConfigurationCommand, { FunctionName: classify.FunctionName }).resolves({ ...classify, Environment: { Variables: others } });

      expect(await intake()).toMatchObject({ status: 'fail', detail: 'no function of ScpGuardian names the guard\'s roles (GUARD_ROLE_ARNS): the pattern the stack should have is not known' });
    });

    it('fails when the rules forbid a policy whose attachment the pattern does not match, and passes the pattern the CDK builds for it', async () => {
      const withForbid = parseProtectionRules({ ...RULES, forbid: [{ policyId: 'p-FullAWSAccess', targets: ['ou-a1b2-7hq4vz2n'], mode: 'auto' }] });
      const intakeWith = async () => (await stackChecks(clients, DEFAULT_STACK_NAME, withForbid, NOW)).checks.find((check) => check.name === 'intake rule starts the workflow');

      expect(await intakeWith()).toMatchObject({ status: 'fail', detail: expect.stringContaining('it does not match AttachPolicy') });

      account.rules[RULE.INTAKE].EventPattern = JSON.stringify(intakeEventPattern(['p-FullAWSAccess'], GUARD_ROLES));
      expect((await intakeWith())?.status).toBe('ok');
    });

    it('fails, saying it cannot tell, when the pattern uses an operator doctor does not evaluate', async () => {
      account.rules[RULE.INTAKE].EventPattern = JSON.stringify({ source: ['aws.organizations'], detail: { eventName: [{ wildcard: '*Policy*' }] } });

      expect(await intake()).toMatchObject({ status: 'fail', detail: expect.stringContaining('has what doctor cannot evaluate (operator wildcard)') });
    });

    it('fails when it does not target the stack\'s state machine', async () => {
      account.rules[RULE.INTAKE].targets = [`arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:SomethingElse`];

      expect(await intake()).toMatchObject({ status: 'fail', detail: `${RULE.INTAKE} targets SomethingElse, not the stack's state machine: matched events start nothing`, fix: 'npx cdk deploy' });
    });

    it.each([
      ['an Input that replaces the event', { Input: '{}' }, 'target Target0: Input {} replaces the event'],
      ['an InputPath', { InputPath: '$.detail' }, 'target Target0: InputPath $.detail passes only part of the event'],
      ['an InputTransformer', { InputTransformer: { InputTemplate: '{"x":1}' } }, 'target Target0: an InputTransformer rewrites the event'],
      ['no RoleArn', { RoleArn: undefined }, 'target Target0: no RoleArn: EventBridge cannot start the execution'],
      ['a role of another stack', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/SomeoneElses` }, `target Target0: RoleArn arn:aws:iam::${ACCOUNT}:role/SomeoneElses is no role of ScpGuardian`],
      ['no dead-letter queue', { DeadLetterConfig: undefined }, 'target Target0: no dead-letter queue: an event it cannot deliver is lost, and DeadLetters never goes into alarm'],
      ['another dead-letter queue', { DeadLetterConfig: { Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:Elsewhere` } }, `target Target0: dead letters go to Elsewhere, not the stack's queue ${DEAD_LETTER_QUEUE}: DeadLetters never goes into alarm`],
    ] as [string, Partial<Target>, string][])('fails when its target starts the state machine with %s', async (_what, changed, problem) => {
      account.rules[RULE.INTAKE].targetFields = { ...account.rules[RULE.INTAKE].targetFields, ...changed };

      expect(await intake()).toMatchObject({ status: 'fail', detail: `${RULE.INTAKE} starts RemediationStateMachine1234, but not as the stack builds it: ${problem}` });
    });

    it('reads every page of ListTargetsByRule (the state machine on the second)', async () => {
      const { targetFields } = account.rules[RULE.INTAKE];
      events.on(ListTargetsByRuleCommand, { Rule: RULE.INTAKE }).callsFake((input: { NextToken?: string }) =>
        input.NextToken === undefined ? { Targets: [{ Id: 'Other', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:Audit` }], NextToken: 'page-2' } : { Targets: [{ Id: 'Target0', Arn: STATE_MACHINE, ...targetFields }] },
      );

      expect((await intake())?.status).toBe('ok');
    });

    it('fails when it was deleted outside CloudFormation', async () => {
      delete account.rules[RULE.INTAKE];

      expect(await intake()).toMatchObject({ status: 'fail', detail: `the intake rule ${RULE.INTAKE} does not exist: deleted outside CloudFormation` });
    });

    it('names events:DescribeRule and events:ListTargetsByRule when they are denied', async () => {
      events.on(ListTargetsByRuleCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
      expect((await intake())?.detail).toBe('access denied: the caller lacks events:ListTargetsByRule');

      events.on(DescribeRuleCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
      expect((await intake())?.detail).toBe('access denied: the caller lacks events:DescribeRule');
    });
  });

  describe('the schedules', () => {
    it('fails when the sweep schedule is disabled, with the command that enables it with its own fields', async () => {
      account.sweepSchedule!.State = 'DISABLED';

      const sweep = await line('sweep schedule running');

      expect(sweep).toMatchObject({ status: 'fail', detail: `the sweep schedule ${SWEEP_SCHEDULE} is DISABLED: no sweep runs, the safety net is off` });
      expect(sweep?.fix).toBe(
        `aws scheduler update-schedule --name ${SWEEP_SCHEDULE} --state ENABLED --schedule-expression 'rate(15 minutes)' --schedule-expression-timezone Etc/UTC --flexible-time-window Mode=OFF --description 'scp-guardian: sweep every 15 min' --target "$(aws scheduler get-schedule --name ${SWEEP_SCHEDULE} --query Target --output json)" (a cdk deploy that does not change the schedule leaves it DISABLED)`,
      );
    });

    it('gives back the schedule\'s dates, KMS key and action after completion in the command that enables it (UpdateSchedule resets what it is not given)', async () => {
      const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/sched`;
      account.sweepSchedule = { ...account.sweepSchedule!, State: 'DISABLED', extra: { StartDate: new Date('2026-01-01T00:00:00Z'), KmsKeyArn: key, ActionAfterCompletion: 'NONE' } };

      expect((await line('sweep schedule running'))?.fix).toContain(`--start-date 2026-01-01T00:00:00.000Z --kms-key-arn ${key} --action-after-completion NONE --target`);
    });

    it('fails a schedule whose EndDate is past, though it is ENABLED and its alarm OK, with the command that removes the date', async () => {
      account.sweepSchedule!.extra = { EndDate: new Date(NOW.getTime() - 3_600_000) };

      const sweep = await line('sweep schedule running');

      expect(sweep).toMatchObject({ status: 'fail', detail: `the sweep schedule ${SWEEP_SCHEDULE} is ENABLED but ended at ${new Date(NOW.getTime() - 3_600_000).toISOString()} (EndDate): no sweep runs, the safety net is off` });
      expect(sweep?.fix).toMatch(/^aws scheduler update-schedule --name \S+ --state ENABLED --schedule-expression 'rate\(15 minutes\)' /);
      expect(sweep?.fix).not.toContain('--end-date');
    });

    it('fails a schedule whose StartDate is still to come: no sweep runs until then', async () => {
      account.sweepSchedule!.extra = { StartDate: new Date(NOW.getTime() + 86_400_000) };

      expect(await line('sweep schedule running')).toMatchObject({ status: 'fail', detail: expect.stringContaining('(StartDate): until then no sweep runs, the safety net is off') });
    });

    it('warns of a schedule that will end (a future EndDate)', async () => {
      account.sweepSchedule!.extra = { EndDate: new Date(NOW.getTime() + 86_400_000) };

      expect(await line('sweep schedule running')).toMatchObject({ status: 'warn', detail: expect.stringContaining('(EndDate): after that no sweep runs') });
    });

    it('fails when the sweep alarm treats missing data as not breaching: its OK proves no sweep ran', async () => {
      account.alarms.metric[1] = { ...account.alarms.metric[1], TreatMissingData: 'notBreaching', StateValue: 'OK' };

      expect(await line('sweep schedule running')).toMatchObject({
        status: 'fail',
        detail: `${SWEEP_SCHEDULE} ENABLED, rate(15 minutes), invokes ${SWEEP_FUNCTION.FunctionName}; ${ALARM.SWEEP_MISSING} is not defined as the stack builds it (TreatMissingData notBreaching (the stack's: breaching)): its OK does not say whether sweeps complete`,
      });
    });

    it.each([
      ['waits longer', { EvaluationPeriods: 96, DatapointsToAlarm: 96 }, 'EvaluationPeriods 96'],
      ['has another period than the sweep interval', { Period: 86_400 }, 'Period 86400 (the stack\'s: 900)'],
      ['compares the other way', { ComparisonOperator: 'GreaterThanOrEqualToThreshold' }, 'ComparisonOperator GreaterThanOrEqualToThreshold'],
      ['counts another service\'s metric', { Dimensions: [{ Name: 'service', Value: 'other' }] }, 'Dimensions service=other'],
    ] as [string, Partial<MetricAlarm>, string][])('fails when the sweep alarm %s', async (_what, changed, named) => {
      account.alarms.metric[1] = { ...account.alarms.metric[1], ...changed };

      expect(await line('sweep schedule running')).toMatchObject({ status: 'fail', detail: expect.stringContaining(named) });
    });

    it('fails a disabled sweep schedule even while the sweep alarm is still OK', async () => {
      account.sweepSchedule!.State = 'DISABLED';
      account.alarms.metric[1] = { ...account.alarms.metric[1], StateValue: 'OK' };

      expect((await statuses())['sweep schedule running']).toBe('fail');
    });

    it('fails when the sweep schedule invokes another function than the stack\'s sweep', async () => {
      account.sweepSchedule!.target = CANARY_FUNCTION.FunctionArn!;

      expect(await line('sweep schedule running')).toMatchObject({
        status: 'fail',
        detail: `the sweep schedule ${SWEEP_SCHEDULE} invokes ${CANARY_FUNCTION.FunctionName}, not the stack's sweep function ${SWEEP_FUNCTION.FunctionName}: no sweep runs, the safety net is off`,
        fix: expect.stringContaining(`with Target.Arn ${SWEEP_FUNCTION.FunctionArn}`),
      });
    });

    it('fails when the sweep schedule was deleted outside CloudFormation', async () => {
      delete account.sweepSchedule;

      expect(await line('sweep schedule running')).toMatchObject({ status: 'fail', detail: `the sweep schedule ${SWEEP_SCHEDULE} does not exist: deleted outside CloudFormation, the safety net is off` });
    });

    it('names scheduler:GetSchedule when it is denied', async () => {
      scheduler.on(GetScheduleCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

      expect(await line('sweep schedule running')).toMatchObject({ status: 'fail', detail: 'access denied: the caller lacks scheduler:GetSchedule' });
    });

    it('fails when no sweep completed in three intervals though the schedule is enabled: the safety net is off', async () => {
      account.alarms.metric[1] = { ...account.alarms.metric[1], StateValue: 'ALARM', StateUpdatedTimestamp: new Date('2026-12-01T10:00:00Z') };

      expect(await line('sweep schedule running')).toMatchObject({
        status: 'fail',
        detail: `${SWEEP_SCHEDULE} ENABLED, rate(15 minutes), invokes ${SWEEP_FUNCTION.FunctionName}, but ${ALARM.SWEEP_MISSING} is in ALARM since 2026-12-01T10:00:00.000Z: no sweep completed in three intervals, the safety net is off`,
        fix: 'the sweep function\'s log says why a run failed',
      });
    });

    it('warns while the sweep alarm has no data yet', async () => {
      account.alarms.metric[1] = { ...account.alarms.metric[1], StateValue: 'INSUFFICIENT_DATA' };

      expect((await statuses())['sweep schedule running']).toBe('warn');
    });

    it('fails when the stack has no sweep schedule', async () => {
      cloudFormation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: STACK_RESOURCES.filter((resource) => resource.ResourceType !== 'AWS::Scheduler::Schedule') });

      expect(await line('sweep schedule running')).toMatchObject({ status: 'fail', detail: expect.stringContaining('has no sweep schedule') });
    });

    it('warns when the self-test or the canary schedule is disabled, with the command that enables it', async () => {
      account.rules[RULE.SELF_TEST].State = 'DISABLED';
      account.rules[RULE.CANARY].State = 'DISABLED';

      const { checks } = await run();

      expect(checks.find((check) => check.name === 'self-test schedule enabled')).toMatchObject({ status: 'warn', fix: `aws events enable-rule --name ${RULE.SELF_TEST}` });
      expect(checks.find((check) => check.name === 'canary schedule enabled')).toMatchObject({ status: 'warn', fix: `aws events enable-rule --name ${RULE.CANARY}` });
    });

    it('warns when the self-test schedule starts something else than the state machine', async () => {
      account.rules[RULE.SELF_TEST].targets = [];

      expect(await line('self-test schedule enabled')).toMatchObject({ status: 'warn', detail: expect.stringContaining('targets no target, not the stack\'s state machine') });
    });

    it('warns when the canary schedule invokes another function of the stack than the canary function', async () => {
      account.rules[RULE.CANARY].targets = [SWEEP_FUNCTION.FunctionArn!];

      expect(await line('canary schedule enabled')).toMatchObject({ status: 'warn', detail: `${RULE.CANARY} targets ${SWEEP_FUNCTION.FunctionName}, not the stack's canary function ${CANARY_FUNCTION.FunctionName}: the canary never runs` });
    });

    it('skips the canary schedule when the rules have no canary', async () => {
      const { canary, ...withoutCanary } = RULES;

      const checks = (await stackChecks(clients, DEFAULT_STACK_NAME, parseProtectionRules(withoutCanary), NOW)).checks;

      expect(canary).toBeDefined();
      expect(checks.find((check) => check.name === 'canary schedule enabled')?.status).toBe('skip');
    });
  });

  describe('the alarms', () => {
    it('fails when an alarm has its actions disabled, with the command that enables them', async () => {
      account.alarms.metric[0] = { ...account.alarms.metric[0], ActionsEnabled: false };

      expect(await line('alarms notify the topic')).toMatchObject({
        status: 'fail',
        detail: `actions disabled on ${ALARM.EXECUTIONS_FAILED}: those alarms tell no one`,
        fix: expect.stringContaining(`aws cloudwatch enable-alarm-actions --alarm-names ${ALARM.EXECUTIONS_FAILED}`),
      });
    });

    it('fails when an alarm sends somewhere else than the stack\'s topic', async () => {
      account.alarms.composite[0] = { ...account.alarms.composite[0], AlarmActions: [`arn:aws:sns:us-east-1:${ACCOUNT}:SomeoneElses`] };

      expect((await line('alarms notify the topic'))?.detail).toBe(`no action to ScpGuardian-NotificationsTopic1234-ABCDEF on ${ALARM.CANARY_MISSING}: those alarms tell no one`);
    });

    it('fails when an alarm of the stack was deleted outside CloudFormation', async () => {
      account.alarms.metric.splice(0, 1);

      expect((await line('alarms notify the topic'))?.detail).toBe(`${ALARM.EXECUTIONS_FAILED}: listed by ScpGuardian, unknown to CloudWatch (deleted outside CloudFormation)`);
    });

    it('says that composite alarms need cloudwatch:DescribeAlarms on "*" when CloudWatch returns none of them', async () => {
      // What CloudWatch answers a caller whose DescribeAlarms is scoped to the stack's alarm ARNs.
      account.alarms.composite = [];

      expect(await line('alarms notify the topic')).toMatchObject({
        status: 'fail',
        detail: `${ALARM.CANARY_MISSING}: listed by ScpGuardian, not returned by CloudWatch, which returns composite alarms only when cloudwatch:DescribeAlarms is granted on Resource "*"; else deleted outside CloudFormation`,
        fix: 'grant cloudwatch:DescribeAlarms on Resource "*" (docs/cli.md, "doctor"); if it is granted so, npx cdk deploy',
      });
    });

    it('warns of an alarm in ALARM now, naming it', async () => {
      account.alarms.metric[0] = { ...account.alarms.metric[0], StateValue: 'ALARM', StateUpdatedTimestamp: new Date('2026-12-01T09:30:00Z') };

      expect(await line('no alarm in ALARM')).toMatchObject({ status: 'warn', detail: `${ALARM.EXECUTIONS_FAILED} since 2026-12-01T09:30:00.000Z` });
    });

    it('names the composite alarm in ALARM, not its condition (which has no action of its own)', async () => {
      account.alarms.metric[2] = { ...account.alarms.metric[2], StateValue: 'ALARM' };
      account.alarms.composite[0] = { ...account.alarms.composite[0], StateValue: 'ALARM' };

      expect(await line('no alarm in ALARM')).toMatchObject({ status: 'warn', detail: ALARM.CANARY_MISSING });
    });

    it('reads every page of DescribeAlarms', async () => {
      const [first, ...others] = account.alarms.metric;
      cloudWatch.on(DescribeAlarmsCommand).callsFake((input: { NextToken?: string }) =>
        input.NextToken === undefined ? { MetricAlarms: [first], CompositeAlarms: [], NextToken: 'page-2' } : { MetricAlarms: others, CompositeAlarms: account.alarms.composite },
      );

      expect(await line('alarms notify the topic')).toMatchObject({ status: 'ok', detail: '3 alarms, each with its actions enabled and an action to ScpGuardian-NotificationsTopic1234-ABCDEF' });
    });

    it('asks for the alarms of a stack with more than 100 of them in calls of at most 100 names', async () => {
      const extra = Array.from({ length: 150 }, (_, index) => `ScpGuardian-Extra${index}-ABCD`);
      cloudFormation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [...STACK_RESOURCES, ...extra.map((name, index) => resource(`Extra${index}Alarm12345678`, name, 'AWS::CloudWatch::Alarm'))] });
      account.alarms.metric.push(...extra.map((name) => notifying(name)));

      expect(await line('alarms notify the topic')).toMatchObject({ status: 'ok', detail: '153 alarms, each with its actions enabled and an action to ScpGuardian-NotificationsTopic1234-ABCDEF' });
    });

    it('names cloudwatch:DescribeAlarms when it is denied', async () => {
      cloudWatch.on(DescribeAlarmsCommand).rejects(denied('cloudwatch:DescribeAlarms'));

      const { checks } = await run();

      expect(checks.find((check) => check.name === 'alarms notify the topic')).toMatchObject({ status: 'fail', detail: 'access denied: the caller lacks cloudwatch:DescribeAlarms' });
      expect(checks.find((check) => check.name === 'sweep schedule running')).toMatchObject({
        status: 'fail',
        detail: `${SWEEP_SCHEDULE} ENABLED, rate(15 minutes), invokes ${SWEEP_FUNCTION.FunctionName}; whether sweeps complete is not known: access denied: the caller lacks cloudwatch:DescribeAlarms`,
        fix: expect.stringContaining('grant cloudwatch:DescribeAlarms'),
      });
      expect(checks.find((check) => check.name === 'no alarm in ALARM')?.status).toBe('skip');
    });
  });

  it('fails when the topic policy does not let CloudWatch publish (alarms would be silent)', async () => {
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] }) } });

    expect((await statuses())['alarms can reach the topic']).toBe('fail');
  });

  describe('the topic policy', () => {
    const allowAlarms = { Sid: 'AllowAlarms', Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish', Resource: TOPIC };
    const withPolicy = (...Statement: object[]) => sns.on(GetTopicAttributesCommand).resolves({ Attributes: { Policy: JSON.stringify({ Statement }) } });
    const alarms = async () => (await run()).checks.find((check) => check.name === 'alarms can reach the topic');

    it('passes an unencrypted topic whose policy lets this account\'s alarms publish', async () => {
      withPolicy({ ...allowAlarms, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` } } });

      expect(await alarms()).toMatchObject({ status: 'ok', detail: "ScpGuardian-NotificationsTopic1234-ABCDEF's policy lets CloudWatch alarms publish" });
    });

    it('fails when an unconditional Deny of sns:Publish to everyone wins over the Allow', async () => {
      withPolicy(allowAlarms, { Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: 'sns:Publish', Resource: '*' });

      expect(await alarms()).toMatchObject({ status: 'fail', detail: expect.stringContaining('denies cloudwatch.amazonaws.com sns:Publish (DenyAll)') });
    });

    it('fails when the Allow is only for another account\'s alarms', async () => {
      withPolicy({ ...allowAlarms, Condition: { StringEquals: { 'aws:SourceAccount': '999988887777' } } });

      expect(await alarms()).toMatchObject({ status: 'fail', detail: expect.stringContaining("does not let cloudwatch.amazonaws.com publish to it for this account's alarms") });
    });

    it('fails when the Allow is only for some of the alarms (a SourceArn naming one alarm)', async () => {
      withPolicy({ ...allowAlarms, Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:OneAlarm` } } });

      expect((await alarms())?.status).toBe('fail');
    });

    it('fails when the Allow is for another topic', async () => {
      withPolicy({ ...allowAlarms, Resource: `arn:aws:sns:us-east-1:${ACCOUNT}:SomeOtherTopic` });

      expect((await alarms())?.status).toBe('fail');
    });

    it('fails, saying it cannot tell, when the Allow has a condition doctor cannot evaluate', async () => {
      withPolicy({ ...allowAlarms, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });

      expect(await alarms()).toMatchObject({ status: 'fail', detail: expect.stringContaining('cannot evaluate (AllowAlarms: condition operator IpAddress)') });
    });
  });

  it('fails when a Slack secret has no value yet, with the command that sets it', async () => {
    secrets.on(DescribeSecretCommand, { SecretId: SIGNING }).resolves({ VersionIdsToStages: {} });

    const slack = (await run()).checks.find((check) => check.name === 'Slack secrets set');

    expect(slack).toMatchObject({ status: 'fail', detail: expect.stringContaining('signing secret (SlackSigningSecret1234-AbCdEf)'), fix: expect.stringContaining('aws secretsmanager put-secret-value --secret-id SlackSigningSecret1234-AbCdEf') });
  });

  it('fails when a Slack secret is scheduled for deletion, with the command that restores it', async () => {
    secrets.on(DescribeSecretCommand, { SecretId: SIGNING }).resolves({ VersionIdsToStages: { 'v-1': ['AWSCURRENT'] }, DeletedDate: new Date('2026-11-30T10:00:00Z') });

    const slack = (await run()).checks.find((check) => check.name === 'Slack secrets set');

    expect(slack).toMatchObject({ status: 'fail', detail: expect.stringContaining('SlackSigningSecret1234-AbCdEf is scheduled for deletion'), fix: 'aws secretsmanager restore-secret --secret-id SlackSigningSecret1234-AbCdEf' });
  });

  it('fails when a Slack secret does not exist: not deployed', async () => {
    secrets.on(DescribeSecretCommand, { SecretId: BOT_TOKEN }).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));

    const slack = (await run()).checks.find((check) => check.name === 'Slack secrets set');

    expect(slack).toMatchObject({ status: 'fail', detail: expect.stringContaining('does not exist: not deployed'), fix: 'npx cdk deploy' });
  });

  it('skips the Slack secrets when the rules have no Slack channel', async () => {
    const withoutSlack = parseProtectionRules({ protect: [] });

    const slack = (await stackChecks(clients, DEFAULT_STACK_NAME, withoutSlack, NOW)).checks.find((check) => check.name === 'Slack secrets set');

    expect(slack?.status).toBe('skip');
  });

  it('fails a self-test whose classify could not reach Organizations', async () => {
    newest['self-test'] = { ...newest['self-test'], incident: { enrichmentErrors: ['DescribePolicy: AccessDeniedException: no'] } };

    expect((await statuses())['last self-test passed']).toBe('fail');
  });

  it('fails when the last self-test is more than a day old', async () => {
    newest['self-test'] = { ...newest['self-test'], detectedAt: hoursAgo(30) };

    expect((await statuses())['last self-test passed']).toBe('fail');
  });

  it('warns when no self-test has run yet', async () => {
    newest['self-test'] = undefined;

    expect((await statuses())['last self-test passed']).toBe('warn');
  });

  it('fails a canary that did not come back', async () => {
    newest.canary = { ...newest.canary, outcome: 'FAILED' };

    const canary = (await run()).checks.find((check) => check.name === 'last canary passed');

    expect(canary).toMatchObject({ status: 'fail', detail: 'canary-1 (6 h ago) ended FAILED: the canary pair did not come back' });
  });

  it('fails when the rules have a canary and the deployed stack has none', async () => {
    const withoutCanary = new Set([STACK_FUNCTIONS[3].FunctionName, STACK_FUNCTIONS[4].FunctionName]);
    cloudFormation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: STACK_RESOURCES.filter((resource) => !withoutCanary.has(resource.PhysicalResourceId) && !resource.LogicalResourceId!.startsWith('Canary')) });

    const checks = await statuses();

    expect(checks['last canary passed']).toBe('fail');
    expect(checks['canary schedule enabled']).toBe('fail');
  });

  it('names secretsmanager:DescribeSecret when it is denied', async () => {
    secrets.on(DescribeSecretCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    const slack = (await run()).checks.find((check) => check.name === 'Slack secrets set');

    expect(slack?.detail).toBe('access denied: the caller lacks secretsmanager:DescribeSecret');
  });
});

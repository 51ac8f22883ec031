import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { FUNCTION_TIMEOUT_SECONDS } from '../../functions/shared/workflow-functions';
import { asList, logicalId, NO_BUNDLING, roleStatements, rulesFileFromSample, synthesize, withRulesFile, type Statement } from './support';

const { stack, template, templateJson: json } = synthesize(NO_BUNDLING);
const sweepRole = () => roleStatements(json, logicalId(stack.sweep.role as IConstruct));
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => asList(s.Action) as string[]);
const statementFor = (statements: Statement[], action: string) => statements.find((s) => asList(s.Action).includes(action));

describe('the sweep: schedule and deployment', () => {
  it('runs the sweep function every sweep.everyMinutes on EventBridge Scheduler, with a retry policy', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(stack.sweep.function), 'Arn'] },
        RetryPolicy: { MaximumEventAgeInSeconds: 15 * 60, MaximumRetryAttempts: 3 },
      }),
    });
  });

  it('follows the rules: a sweep every 5 minutes when they say so', () => {
    const fast = synthesize({ ...NO_BUNDLING, ...withRulesFile(rulesFileFromSample((rules) => (rules.sweep = { everyMinutes: 5 }))) });

    fast.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('sweeps after each deployment that changes the function, through a custom resource the function serves itself', () => {
    const [id, resource] = Object.entries(json.Resources).find(([, r]) => r.Type === 'Custom::ScpGuardianSweep') ?? [];

    expect(id).toBeDefined();
    expect(resource?.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [logicalId(stack.sweep.function), 'Arn'] });
    expect(resource?.Properties.FunctionVersion).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CurrentVersion/), 'Version'] });
  });

  it('gives the function its own timeout, the table and the state machine, and no async retries', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: FUNCTION_TIMEOUT_SECONDS.sweep,
      Environment: { Variables: Match.objectLike({ TABLE_NAME: { Ref: logicalId(stack.auditStore.table) }, STATE_MACHINE_ARN: { Ref: logicalId(stack.workflow.stateMachine) } }) },
      Description: Match.stringLikeRegexp('sweeps the organization'),
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: logicalId(stack.sweep.function) }, MaximumRetryAttempts: 0 });
  });

  it('raises SweepFailed on errors or throttles of the function', () => {
    const topic = { Ref: logicalId(stack.notifications.topic) };

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('A sweep failed'),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(errors, 0) + FILL(throttles, 0)' })]),
    });
  });

  it('raises SweepMissing on the absence of SweepCompleted, which only a completed real sweep emits, not on invocations', () => {
    const missing = Object.values(json.Resources).find((r) => r.Type === 'AWS::CloudWatch::Alarm' && /No sweep completed in three intervals/.test(String(r.Properties.AlarmDescription)));

    expect(missing?.Properties).toMatchObject({
      Namespace: 'ScpGuardian',
      MetricName: 'SweepCompleted',
      Dimensions: [{ Name: 'service', Value: 'scp-guardian' }],
      Statistic: 'Sum',
      Period: 15 * 60,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: logicalId(stack.notifications.topic) }],
    });
    // No alarm of the sweep counts Lambda invocations: `reconcile --dry-run` is one, and restores nothing.
    expect(JSON.stringify(Object.values(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm'))).not.toContain('Invocations');
  });
});

describe('the sweep: IAM', () => {
  it('reads Organizations and writes nothing to it', () => {
    const organizations = actionsOf(sweepRole()).filter((a) => a.startsWith('organizations:'));

    expect(organizations.sort()).toEqual([
      'organizations:DescribePolicy',
      'organizations:ListChildren',
      'organizations:ListParents',
      'organizations:ListPoliciesForTarget',
      'organizations:ListRoots',
      'organizations:ListTargetsForPolicy',
    ]);
  });

  it('lists the targets of the policies the rules name and of FullAWSAccess, and the policies of the "policies": "*" and forbid targets alone', () => {
    const statements = sweepRole();

    expect(asList(statementFor(statements, 'organizations:ListTargetsForPolicy')?.Resource).sort()).toEqual([
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-allowlist1',
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-denyleave1',
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-protectct',
      'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess',
    ]);
    expect(asList(statementFor(statements, 'organizations:ListPoliciesForTarget')?.Resource)).toEqual([
      'arn:aws:organizations::*:ou/o-*/ou-a1b2-7hq4vz2n',
      'arn:aws:organizations::*:ou/o-*/ou-a1b2-r8n2qv4j',
    ]);
    expect(asList(statementFor(statements, 'organizations:ListParents')?.Resource)).toEqual(['arn:aws:organizations::*:account/o-*/*']);
    expect(asList(statementFor(statements, 'organizations:ListRoots')?.Resource)).toEqual(['*']);
  });

  it('describes only the named policies when no rule protects "policies": "*"', () => {
    const narrow = synthesize({ ...NO_BUNDLING, ...withRulesFile(rulesFileFromSample((rules) => (rules.protect = rules.protect.filter((rule: { policies?: unknown }) => rule.policies !== '*')))) });
    const statements = roleStatements(narrow.templateJson, logicalId(narrow.stack.sweep.role as IConstruct));

    expect(asList(statementFor(statements, 'organizations:DescribePolicy')?.Resource).sort()).toEqual([
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-allowlist1',
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-denyleave1',
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-protectct',
    ]);
    expect(asList(statementFor(statements, 'organizations:ListPoliciesForTarget')?.Resource)).toEqual(['arn:aws:organizations::*:ou/o-*/ou-a1b2-r8n2qv4j']);
  });

  it('starts executions of the remediation workflow only, and looks up CloudTrail events', () => {
    const statements = sweepRole();

    expect(statementFor(statements, 'states:StartExecution')?.Resource).toEqual({ Ref: logicalId(stack.workflow.stateMachine) });
    expect(actionsOf(statements).filter((a) => a.startsWith('states:'))).toEqual(['states:StartExecution']);
    expect(statementFor(statements, 'cloudtrail:LookupEvents')?.Resource).toBe('*');
  });

  it('reads incidents and the desired state on the table, the byTarget and byPolicy indexes, and puts desired-state items only: no Scan, no delete, no update', () => {
    const statements = sweepRole();
    const table = { 'Fn::GetAtt': [logicalId(stack.auditStore.table), 'Arn'] };
    const index = { 'Fn::Join': ['', [table, '/index/byTarget']] };
    const byPolicy = { 'Fn::Join': ['', [table, '/index/byPolicy']] };
    const dynamo = statements.filter((s) => asList(s.Action).some((a) => String(a).startsWith('dynamodb:')));
    const onTable = dynamo.filter((s) => JSON.stringify(asList(s.Resource)) === JSON.stringify([table]));
    const put = statementFor(statements, 'dynamodb:PutItem');

    expect(actionsOf(dynamo).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Query']);
    // Every statement on the base table names its partitions: a pending decision (DECISION#, with its task token) is never readable.
    expect(onTable.map((s) => s.Condition)).toEqual([
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['INCIDENT#*', 'DESIRED#*'] } },
      { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DESIRED#*'] } },
    ]);
    expect(dynamo.find((s) => asList(s.Action).includes('dynamodb:GetItem'))).toMatchObject({ Resource: table });
    // The two indexes' statements (one each in the construct) are merged by the CDK into one.
    const indexes = JSON.stringify([byPolicy, index]);
    expect(dynamo.filter((s) => JSON.stringify(s.Resource) === indexes)).toEqual([expect.objectContaining({ Action: 'dynamodb:Query' })]);
    expect(dynamo.every((s) => JSON.stringify(asList(s.Resource)) === JSON.stringify([table]) || JSON.stringify(s.Resource) === indexes)).toBe(true);
    expect(put).toMatchObject({ Resource: table, Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DESIRED#*'] } } });
    expect(asList(put?.Action)).toEqual(['dynamodb:PutItem']);
  });
});

describe('the sweep: cdk-nag', () => {
  it.each([
    ['AwsSolutionsChecks', () => new AwsSolutionsChecks()],
    ['ServerlessChecks', () => new ServerlessChecks()],
  ])('%s finds nothing unacknowledged in the sweep', (_name, pack) => {
    const report = pack().validateScope(stack.sweep);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

    expect(findings).toEqual([]);
  });
});

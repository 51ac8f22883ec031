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

  it('raises SweepFailed on errors or throttles, and SweepMissing after three intervals without a successful sweep', () => {
    const topic = { Ref: logicalId(stack.notifications.topic) };

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('A sweep failed'),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(errors, 0) + FILL(throttles, 0)' })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('No sweep succeeded in three intervals'),
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      TreatMissingData: 'breaching',
      AlarmActions: [topic],
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(invocations, 0) - FILL(errors, 0)' }), Match.objectLike({ MetricStat: Match.objectLike({ Period: 15 * 60 }) })]),
    });
  });
});

describe('the sweep: IAM', () => {
  it('reads Organizations and writes nothing to it', () => {
    const organizations = actionsOf(sweepRole()).filter((a) => a.startsWith('organizations:'));

    expect(organizations.sort()).toEqual([
      'organizations:DescribePolicy',
      'organizations:ListChildren',
      'organizations:ListPoliciesForTarget',
      'organizations:ListRoots',
      'organizations:ListTargetsForPolicy',
    ]);
  });

  it('lists the targets of the policies the rules name, and the policies of the "policies": "*" targets alone', () => {
    const statements = sweepRole();

    expect(asList(statementFor(statements, 'organizations:ListTargetsForPolicy')?.Resource).sort()).toEqual([
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-denyleave1',
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-protectct',
    ]);
    expect(asList(statementFor(statements, 'organizations:ListPoliciesForTarget')?.Resource)).toEqual(['arn:aws:organizations::*:ou/o-*/ou-a1b2-7hq4vz2n']);
    expect(asList(statementFor(statements, 'organizations:ListRoots')?.Resource)).toEqual(['*']);
  });

  it('describes only the named policies when no rule protects "policies": "*"', () => {
    const narrow = synthesize({ ...NO_BUNDLING, ...withRulesFile(rulesFileFromSample((rules) => (rules.protect = rules.protect.filter((rule: { policies?: unknown }) => rule.policies !== '*')))) });
    const statements = roleStatements(narrow.templateJson, logicalId(narrow.stack.sweep.role as IConstruct));

    expect(asList(statementFor(statements, 'organizations:DescribePolicy')?.Resource).sort()).toEqual([
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-denyleave1',
      'arn:aws:organizations::*:policy/o-*/service_control_policy/p-protectct',
    ]);
    expect(statementFor(statements, 'organizations:ListPoliciesForTarget')).toBeUndefined();
  });

  it('starts executions of the remediation workflow only, and looks up CloudTrail events', () => {
    const statements = sweepRole();

    expect(statementFor(statements, 'states:StartExecution')?.Resource).toEqual({ Ref: logicalId(stack.workflow.stateMachine) });
    expect(actionsOf(statements).filter((a) => a.startsWith('states:'))).toEqual(['states:StartExecution']);
    expect(statementFor(statements, 'cloudtrail:LookupEvents')?.Resource).toBe('*');
  });

  it('reads the table and its byTarget index, and puts desired-state items only: no Scan, no delete, no update', () => {
    const statements = sweepRole();
    const table = { 'Fn::GetAtt': [logicalId(stack.auditStore.table), 'Arn'] };
    const dynamo = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
    const put = statementFor(statements, 'dynamodb:PutItem');

    expect(dynamo.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(asList(statementFor(statements, 'dynamodb:Query')?.Resource)).toEqual([table, { 'Fn::Join': ['', [table, '/index/byTarget']] }]);
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

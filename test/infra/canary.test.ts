import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { CANARY_TIMEOUT_SECONDS } from '../../functions/canary/canary';
import { CANARY_ATTRIBUTE, CANARY_ROLE_ARN_ENV } from '../../functions/shared/canary';
import { CLIENT_TIMEOUTS } from '../../functions/shared/clients/timeouts';
import { MetricName, METRICS_NAMESPACE } from '../../functions/shared/metrics';
import { SELF_TEST_ATTRIBUTE } from '../../functions/shared/self-test';
import { ORGANIZATION_FILE_CONTEXT } from '../../infra/canary-check';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import type { ScpGuardianStack } from '../../infra/stack';
import { ACCOUNT, evaluate, REGION, TemplateResolver, type Request } from './policy-evaluator';
import { actionCovers, allStatements, asList, type CfnTemplate, logicalId, NO_BUNDLING, roleStatements, type Statement, synthesize, withRulesFile } from './support';
import { PROJECT_ROOT } from '../../cli/project-root';

const CANARY_RULES = `${PROJECT_ROOT}/samples/canary/protection-rules.json`;
/** The canary sample's organization, so the synth-time check runs (and warns of nothing). */
const CANARY_ORG = { [ORGANIZATION_FILE_CONTEXT]: 'samples/canary/organization.json' };
const ORG = 'o-a1b2c3d4e5';
const orgArn = (resource: string) => `arn:aws:organizations::${ACCOUNT}:${resource}`;
const CANARY_POLICY_ARN = orgArn(`policy/${ORG}/service_control_policy/p-canary01`);
const CANARY_OU_ARN = orgArn(`ou/${ORG}/ou-a1b2-canary01`);

let stack: ScpGuardianStack;
let template: Template;
let json: CfnTemplate;
let resolver: TemplateResolver;
let rules: ProtectionRules;

beforeAll(() => {
  ({ stack, template, templateJson: json, rules } = synthesize({ ...NO_BUNDLING, ...CANARY_ORG, ...withRulesFile(CANARY_RULES) }));
  resolver = new TemplateResolver(json);
});

const canary = () => {
  if (stack.canary === undefined) throw new Error('the stack has no canary');
  return stack.canary;
};
const canaryRoleId = () => logicalId(canary().role);
const identity = () => resolver.resolve(roleStatements(json, canaryRoleId())) as Statement[];
/** Whether the canary role may make `action` on `resource`, as IAM decides it. */
const canaryMay = (action: string, resource: string) => {
  const request: Request = { principal: { roleArn: resolver.arnOf(canaryRoleId()) }, action, resource, context: {} };
  return evaluate(request, { resource: [], identity: identity(), identityNeedsDelegation: false }).allowed;
};

describe('the canary: IAM', () => {
  // The restore role detaches too, for forbid rules and FullAWSAccess after a re-enable: test/infra/restore-permissions.test.ts.
  it('grants organizations:DetachPolicy to the canary role and the restore role, and to no other role', () => {
    const detachers = allStatements(json)
      .filter(({ statement }) => statement.Effect === 'Allow' && asList(statement.Action).some((action) => actionCovers(String(action), 'organizations:DetachPolicy')))
      .map(({ where }) => where.split('.')[0]);

    expect(new Set(detachers)).toEqual(
      new Set([logicalId(canary().role.node.findChild('DefaultPolicy') as IConstruct), logicalId(stack.handlers.restoreRole.node.findChild('DefaultPolicy') as IConstruct)]),
    );
  });

  it('scopes DetachPolicy to the canary pair: the canary policy and the canary OU, ids pinned', () => {
    const detach = roleStatements(json, canaryRoleId()).find((s) => asList(s.Action).includes('organizations:DetachPolicy'));

    expect(asList(detach?.Resource).sort()).toEqual(
      ['arn:aws:organizations::*:policy/o-*/service_control_policy/p-canary01', 'arn:aws:organizations::*:ou/o-*/ou-a1b2-canary01'].sort(),
    );
  });

  it.each([
    ['lets', 'the canary policy', CANARY_POLICY_ARN, true],
    ['lets', 'the canary OU', CANARY_OU_ARN, true],
    ['does not let', 'another SCP', orgArn(`policy/${ORG}/service_control_policy/p-denyleave1`), false],
    ['does not let', 'FullAWSAccess', 'arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess', false],
    ['does not let', 'another OU', orgArn(`ou/${ORG}/ou-a1b2-7hq4vz2n`), false],
    ['does not let', 'the root', orgArn(`root/${ORG}/r-a1b2`), false],
    ['does not let', 'an account', orgArn(`account/${ORG}/333344445555`), false],
  ])('%s the canary role call DetachPolicy with %s as a resource', (_verb, _what, resource, allowed) => {
    expect(canaryMay('organizations:DetachPolicy', resource)).toBe(allowed);
  });

  it('lets the canary role list the policies of the canary OU alone, and the children of OUs of its root alone', () => {
    expect(canaryMay('organizations:ListPoliciesForTarget', CANARY_OU_ARN)).toBe(true);
    expect(canaryMay('organizations:ListPoliciesForTarget', orgArn(`ou/${ORG}/ou-a1b2-7hq4vz2n`))).toBe(false);
    expect(canaryMay('organizations:ListChildren', orgArn(`ou/${ORG}/ou-a1b2-canchild`))).toBe(true);
    expect(canaryMay('organizations:ListChildren', orgArn(`root/${ORG}/r-a1b2`))).toBe(false);
    expect(canaryMay('organizations:ListChildren', orgArn(`ou/${ORG}/ou-zz99-otherroot`))).toBe(false);
  });

  it('gives the canary role nothing else in Organizations: no AttachPolicy, no organizations:*', () => {
    const actions = roleStatements(json, canaryRoleId()).flatMap((s) => asList(s.Action).map(String)).filter((a) => a.startsWith('organizations:'));

    expect(actions.sort()).toEqual(['organizations:DetachPolicy', 'organizations:ListChildren', 'organizations:ListPoliciesForTarget']);
  });

  it("lets the reattach function bring the canary back: its AttachPolicy covers the canary policy and the canary OU", () => {
    const reattachRole = logicalId(stack.handlers.functions.reattach.role as IConstruct);
    const statements = resolver.resolve(roleStatements(json, reattachRole)) as Statement[];
    const may = (resource: string) =>
      evaluate({ principal: { roleArn: resolver.arnOf(reattachRole) }, action: 'organizations:AttachPolicy', resource, context: {} }, { resource: [], identity: statements, identityNeedsDelegation: false }).allowed;

    expect([may(CANARY_POLICY_ARN), may(CANARY_OU_ARN)]).toEqual([true, true]);
  });

  it("tells classify the canary role's exact ARN", () => {
    const variables = json.Resources[logicalId(stack.handlers.functions.classify)].Properties.Environment.Variables;

    expect(variables[CANARY_ROLE_ARN_ENV]).toEqual({ 'Fn::GetAtt': [canaryRoleId(), 'Arn'] });
  });
});

describe('the canary: schedule and function', () => {
  it('runs the canary function daily at 06:30 UTC, half an hour after the self-test', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(30 6 * * ? *)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(canary().function), 'Arn'] } })],
    });
  });

  it("fits an empty OU's calls in the function's timeout, each Organizations call failing within its request timeout", () => {
    const { maxAttempts, requestTimeoutMs } = CLIENT_TIMEOUTS.organizations;
    // ListChildren twice, ListPoliciesForTarget for each protected type, DetachPolicy.
    const calls = 2 + rules.policyTypes.length + 1;

    expect(calls * maxAttempts * requestTimeoutMs).toBeLessThan(CANARY_TIMEOUT_SECONDS * 1000);
    expect(canary().function.timeout?.toSeconds()).toBe(CANARY_TIMEOUT_SECONDS);
  });

  it('retries a failed run twice, as Lambda does for asynchronous invocations, within its 60 s timeout', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: logicalId(canary().function) }, MaximumRetryAttempts: 2 });
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('daily canary'), Timeout: 60, Runtime: 'nodejs22.x' });
  });
});

describe('the canary: CanaryMissing', () => {
  const conditionNamed = (name: string) => logicalId(canary().conditions.find((alarm) => alarm.node.id === name) as IConstruct);

  it('goes to the notification topic, composed of the four conditions', () => {
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmActions: [{ Ref: logicalId(stack.notifications.topic) }],
      AlarmRule: Match.anyValue(),
    });
    const rule = JSON.stringify(json.Resources[logicalId(canary().missingAlarm)].Properties.AlarmRule);
    for (const name of ['CanaryDeadlineReached', 'CanaryNotPassedRecently', 'NoCanaryPassedInADay', 'CanaryRunFailed']) expect(rule).toContain(conditionNamed(name));
    expect(rule).toMatch(/\(\(ALARM\(.*\) AND ALARM\(.*\)\) OR ALARM\(.*\) OR ALARM\(.*\)\)/);
  });

  it('fires when a canary is not back by its deadline: CanaryDeadline reached, and no CanaryPassed since before the DetachPolicy', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRICS_NAMESPACE,
      MetricName: MetricName.CANARY_DEADLINE,
      Statistic: 'Sum',
      Period: 7200,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ActionsEnabled: false,
    });
    // The pass window (2 h 45 min) is the deadline window (2 h) plus the 30 minutes allowed plus a margin.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: MetricName.CANARY_PASSED,
      Period: 9900,
      EvaluationPeriods: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      ActionsEnabled: false,
    });
  });

  it('fires when no canary passed in 25 hours, counting silence as failure', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: MetricName.CANARY_PASSED,
      Period: 3600,
      EvaluationPeriods: 25,
      DatapointsToAlarm: 25,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('fires when every attempt of a run failed or refused', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(canary().function) } }],
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('can publish to the encrypted topic, as CloudWatch publishes for an alarm of this account', () => {
    const alarm = json.Resources[logicalId(canary().missingAlarm)];
    const topicId = logicalId(stack.notifications.topic);
    const topicPolicy = Object.values(json.Resources).find((r) => r.Type === 'AWS::SNS::TopicPolicy' && JSON.stringify(r.Properties.Topics).includes(topicId));
    const context = {
      'aws:SecureTransport': 'true',
      'aws:SourceAccount': ACCOUNT,
      'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${resolver.resolve(alarm.Properties.AlarmName)}`,
      'aws:PrincipalServiceName': 'cloudwatch.amazonaws.com',
    };

    const decision = evaluate(
      { principal: { service: 'cloudwatch.amazonaws.com' }, action: 'sns:Publish', resource: resolver.arnOf(topicId), context },
      { resource: asList(resolver.resolve(topicPolicy?.Properties.PolicyDocument.Statement)) as Statement[], identity: [], identityNeedsDelegation: false },
    );

    expect(decision.allowed).toBe(true);
  });

  it('is on the dashboard, with the canary graph', () => {
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));

    expect(body).toContain('Canary (p-canary01 on ou-a1b2-canary01)');
    expect(body).toContain(MetricName.CANARY_PASSED);
    expect(body).toContain(logicalId(canary().missingAlarm));
  });
});

describe('the canary: notifications', () => {
  it('keeps the routine canary notices out of email subscriptions, like the self-test', () => {
    const withEmail = synthesize({ ...NO_BUNDLING, ...CANARY_ORG, ...withRulesFile(rulesWithEmail()) });

    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      FilterPolicy: { [SELF_TEST_ATTRIBUTE]: [{ exists: false }], [CANARY_ATTRIBUTE]: [{ exists: false }] },
    });
  });
});

describe('the canary: cdk-nag', () => {
  it.each([
    ['AwsSolutionsChecks', () => new AwsSolutionsChecks()],
    ['ServerlessChecks', () => new ServerlessChecks()],
  ])('%s finds nothing unacknowledged in a stack with the canary', (_name, pack) => {
    const report = pack().validateScope(stack);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

    expect(findings).toEqual([]);
  });
});

describe('without a canary in the rules', () => {
  it('has no canary function, no DetachPolicy but the restore role\'s, and classify is told no canary role', () => {
    const plain = synthesize(NO_BUNDLING);
    const detachers = allStatements(plain.templateJson)
      .filter(({ statement }) => statement.Effect === 'Allow' && asList(statement.Action).some((action) => actionCovers(String(action), 'organizations:DetachPolicy')))
      .map(({ where }) => where.split('.')[0]);

    expect(plain.stack.canary).toBeUndefined();
    expect(new Set(detachers)).toEqual(new Set([logicalId(plain.stack.handlers.restoreRole.node.findChild('DefaultPolicy') as IConstruct)]));
    expect(plain.templateJson.Resources[logicalId(plain.stack.handlers.functions.classify)].Properties.Environment.Variables[CANARY_ROLE_ARN_ENV]).toBeUndefined();
  });
});

function rulesWithEmail(): string {
  const { rulesFileFromSample } = jest.requireActual<typeof import('./support')>('./support');
  return rulesFileFromSample((rules) => {
    rules.canary = { policyId: 'p-canary01', targetId: 'ou-a1b2-canary01' };
    rules.notify.emails = ['secops@example.com'];
  });
}

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { GUARD_ROLE_ARNS_ENV } from '../../functions/classify/handler';
import { Intake } from '../../infra/constructs/intake';
import { intakeDetailPattern } from '../../infra/intake-pattern';
import { PROJECT_ROOT } from '../../cli/project-root';

const GUARD_ROLE = 'arn:aws:iam::111122223333:role/ScpGuardian-ReattachRole1A2B3C4D-EXAMPLE';
const FORBIDDEN = 'p-FullAWSAccess';
const EVENTS = path.join(PROJECT_ROOT, 'samples', 'events');

type Json = Record<string, unknown>;
const sample = (name: string): Json & { detail: Json } => JSON.parse(readFileSync(path.join(EVENTS, name), 'utf8'));

/**
 * The EventBridge matching the pattern uses, as AWS documents it: every field of the pattern must
 * match (values in an array are alternatives), `exists: false` matches an absent field,
 * `anything-but` only a present value outside its list, and `$or` any one branch.
 */
function matches(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) {
    return pattern.some((alternative) => {
      if (typeof alternative !== 'object' || alternative === null) return event !== undefined && event === alternative;
      const matcher = alternative as Json;
      if ('exists' in matcher) return matcher.exists === (event !== undefined);
      if ('anything-but' in matcher) return event !== undefined && typeof event !== 'object' && !(matcher['anything-but'] as unknown[]).includes(event);
      throw new Error(`the test matcher does not know ${JSON.stringify(matcher)}`);
    });
  }
  const fields = pattern as Json;
  const object = typeof event === 'object' && event !== null ? (event as Json) : {};
  return Object.entries(fields).every(([key, value]) =>
    key === '$or' ? (value as unknown[]).some((branch) => matches(branch, event)) : matches(value, object[key]),
  );
}

function intakeStack(props: { forbid?: string[]; guardRoleArns?: string[] } = {}) {
  const stack = new Stack(new App(), 'IntakeTest', { env: { region: 'us-east-1', account: '111122223333' } });
  const stateMachine = StateMachine.fromStateMachineArn(stack, 'Machine', 'arn:aws:states:us-east-1:111122223333:stateMachine:ScpGuardianRemediation');
  const classify = new LambdaFunction(stack, 'Classify', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') });
  const guard = new Role(stack, 'ReattachRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  const forbid = (props.forbid ?? [FORBIDDEN]).map((policyId) => ({ policyId, targets: ['ou-a1b2-r8n2qv4j'], mode: 'auto' as const }));
  new Intake(stack, 'Intake', { stateMachine, rules: { forbid }, guardRoleArns: props.guardRoleArns ?? [guard.roleArn], classify });
  return { template: Template.fromStack(stack), guard, stack };
}

const pattern = intakeDetailPattern([FORBIDDEN], [GUARD_ROLE]);
const envelopePattern = { source: ['aws.organizations'], 'detail-type': ['AWS API Call via CloudTrail'], detail: pattern };
const asGuard = (event: Json & { detail: Json }) => {
  const identity = event.detail.userIdentity as Json;
  return { ...event, detail: { ...event.detail, userIdentity: { ...identity, type: 'AssumedRole', sessionContext: { sessionIssuer: { type: 'Role', arn: GUARD_ROLE } } } } };
};

describe('intake: the event pattern', () => {
  it('matches the six kinds, AttachPolicy only for forbidden policies, without failed calls or the guard roles', () => {
    const { template, guard, stack } = intakeStack();

    const guardArn = stack.resolve(guard.roleArn);
    const callers = [
      { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': [guardArn] }] } } } },
      { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ exists: false }] } } } },
    ];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.organizations'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['organizations.amazonaws.com'],
          errorCode: [{ exists: false }],
          $or: [
            ...callers.map((caller) => ({ eventName: ['DetachPolicy', 'DisablePolicyType', 'MoveAccount', 'UpdatePolicy', 'DeletePolicy'], ...caller })),
            ...callers.map((caller) => ({ eventName: ['AttachPolicy'], requestParameters: { policyId: [FORBIDDEN] }, ...caller })),
          ],
        },
      },
    });
  });

  it('matches no AttachPolicy at all when there are no forbid rules', () => {
    const detail = intakeDetailPattern([], [GUARD_ROLE]);

    expect(JSON.stringify(detail)).not.toContain('AttachPolicy');
  });

  it('tells classify the same guard roles', () => {
    const { template, guard, stack } = intakeStack();

    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { [GUARD_ROLE_ARNS_ENV]: stack.resolve(guard.roleArn) } } });
  });

  it.each(readdirSync(EVENTS).filter((name) => !/^0[79]-/.test(name)))('matches the sample %s', (name) => {
    expect(matches(envelopePattern, sample(name))).toBe(true);
  });

  it('matches a root-user call, which has no session issuer ARN (anything-but alone would drop it)', () => {
    const event = sample('15-scps-disabled-on-root.json');

    expect((event.detail.userIdentity as Json).type).toBe('Root');
    expect(matches(envelopePattern, event)).toBe(true);
    expect(matches({ detail: { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': [GUARD_ROLE] }] } } } } }, event)).toBe(false);
  });

  it('matches an IAM user call with no sessionContext at all', () => {
    const event = sample('01-protected-auto-root.json');
    const { sessionContext: _dropped, ...identity } = event.detail.userIdentity as Json;

    expect(matches(envelopePattern, { ...event, detail: { ...event.detail, userIdentity: identity } })).toBe(true);
  });

  it.each(['01-protected-auto-root.json', '10-account-moved-out-of-prod.json', '14-forbidden-fullawsaccess-on-allowlist-ou.json', '15-scps-disabled-on-root.json'])(
    "drops the guard's own call (%s)",
    (name) => {
      expect(matches(envelopePattern, asGuard(sample(name)))).toBe(false);
    },
  );

  it('drops a failed call and an AttachPolicy of a policy no forbid rule names (a reattachment)', () => {
    const failed = sample('07-failed-call.json');
    const attach = sample('14-forbidden-fullawsaccess-on-allowlist-ou.json');
    const reattach = { ...attach, detail: { ...attach.detail, requestParameters: { policyId: 'p-denyleave1', targetId: 'r-a1b2' } } };

    expect(matches(envelopePattern, failed)).toBe(false);
    expect(matches(envelopePattern, reattach)).toBe(false);
  });

  it('drops calls of other kinds', () => {
    const event = sample('15-scps-disabled-on-root.json');

    expect(matches(envelopePattern, { ...event, detail: { ...event.detail, eventName: 'EnablePolicyType' } })).toBe(false);
    expect(matches(envelopePattern, { ...event, detail: { ...event.detail, eventName: 'CreatePolicy' } })).toBe(false);
  });
});

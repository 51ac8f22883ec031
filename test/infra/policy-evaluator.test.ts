import { ACCOUNT, evaluate, type Policies, type Request, TemplateResolver } from './policy-evaluator';
import type { CfnTemplate, Statement } from './support';

// The walker in alarm-delivery.test.ts is only as good as this evaluator: these pin the IAM
// semantics it relies on, on small hand-written policies.

const TOPIC = `arn:aws:sns:us-east-1:${ACCOUNT}:Alarms`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/Key`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Notify`;
const ALARM = `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:ExecutionsFailed`;

const alarmPublish: Request = {
  principal: { service: 'cloudwatch.amazonaws.com' },
  action: 'sns:Publish',
  resource: TOPIC,
  context: { 'aws:SecureTransport': 'true', 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': ALARM },
};
const rolePublish: Request = { principal: { roleArn: ROLE }, action: 'sns:Publish', resource: TOPIC, context: { 'aws:SecureTransport': 'true' } };
const topicPolicy = (...resource: Statement[]): Policies => ({ resource, identity: [], identityNeedsDelegation: false });
const allowAlarms = (condition?: unknown): Statement => ({
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: 'sns:Publish',
  Resource: TOPIC,
  ...(condition === undefined ? {} : { Condition: condition }),
});

describe('policy evaluator', () => {
  it('grants through an action wildcard, case-insensitively', () => {
    const statement = { ...allowAlarms(), Action: 'SNS:Pub*' };

    const decision = evaluate(alarmPublish, topicPolicy(statement));

    expect(decision.allowed).toBe(true);
  });

  it('lets an explicit Deny win over an Allow', () => {
    const deny: Statement = { Effect: 'Deny', Principal: '*', NotAction: 'sns:Subscribe', Resource: '*' };

    const decision = evaluate(alarmPublish, topicPolicy(allowAlarms(), deny));

    expect(decision).toEqual({ allowed: false, reason: 'resource policy statement 1 denies it' });
  });

  it("refuses an Allow whose conditions the request does not meet (another account's alarm)", () => {
    const statement = allowAlarms({ StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*` } });
    const stranger = { ...alarmPublish, context: { ...alarmPublish.context, 'aws:SourceArn': 'arn:aws:cloudwatch:us-east-1:444455556666:alarm:x' } };

    const [mine, theirs] = [evaluate(alarmPublish, topicPolicy(statement)), evaluate(stranger, topicPolicy(statement))];

    expect([mine.allowed, theirs.allowed]).toEqual([true, false]);
  });

  it('does not grant on a condition key the request is not known to carry, and lets such a Deny apply', () => {
    const unknown = { StringEquals: { 'aws:SourceOrgID': 'o-abc' } };
    const deny: Statement = { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceOrgID': 'o-abc' } } };

    const [allow, denied] = [evaluate(alarmPublish, topicPolicy(allowAlarms(unknown))), evaluate(alarmPublish, topicPolicy(allowAlarms(), deny))];

    expect([allow.allowed, denied.allowed]).toEqual([false, false]);
  });

  it('treats a key known to be absent as absent: a negated condition holds', () => {
    const deny: Statement = { Effect: 'Deny', Principal: '*', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:SourceAccount': ACCOUNT } } };
    const withoutSource = { ...alarmPublish, context: { ...alarmPublish.context, 'aws:SourceAccount': undefined } };

    const decision = evaluate(withoutSource, topicPolicy(allowAlarms(), deny));

    expect(decision.allowed).toBe(false);
  });

  it("lets a role publish on its IAM policy alone, but use a key only where the key policy lets IAM decide", () => {
    const iam: Statement[] = [
      { Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: KEY },
    ];
    const account: Statement = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
    const useKey = { ...rolePublish, action: 'kms:GenerateDataKey', resource: KEY };

    const publish = evaluate(rolePublish, { resource: [], identity: iam, identityNeedsDelegation: false });
    const withoutDelegation = evaluate(useKey, { resource: [], identity: iam, identityNeedsDelegation: true });
    const withDelegation = evaluate(useKey, { resource: [account], identity: iam, identityNeedsDelegation: true });

    expect([publish.allowed, withoutDelegation.allowed, withDelegation.allowed]).toEqual([true, false, true]);
  });

  it('resolves Ref, Fn::GetAtt and Fn::Join of a template to ARNs', () => {
    const template: CfnTemplate = { Resources: { Alarms: { Type: 'AWS::SNS::Topic' }, Key: { Type: 'AWS::KMS::Key' } } };
    const resolver = new TemplateResolver(template);

    const resolved = resolver.resolve([
      { Ref: 'Alarms' },
      { 'Fn::GetAtt': ['Key', 'Arn'] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] },
    ]);

    expect(resolved).toEqual([TOPIC, KEY, `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:*`]);
  });
});

import { ACCOUNT, evaluate, type Principal, REGION, type Request, TemplateResolver } from './policy-evaluator';
import { asList, type CfnTemplate, NO_BUNDLING, type Statement, synthesize } from './support';

// Walks the real stack's template from each publisher to the topic it publishes to, and from
// there to the topic policy and the topic key's policy, and evaluates them as AWS would: a
// publisher without a working grant is an alarm (or a notice) nobody ever receives.

/** Someone who publishes to a topic of the template, with what its requests carry. */
interface Publisher {
  readonly who: string;
  readonly topicId: string;
  readonly principal: Principal;
  /** Condition keys of its Publish request; SNS's KMS calls on its behalf add kms:ViaService. */
  readonly context: Readonly<Record<string, string | undefined>>;
  readonly identity: readonly Statement[];
}

let template: CfnTemplate;
let resolver: TemplateResolver;

beforeAll(() => {
  ({ templateJson: template } = synthesize(NO_BUNDLING));
  resolver = new TemplateResolver(template);
});

const resourcesOf = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const topicIdOf = (value: unknown) => resourcesOf('AWS::SNS::Topic').find(([id]) => resolver.arnOf(id) === resolver.resolve(value))?.[0];

/** The resolved statements of a role's inline policies, its own and attached AWS::IAM::Policy ones. */
function roleStatements(roleId: string): Statement[] {
  const own = asList(template.Resources[roleId]?.Properties?.Policies).flatMap((p: any) => asList(p.PolicyDocument.Statement));
  const attached = resourcesOf('AWS::IAM::Policy')
    .filter(([, r]) => asList(r.Properties.Roles).some((role: any) => role?.Ref === roleId))
    .flatMap(([, r]) => asList(r.Properties.PolicyDocument.Statement));
  return resolver.resolve([...own, ...attached]) as Statement[];
}

/** CloudWatch publishes each alarm's actions, as the alarm (aws:SourceArn) of this account. */
function alarmPublishers(): Publisher[] {
  return resourcesOf('AWS::CloudWatch::Alarm').flatMap(([id, alarm]) =>
    ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((actions) =>
      asList(alarm.Properties[actions]).map((action) => {
        const topicId = topicIdOf(action);
        if (topicId === undefined) throw new Error(`alarm ${id} has an action that is not a topic of this stack: ${JSON.stringify(action)}`);
        const alarmArn = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${alarm.Properties.AlarmName ?? id}`;
        return {
          who: `alarm ${id} (${actions})`,
          topicId,
          principal: { service: 'cloudwatch.amazonaws.com' },
          context: { 'aws:SecureTransport': 'true', 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': alarmArn, 'aws:PrincipalServiceName': 'cloudwatch.amazonaws.com' },
          identity: [],
        };
      }),
    ),
  );
}

/** EventBridge publishes for a rule whose target is a topic, as the rule of this account. */
function rulePublishers(): Publisher[] {
  return resourcesOf('AWS::Events::Rule').flatMap(([id, rule]) =>
    asList(rule.Properties.Targets).flatMap((target: any) => {
      const topicId = topicIdOf(target.Arn);
      if (topicId === undefined) return [];
      return [
        {
          who: `rule ${id}`,
          topicId,
          principal: { service: 'events.amazonaws.com' },
          context: { 'aws:SecureTransport': 'true', 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': resolver.arnOf(id), 'aws:PrincipalServiceName': 'events.amazonaws.com' },
          identity: [],
        },
      ];
    }),
  );
}

/**
 * Roles that publish: those of functions told a topic's ARN in their environment, and any role
 * whose policies allow sns:Publish on a topic of the stack.
 */
function rolePublishers(): Publisher[] {
  const found = new Map<string, Set<string>>();
  const add = (roleId: string, topicId: string) => found.set(roleId, (found.get(roleId) ?? new Set()).add(topicId));
  for (const [, fn] of resourcesOf('AWS::Lambda::Function')) {
    const roleId = fn.Properties.Role?.['Fn::GetAtt']?.[0];
    for (const value of Object.values<unknown>(fn.Properties.Environment?.Variables ?? {})) {
      const topicId = topicIdOf(value);
      if (topicId !== undefined && roleId !== undefined) add(roleId, topicId);
    }
  }
  for (const [roleId] of resourcesOf('AWS::IAM::Role')) {
    for (const statement of roleStatements(roleId).filter((s) => s.Effect === 'Allow')) {
      for (const resource of asList(statement.Resource)) {
        const topicId = topicIdOf(resource);
        if (topicId !== undefined) add(roleId, topicId);
      }
    }
  }
  return [...found].flatMap(([roleId, topicIds]) =>
    [...topicIds].map((topicId) => ({
      who: `role ${roleId}`,
      topicId,
      principal: { roleArn: resolver.arnOf(roleId) },
      context: {
        'aws:SecureTransport': 'true',
        'aws:PrincipalArn': resolver.arnOf(roleId),
        'aws:PrincipalAccount': ACCOUNT,
        'kms:CallerAccount': ACCOUNT,
        'aws:SourceAccount': undefined,
        'aws:SourceArn': undefined,
        'aws:PrincipalServiceName': undefined,
      },
      identity: roleStatements(roleId),
    })),
  );
}

const allPublishers = () => [...alarmPublishers(), ...rulePublishers(), ...rolePublishers()];

/** The one topic policy of a topic, resolved (a second one would make the effective policy unclear). */
function topicPolicy(topicId: string): Statement[] {
  const policies = resourcesOf('AWS::SNS::TopicPolicy').filter(([, p]) => asList(p.Properties.Topics).some((t) => topicIdOf(t) === topicId));
  if (policies.length !== 1) throw new Error(`topic ${topicId} has ${policies.length} topic policies; the walker expects exactly one`);
  return asList(resolver.resolve(policies[0]?.[1].Properties.PolicyDocument.Statement)) as Statement[];
}

/** The template key encrypting a topic, or why there is none the publishers could be granted. */
function topicKey(topicId: string): { keyArn: string; keyPolicy: Statement[] } | { problem: string } | undefined {
  const keyRef = template.Resources[topicId]?.Properties?.KmsMasterKeyId;
  if (keyRef === undefined) return undefined;
  const keyArn = resolver.resolve(keyRef);
  const key = resourcesOf('AWS::KMS::Key').find(([id]) => resolver.arnOf(id) === keyArn || id === keyArn);
  if (key === undefined) return { problem: `topic ${topicId} is encrypted with ${JSON.stringify(keyArn)}, not a key of this stack whose policy could grant its publishers` };
  return { keyArn: resolver.arnOf(key[0]), keyPolicy: asList(resolver.resolve(key[1].Properties.KeyPolicy.Statement)) as Statement[] };
}

/** What keeps `publisher` from delivering: one line per refused request, none when it can. */
function deliveryProblems(publisher: Publisher): string[] {
  const request = (action: string, resource: string, extra: Record<string, string> = {}): Request => ({
    principal: publisher.principal,
    action,
    resource,
    context: { ...publisher.context, ...extra },
  });
  const problems: string[] = [];
  const topicArn = resolver.arnOf(publisher.topicId);
  const publish = evaluate(request('sns:Publish', topicArn), { resource: topicPolicy(publisher.topicId), identity: publisher.identity, identityNeedsDelegation: false });
  if (!publish.allowed) problems.push(`${publisher.who}: sns:Publish on ${publisher.topicId} refused: ${publish.reason}`);
  const key = topicKey(publisher.topicId);
  if (key !== undefined && 'problem' in key) problems.push(`${publisher.who}: ${key.problem}`);
  else if (key !== undefined) {
    // SNS encrypts each message with a data key and decrypts it to deliver, on the publisher's behalf.
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      const viaSns = request(action, key.keyArn, { 'kms:ViaService': `sns.${REGION}.amazonaws.com` });
      const decision = evaluate(viaSns, { resource: key.keyPolicy, identity: publisher.identity, identityNeedsDelegation: true });
      if (!decision.allowed) problems.push(`${publisher.who}: ${action} on the key of ${publisher.topicId} refused: ${decision.reason}`);
    }
  }
  return problems;
}

describe('alarm delivery', () => {
  it('walks every alarm action of the stack to a topic', () => {
    const alarms = resourcesOf('AWS::CloudWatch::Alarm');

    const publishers = alarmPublishers();

    expect(alarms.length).toBeGreaterThanOrEqual(7);
    expect(new Set(publishers.map((p) => p.who.split(' ')[1]))).toEqual(new Set(alarms.map(([id]) => id)));
  });

  it('lets every alarm publish to the encrypted topic', () => {
    const publishers = alarmPublishers();

    const problems = publishers.flatMap(deliveryProblems);

    expect(problems).toEqual([]);
  });

  it('lets every function that publishes to the topic do so, key included', () => {
    const publishers = rolePublishers();

    const problems = publishers.flatMap(deliveryProblems);

    expect(publishers.length).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
  });

  it('lets every publisher the template has deliver: alarms, rules that target the topic, and roles', () => {
    const publishers = allPublishers();

    const problems = publishers.flatMap(deliveryProblems);

    expect(problems).toEqual([]);
  });

  it('keeps publishing over plain HTTP refused', () => {
    const [alarm] = alarmPublishers();
    if (alarm === undefined) throw new Error('no alarm to try');

    const decision = evaluate(
      { principal: alarm.principal, action: 'sns:Publish', resource: resolver.arnOf(alarm.topicId), context: { ...alarm.context, 'aws:SecureTransport': 'false' } },
      { resource: topicPolicy(alarm.topicId), identity: [], identityNeedsDelegation: false },
    );

    expect(decision).toEqual({ allowed: false, reason: expect.stringContaining('denies it') });
  });

  it("refuses another account's alarm on the topic and the key (confused deputy)", () => {
    const [alarm] = alarmPublishers();
    if (alarm === undefined) throw new Error('no alarm to try');
    const stranger = { ...alarm, context: { ...alarm.context, 'aws:SourceAccount': '444455556666', 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:444455556666:alarm:x` } };

    const problems = deliveryProblems(stranger);

    expect(problems).toEqual([
      expect.stringContaining('sns:Publish'),
      expect.stringContaining('kms:GenerateDataKey'),
      expect.stringContaining('kms:Decrypt'),
    ]);
  });

  it('grants EventBridge nothing, since no rule publishes to the topic', () => {
    const [alarm] = alarmPublishers();
    if (alarm === undefined) throw new Error('no alarm to try');
    const events = { ...alarm, who: 'events', principal: { service: 'events.amazonaws.com' }, context: { ...alarm.context, 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/any` } };

    const problems = deliveryProblems(events);

    expect(rulePublishers()).toEqual([]);
    expect(problems).toHaveLength(3);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ADMISSION_PK_PREFIX, AuditTable, INCIDENT_PK_PREFIX } from '../../functions/shared/audit/table-schema';
import { SELF_TEST_ATTRIBUTE } from '../../functions/shared/self-test';
import { ASL_FILE, WORKFLOW_FUNCTIONS } from '../../functions/shared/workflow-functions';
import { HANDLER_NAMES } from '../../infra/constructs/handlers';
import { aslPlaceholders, SUBSTITUTION_KEYS } from '../../infra/constructs/workflow';
import type { ScpGuardianStack } from '../../infra/stack';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { executionTimeoutSeconds } from '../../functions/sweep/execution-timeout';
import { definitionText } from '../../statemachine/definition';
import {
  actionCovers,
  allStatements,
  asList,
  type CfnTemplate,
  logicalId,
  roleStatements,
  rulesFileFromSample,
  type Statement,
  synthesize,
  withRulesFile,
} from './support';
import { PROJECT_ROOT } from '../../cli/project-root';

// The sample rules plus one email address, so the email subscription path is exercised too.
const EMAIL = 'secops@example.com';
let stack: ScpGuardianStack;
let rules: ProtectionRules;
let template: Template;
let json: CfnTemplate;
let assemblyDir: string;

beforeAll(() => {
  const rulesFile = rulesFileFromSample((rules) => {
    rules.notify.emails = [EMAIL];
  });
  const built = synthesize(withRulesFile(rulesFile));
  ({ stack, template, templateJson: json, rules } = built);
  assemblyDir = built.assembly.directory;
});

const fnId = (name: (typeof HANDLER_NAMES)[number]) => logicalId(stack.handlers.functions[name]);
const roleId = (name: (typeof HANDLER_NAMES)[number]) => logicalId(stack.handlers.functions[name].role as IConstruct);
const functions = () => Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
const actionsOf = (statements: Statement[]) => statements.flatMap((s) => asList(s.Action) as string[]);

describe('intake', () => {
  // Which calls, and the guard's own roles left out: test/infra/intake-kinds.test.ts.
  it('matches only successful calls that CloudTrail delivers from Organizations', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.organizations'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: Match.objectLike({ eventSource: ['organizations.amazonaws.com'], errorCode: [{ exists: false }] }),
      }),
    });
  });

  it('leaves out the calls of every role that writes to the organization: reattach, restore, and the state machine (its first AttachPolicy)', () => {
    const rule = Object.values(json.Resources).find((r) => r.Type === 'AWS::Events::Rule' && JSON.stringify(r.Properties.EventPattern ?? '').includes('organizations.amazonaws.com'));
    const writers = [roleId('reattach'), roleId('restore'), logicalId(stack.workflow.stateMachine.role)].map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }));

    const pattern = JSON.stringify(rule?.Properties.EventPattern);
    for (const writer of writers) expect(pattern).toContain(JSON.stringify(writer));
    expect(JSON.stringify(json.Resources[fnId('classify')].Properties.Environment.Variables)).toContain(JSON.stringify(writers[2]));
  });

  it('starts the state machine with the whole event, a dead-letter queue and a retry policy', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectEquals({
          Id: Match.anyValue(),
          Arn: { Ref: logicalId(stack.workflow.stateMachine) },
          RoleArn: Match.anyValue(),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(stack.intake.deadLetterQueue), 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 8 },
        }),
      ],
    });
  });

  it('keeps undelivered events 14 days in an encrypted queue that refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage' }),
        ]),
      },
    });
  });
});

describe('workflow', () => {
  it('is a STANDARD state machine that logs every event with execution data and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logicalId(stack.workflow.logGroup), 'Arn'] } } }],
      },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('substitutes exactly the placeholders of the ASL file', () => {
    const placeholders = aslPlaceholders(readFileSync(path.join(PROJECT_ROOT, ASL_FILE), 'utf8'));
    const machine = Object.values(json.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');

    expect(Object.keys(machine?.Properties.DefinitionSubstitutions).sort()).toEqual(placeholders);
    expect([...SUBSTITUTION_KEYS].sort()).toEqual(placeholders);
  });

  it('deploys the ASL file with an execution timeout of the approval window plus the remediation allowance, so a stuck execution raises the timed-out alarm', () => {
    const machine = Object.values(json.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    const deployed = JSON.parse(machine?.Properties.DefinitionString as string) as Record<string, unknown>;
    // The file as Step Functions takes it: its shared retriers expanded (statemachine/shared-retriers.ts).
    const file = JSON.parse(definitionText(PROJECT_ROOT)) as Record<string, unknown>;

    expect(deployed.TimeoutSeconds).toBe(executionTimeoutSeconds(rules));
    expect(deployed.TimeoutSeconds).toBeGreaterThan(rules.approval.timeoutMinutes * 60);
    expect({ ...deployed, TimeoutSeconds: undefined }).toEqual({ ...file, TimeoutSeconds: undefined });
  });

  it("fills each placeholder with its function's ARN", () => {
    const expected = Object.fromEntries(SUBSTITUTION_KEYS.map((key) => [key, { 'Fn::GetAtt': [fnId(WORKFLOW_FUNCTIONS[key]), 'Arn'] }]));
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { DefinitionSubstitutions: expected });
  });

  it('may invoke the six workflow functions and not the Slack endpoint', () => {
    const statements = roleStatements(json, logicalId(stack.workflow.stateMachine.role));
    const invoked = statements
      .filter((s) => asList(s.Action).includes('lambda:InvokeFunction'))
      .flatMap((s) => asList(s.Resource))
      .map((r: any) => r['Fn::GetAtt']?.[0] ?? r['Fn::Join']?.[1]?.[0]?.['Fn::GetAtt']?.[0]);

    expect(new Set(invoked)).toEqual(new Set(Object.values(WORKFLOW_FUNCTIONS).map(fnId)));
  });
});

describe('audit store', () => {
  it('takes its keys, indexes and TTL attribute from table-schema', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: AuditTable.partitionKey, KeyType: 'HASH' },
        { AttributeName: AuditTable.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: Object.values(AuditTable.indexes).map((index) =>
        Match.objectLike({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ),
      TimeToLiveSpecification: { AttributeName: AuditTable.ttlAttribute, Enabled: true },
    });
  });

  it('bills on demand, keeps point-in-time recovery and is encrypted', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('cannot be deleted by accident: deletion protection and DeletionPolicy Retain', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('notifications', () => {
  it('encrypts the topic with a customer-managed key that rotates', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack.notifications.key), 'Arn'] } });
  });

  it("lets this account's alarms, and no other service, encrypt with the key", () => {
    const services = allStatements(json)
      .filter(({ where }) => where.startsWith(logicalId(stack.notifications.key)))
      .flatMap(({ statement }) => asList((statement.Principal as { Service?: unknown } | undefined)?.Service));

    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:aws:cloudwatch:us-east-1:', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
            },
          }),
        ]),
      },
    });
    expect(services).toEqual(['cloudwatch.amazonaws.com']);
  });

  it('refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('subscribes the email addresses of the rules file', () => {
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: EMAIL, TopicArn: { Ref: logicalId(stack.notifications.topic) } });
  });

  it('keeps the daily self-test notice out of people’s mailboxes', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', FilterPolicy: { [SELF_TEST_ATTRIBUTE]: [{ exists: false }] } });
  });
});

describe('slack endpoint', () => {
  it('keeps the bot token and signing secret in Secrets Manager, created without a value', () => {
    const secrets = Object.values(json.Resources).filter((r) => r.Type === 'AWS::SecretsManager::Secret');

    expect(secrets).toHaveLength(2);
    for (const secret of secrets) {
      expect(secret.Properties).not.toHaveProperty('SecretString');
      expect(secret.Properties).not.toHaveProperty('GenerateSecretString');
      expect(secret.Properties.Description).toMatch(/put-secret-value/);
    }
  });

  it('gives functions secret ARNs, never secret values, in their environment', () => {
    const secretIds = [logicalId(stack.slack.botToken), logicalId(stack.slack.signingSecret)];
    for (const fn of functions()) {
      for (const [name, value] of Object.entries<unknown>(fn.Properties.Environment?.Variables ?? {})) {
        const text = JSON.stringify(value);
        expect(text).not.toMatch(/resolve:secretsmanager|xox[abp]-|SecretString/);
        if (/TOKEN|SECRET/.test(name)) {
          expect(name).toMatch(/_ARN$/);
          expect(secretIds).toContain((value as { Ref?: string }).Ref);
        }
      }
    }
  });

  it('exposes slack-interactions at a public function URL (the function verifies Slack signatures)', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [fnId('slack-interactions'), 'Arn'] } });
  });

  it('lets slack-interactions answer the waiting tasks of this state machine only', () => {
    const statements = roleStatements(json, roleId('slack-interactions'));
    const taskResponse = statements.find((s) => asList(s.Action).includes('states:SendTaskSuccess'));

    expect(asList(taskResponse?.Action)).toEqual(['states:SendTaskSuccess']);
    expect(taskResponse?.Resource).toEqual({ Ref: logicalId(stack.workflow.stateMachine) });
  });
});

describe('functions', () => {
  it('are one per handler and the sweep, on Node.js 22, arm64, with active tracing', () => {
    expect(functions()).toHaveLength(HANDLER_NAMES.length + 1);
    for (const fn of functions()) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, MemorySize: 256 });
    }
  });

  it('each log to their own log group with a retention', () => {
    for (const fn of functions()) {
      const group = json.Resources[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('all know the table and the Powertools service name', () => {
    for (const fn of functions()) {
      expect(fn.Properties.Environment.Variables).toMatchObject({ TABLE_NAME: { Ref: logicalId(stack.auditStore.table) }, POWERTOOLS_SERVICE_NAME: 'scp-guardian' });
    }
  });

  it('give the Slack secrets to the two Slack functions alone; notify and request-decision relay through slack-relay', () => {
    const env = (name: (typeof HANDLER_NAMES)[number]) => json.Resources[fnId(name)].Properties.Environment.Variables;
    const topic = { Ref: logicalId(stack.notifications.topic) };
    const botToken = { Ref: logicalId(stack.slack.botToken) };
    const relay = { Ref: fnId('slack-relay') };
    const secretReaders = HANDLER_NAMES.filter((name) => actionsOf(roleStatements(json, roleId(name))).includes('secretsmanager:GetSecretValue'));

    expect(env('notify')).toMatchObject({ TOPIC_ARN: topic, SLACK_FUNCTION_NAME: relay });
    expect(env('request-decision')).toMatchObject({ TOPIC_ARN: topic, SLACK_FUNCTION_NAME: relay });
    expect(env('notify').BOT_TOKEN_ARN).toBeUndefined();
    expect(env('slack-interactions')).toMatchObject({ BOT_TOKEN_ARN: botToken, SIGNING_SECRET_ARN: { Ref: logicalId(stack.slack.signingSecret) } });
    expect(env('slack-relay').BOT_TOKEN_ARN).toEqual(botToken);
    expect(env('slack-relay').SIGNING_SECRET_ARN).toBeUndefined();
    expect(secretReaders.sort()).toEqual(['slack-interactions', 'slack-relay']);
    for (const name of ['notify', 'request-decision'] as const) expect(actionsOf(roleStatements(json, roleId(name)))).toContain('lambda:InvokeFunction');
  });

  it('carry the validated rules compiled into every bundle that reads them, not in the environment', () => {
    // esbuild's define replaces the literal expression process.env.SCP_GUARDIAN_RULES only.
    const bundles = functions().map((fn) => {
      const bundle = path.join(assemblyDir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.js');
      return { fn: fn.Properties.Description as string, code: existsSync(bundle) ? readFileSync(bundle, 'utf8') : '' };
    });
    const readers = bundles.filter(({ code }) => code.includes('SCP_GUARDIAN_RULES'));
    const embedded = readers.map(({ fn, code }) => ({ fn, rulesInBundle: code.includes('p-denyleave1') && code.includes('OrgPipelineRole') }));

    expect(bundles.every(({ code }) => code.length > 0)).toBe(true);
    expect(readers.map(({ fn }) => fn)).toEqual(expect.arrayContaining([expect.stringMatching(/Classifies/), expect.stringMatching(/approvers/)]));
    expect(embedded).toEqual(embedded.map(({ fn }) => ({ fn, rulesInBundle: true })));
    expect(bundles.filter(({ code }) => code.includes('process.env.SCP_GUARDIAN_RULES'))).toEqual([]);
    for (const fn of functions()) expect(JSON.stringify(fn.Properties.Environment)).not.toContain('p-denyleave1');
  });
});

describe('IAM', () => {
  // Never granted to anyone (docs/contracts.md, "Writes to the organization"); the restore role's writes: test/infra/restore-permissions.test.ts.
  const NEVER = ['organizations:DeletePolicy', 'organizations:DisablePolicyType', 'organizations:CreatePolicy'];
  const writersOf = (action: string) => HANDLER_NAMES.filter((name) => actionsOf(roleStatements(json, roleId(name))).includes(action));

  const stateMachineRoleId = () => logicalId(stack.workflow.stateMachine.role);

  it('lets reattach and restore, and of the rest only the state machine (its first AttachPolicy), call organizations:AttachPolicy', () => {
    expect(writersOf('organizations:AttachPolicy')).toEqual(['reattach', 'restore']);
    const direct = roleStatements(json, stateMachineRoleId()).find((s) => asList(s.Action).includes('organizations:AttachPolicy'));
    const reattach = roleStatements(json, roleId('reattach')).find((s) => asList(s.Action).includes('organizations:AttachPolicy'));
    expect(direct?.Resource).toEqual(reattach?.Resource);
    expect(actionsOf(roleStatements(json, stateMachineRoleId())).filter((a) => a.startsWith('organizations:'))).toEqual(['organizations:AttachPolicy']);
    expect(actionsOf(roleStatements(json, roleId('reattach'))).filter((a) => a.startsWith('organizations:')).sort()).toEqual([
      'organizations:AttachPolicy',
      'organizations:ListPoliciesForTarget',
    ]);
  });

  it('lets classify make only the read calls it needs: names and types, and what a move or an update took away', () => {
    const actions = actionsOf(roleStatements(json, roleId('classify'))).filter((a) => a.startsWith('organizations:'));

    expect([...new Set(actions)].sort()).toEqual([
      'organizations:DescribeAccount',
      'organizations:DescribeOrganizationalUnit',
      'organizations:DescribePolicy',
      'organizations:ListParents',
      'organizations:ListPoliciesForTarget',
      'organizations:ListTargetsForPolicy',
    ]);
  });

  it('lets restore alone detach a policy (a forbidden one), and nothing update a policy when policyContent.restore is false', () => {
    expect(writersOf('organizations:DetachPolicy')).toEqual(['restore']);
    expect(writersOf('organizations:UpdatePolicy')).toEqual([]);
  });

  it('lets classify read the type of a policy of any type, so a detached tag policy is NOT_SCP in AWS too', () => {
    const describe = roleStatements(json, roleId('classify')).find((s) => asList(s.Action).includes('organizations:DescribePolicy'));

    expect(JSON.stringify(describe?.Resource)).toContain('tag_policy');
    expect(JSON.stringify(describe?.Resource)).toContain('service_control_policy');
  });

  it('scopes AttachPolicy to service control policies and to roots, OUs and accounts', () => {
    const attach = roleStatements(json, roleId('reattach')).find((s) => asList(s.Action).includes('organizations:AttachPolicy'));

    expect(asList(attach?.Resource).sort()).toEqual(
      [
        'arn:aws:organizations::*:policy/o-*/service_control_policy/p-*',
        'arn:aws:organizations::aws:policy/service_control_policy/p-*',
        'arn:aws:organizations::*:root/o-*/r-*',
        'arn:aws:organizations::*:ou/o-*/ou-*',
        'arn:aws:organizations::*:account/o-*/*',
      ].sort(),
    );
  });

  it('allows no statement anywhere to delete a policy, disable a policy type or create a policy, nor organizations:*', () => {
    const statements = allStatements(json).filter(({ statement }) => statement.Effect === 'Allow');
    const offending = statements.filter(({ statement }) => {
      if (statement.NotAction !== undefined) return true;
      return asList(statement.Action).some(
        (action) => typeof action !== 'string' || actionCovers(action, 'organizations:*') || NEVER.some((never) => actionCovers(action, never)),
      );
    });

    expect(statements.length).toBeGreaterThan(20);
    expect(offending.map(({ where }) => where)).toEqual([]);
  });

  it("lets the state machine's own claim put incident items only, nothing else in the table", () => {
    const dynamo = roleStatements(json, stateMachineRoleId()).filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));

    expect(dynamo).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:PutItem',
        Resource: { 'Fn::GetAtt': [logicalId(stack.auditStore.table), 'Arn'] },
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${INCIDENT_PK_PREFIX}*`] } },
      }),
    ]);
  });

  it('lets classify and admit touch the admission items alone (classify takes an auto incident\'s ticket)', () => {
    for (const name of ['classify', 'admit'] as const) {
      const dynamo = roleStatements(json, roleId(name)).filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo).toEqual([expect.objectContaining({ Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ADMISSION_PK_PREFIX}*`] } } })]);
    }
  });

  it('gives the table writers item-level access to the base table only', () => {
    const withoutTable = ['slack-relay'];
    for (const name of HANDLER_NAMES.filter((n) => !withoutTable.includes(n))) {
      const dynamo = roleStatements(json, roleId(name)).filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')));

      expect(dynamo).toHaveLength(1);
      expect(dynamo[0].Resource).toEqual({ 'Fn::GetAtt': [logicalId(stack.auditStore.table), 'Arn'] });
      expect(actionsOf(dynamo)).not.toEqual(expect.arrayContaining(['dynamodb:Scan']));
      expect(actionsOf(dynamo)).not.toEqual(expect.arrayContaining(['dynamodb:DeleteItem']));
    }
    for (const name of withoutTable) expect(actionsOf(roleStatements(json, roleId(name as (typeof HANDLER_NAMES)[number]))).some((a) => a.startsWith('dynamodb:'))).toBe(false);
  });
});

describe('cdk-nag', () => {
  it.each([
    ['AwsSolutionsChecks', () => new AwsSolutionsChecks()],
    ['ServerlessChecks', () => new ServerlessChecks()],
  ])('%s finds nothing unacknowledged', (_name, pack) => {
    const report = pack().validateScope(stack);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

    expect(findings).toEqual([]);
  });

  it('acknowledges every finding with a reason of its own', () => {
    const acknowledgements: { id: string; reason: string; at: string }[] = [];
    const visit = (construct: IConstruct): void => {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acknowledgements.push({ id, reason, at: construct.node.path });
      }
      construct.node.children.forEach(visit);
    };
    visit(stack);

    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { id, reason } of acknowledgements) {
      expect({ id, reason: reason.length >= 80 }).toEqual({ id, reason: true });
    }
    expect(acknowledgements.some(({ id }) => id.includes('AwsSolutions-IAM5[Resource::*]'))).toBe(true);
  });
});

describe('outputs', () => {
  it('name the table, state machine, topic, Slack URL, secrets, dead-letter queue and sweep function', () => {
    const outputs = Object.values(json.Outputs ?? {}).map((o) => JSON.stringify(o.Value));
    const expected = [
      { Ref: logicalId(stack.auditStore.table) },
      { Ref: logicalId(stack.workflow.stateMachine) },
      { Ref: logicalId(stack.notifications.topic) },
      { 'Fn::GetAtt': [logicalId(stack.slack.url), 'FunctionUrl'] },
      { Ref: logicalId(stack.slack.botToken) },
      { Ref: logicalId(stack.slack.signingSecret) },
      { Ref: logicalId(stack.intake.deadLetterQueue) },
      { Ref: logicalId(stack.sweep.function) },
    ].map((value) => JSON.stringify(value));

    expect(outputs.sort()).toEqual(expected.sort());
  });
});

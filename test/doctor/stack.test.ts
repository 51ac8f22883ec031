import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { DescribeSecretCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { DEFAULT_STACK_NAME } from '../../cli/commands/doctor';
import { stackChecks, type StackClients } from '../../cli/doctor/stack';
import { AuditQueries } from '../../functions/shared/audit/queries';
import { toDocumentClient } from '../../functions/shared/clients/dynamodb';
import { parseProtectionRules } from '../../functions/shared/rules/load';
import { STACK_NAME } from '../../infra/app';
import { ACCOUNT, BOT_TOKEN, healthyAccount, mockAws, mocks, RULES, SIGNING, STACK_FUNCTIONS, TABLE, TOPIC, type FakeAccount } from './support';

const NOW = new Date();
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();
const rules = parseProtectionRules(RULES);
const { lambda, sns, secrets } = mocks;

const clients: StackClients = {
  lambda: new LambdaClient({ region: 'us-east-1' }),
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

describe('doctor: the deployed stack', () => {
  it('looks for the stack under the name the CDK app gives it', () => {
    expect(DEFAULT_STACK_NAME).toBe(STACK_NAME);
  });

  it('passes a deployed stack whose alarms reach the topic, whose secrets are set, with a recent self-test and canary', async () => {
    const { checks, stack } = await run();

    expect(checks.map((check) => [check.name, check.status, check.detail])).toEqual([
      ['stack deployed', 'ok', 'ScpGuardian: 4 functions, state machine RemediationStateMachine1234 ACTIVE'],
      [
        'alarms can reach the topic',
        'warn',
        `ScpGuardian-NotificationsTopic1234-ABCDEF's policy lets CloudWatch alarms publish; it is encrypted with KMS key arn:aws:kms:us-east-1:${ACCOUNT}:key/abc, whose key policy doctor does not read: alarms fail unless it lets cloudwatch.amazonaws.com use the key`,
      ],
      ['Slack secrets set', 'ok', 'the bot token and the signing secret have values'],
      ['last self-test passed', 'ok', 'selftest-1, 6 h ago'],
      ['last canary passed', 'ok', 'canary-1, 6 h ago: REATTACHED'],
    ]);
    expect(stack?.environment.TABLE).toBe(TABLE);
  });

  it('fails when no function of the stack exists: not deployed', async () => {
    lambda.reset().on(ListFunctionsCommand).resolves({ Functions: [{ FunctionName: 'someone-elses-function' }] });

    const { checks } = await run();

    expect(checks[0]).toMatchObject({ name: 'stack deployed', status: 'fail', fix: expect.stringContaining('npx cdk deploy') });
    expect(checks.slice(1).every((check) => check.status === 'skip')).toBe(true);
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
    lambda.reset().on(ListFunctionsCommand).resolves({ Functions: STACK_FUNCTIONS.slice(0, 3) });

    expect((await statuses())['last canary passed']).toBe('fail');
  });

  it('names lambda:ListFunctions when it is denied', async () => {
    lambda.reset().on(ListFunctionsCommand).rejects(Object.assign(new Error(`User: arn:aws:iam::${ACCOUNT}:user/doc is not authorized to perform: lambda:ListFunctions on resource: *`), { name: 'AccessDeniedException' }));

    const { checks } = await run();

    expect(checks[0]).toMatchObject({ name: 'stack deployed', status: 'fail', detail: 'access denied: the caller lacks lambda:ListFunctions' });
  });

  it('names secretsmanager:DescribeSecret when it is denied', async () => {
    secrets.on(DescribeSecretCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    const slack = (await run()).checks.find((check) => check.name === 'Slack secrets set');

    expect(slack?.detail).toBe('access denied: the caller lacks secretsmanager:DescribeSecret');
  });
});

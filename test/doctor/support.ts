import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { LambdaClient, ListFunctionsCommand, type FunctionConfiguration } from '@aws-sdk/client-lambda';
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
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { STACK_ENVIRONMENT } from '../../cli/doctor/stack';
import { DesiredPartition } from '../../functions/shared/audit/table-schema';

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

const fn = (name: string, variables: Record<string, string>): FunctionConfiguration => ({ FunctionName: `ScpGuardian-${name}`, Environment: { Variables: variables } });
export const STACK_FUNCTIONS = [
  fn('SweepFunction1234-AAAA', { [STACK_ENVIRONMENT.TABLE]: TABLE, [STACK_ENVIRONMENT.STATE_MACHINE]: STATE_MACHINE }),
  fn('HandlersNotify1234-BBBB', { [STACK_ENVIRONMENT.TABLE]: TABLE, [STACK_ENVIRONMENT.TOPIC]: TOPIC }),
  fn('HandlersSlackInteractions-CCCC', { [STACK_ENVIRONMENT.BOT_TOKEN]: BOT_TOKEN, [STACK_ENVIRONMENT.SIGNING_SECRET]: SIGNING }),
  fn('HandlersClassify-DDDD', { [STACK_ENVIRONMENT.CANARY_ROLE]: `arn:aws:iam::${ACCOUNT}:role/ScpGuardian-CanaryRole` }),
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
  };
}

const scp = (policyId: string) => ({ Policy: { PolicySummary: { Id: policyId, Name: policyId, Type: 'SERVICE_CONTROL_POLICY' }, Content: `{"Version":"2012-10-17","Statement":[],"Sid":"${policyId}"}` } });

/** Every mock answering from `account`, read at call time. */
export function mockAws(account: FakeAccount, now: Date): void {
  for (const mock of Object.values(mocks)) mock.reset();
  const { sts, organizations, cloudTrail, lambda, sfn, sns, secrets, dynamodb } = mocks;
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

  // Two pages, with another application's function among the stack's.
  lambda.on(ListFunctionsCommand).resolvesOnce({ Functions: [{ FunctionName: 'someone-elses-function' }, STACK_FUNCTIONS[0]], NextMarker: 'page-2' }).resolves({ Functions: STACK_FUNCTIONS.slice(1) });
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

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditStore } from '../../functions/shared/audit/audit-store';
import type { DecisionAnnouncer } from '../../functions/shared/decisions/decide';
import { decideIncident, explainDecision } from './decide-incident';
import { DecisionStore } from '../../functions/shared/decisions/decision-store';
import { describeError } from '../../functions/shared/errors';
import { silentLog } from '../../functions/shared/log';
import { toDocumentClient } from '../../functions/shared/clients/dynamodb';
import { createDecisionAnnouncer } from '../../functions/shared/slack/decision-announcer';
import { SlackNotifier } from '../../functions/shared/slack/slack-notifier';
import type { HumanDecision } from '../../functions/shared/vocabulary';
import { DecideCommandError, type DecideOutcome } from './outcome';

/** The stack is pinned to us-east-1, where CloudTrail delivers Organizations events. */
export const STACK_REGION = 'us-east-1';

/** The AWS clients `decide` uses; tests point them at local endpoints. */
export interface AwsDecideClients {
  sts: STSClient;
  dynamodb: DynamoDBDocumentClient;
  sfn: SFNClient;
  secrets: SecretsManagerClient;
}

/** Clients for `region` with the default credential chain (environment, profile, SSO, ...). */
export function awsClients(region: string): AwsDecideClients {
  return {
    sts: new STSClient({ region }),
    dynamodb: toDocumentClient(new DynamoDBClient({ region })),
    sfn: new SFNClient({ region }),
    secrets: new SecretsManagerClient({ region }),
  };
}

/** A decision against the deployed stack. */
export interface AwsDecisionRequest {
  incidentId: string;
  decision: HumanDecision;
  reason?: string;
  /**
   * For an override: how long it lasts, in minutes. Bounded by the rules' overrides as the
   * decision request recorded them (else their defaults): the command has no rules of its own.
   */
  forMinutes?: number;
  /** The stack's AuditTableName output. */
  tableName: string;
  /** The stack's BotTokenSecretArn output: with it, the Slack message shows the decision at once. */
  botTokenSecretArn?: string;
  /** Another Slack Web API base URL (a stand-in); the real Slack by default. */
  slackApiUrl?: string;
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);

/** Translates an SDK error into the one line the caller needs. */
function explainAwsError(error: unknown, tableName: string): DecideCommandError {
  const name = error instanceof Error ? error.name : '';
  if (CREDENTIAL_ERRORS.has(name)) {
    return new DecideCommandError(`no usable AWS credentials (${describeError(error)}): set AWS_PROFILE, run aws sso login, or export credentials`, { cause: error });
  }
  if (name === 'ResourceNotFoundException') {
    return new DecideCommandError(`no table ${tableName} in this account and region: give the stack's AuditTableName output with --table`, { cause: error });
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new DecideCommandError(`access denied: ${describeError(error)}`, { cause: error });
  }
  return new DecideCommandError(describeError(error), { cause: error });
}

/** The caller's IAM identity, recorded as the decider. */
async function callerArn(sts: STSClient): Promise<string> {
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (identity.Arn === undefined) throw new DecideCommandError('STS GetCallerIdentity answered without an ARN');
  return identity.Arn;
}

async function slackAnnouncer(clients: AwsDecideClients, request: AwsDecisionRequest & { botTokenSecretArn: string }, audit: AuditStore): Promise<DecisionAnnouncer> {
  const secret = await clients.secrets.send(new GetSecretValueCommand({ SecretId: request.botTokenSecretArn }));
  const token = secret.SecretString?.trim();
  if (!token) throw new DecideCommandError(`--bot-token-secret ${request.botTokenSecretArn} holds no bot token yet`);
  return createDecisionAnnouncer({ slack: new SlackNotifier({ token, slackApiUrl: request.slackApiUrl }), audit, log: silentLog });
}

/**
 * `scp-guardian decide` against AWS: the caller's identity from STS, the incident and its
 * decision id from the audit table, then the same `decide()` a Slack click goes through,
 * which calls SendTaskSuccess. IAM authorises the caller; there is no approver list here.
 */
export async function decideOnAws(request: AwsDecisionRequest, clients: AwsDecideClients): Promise<DecideOutcome> {
  try {
    const by = await callerArn(clients.sts);
    const audit = new AuditStore(clients.dynamodb, request.tableName);
    const { botTokenSecretArn } = request;
    const announce = botTokenSecretArn === undefined ? undefined : await slackAnnouncer(clients, { ...request, botTokenSecretArn }, audit);
    const decided = await decideIncident(
      { incidentId: request.incidentId, decision: request.decision, by, reason: request.reason, forMinutes: request.forMinutes },
      { decisions: new DecisionStore(clients.dynamodb, request.tableName), audit, sfn: clients.sfn, approvers: [], announce },
    );
    const explained = explainDecision(decided);
    const note =
      explained.ok && announce === undefined
        ? 'the Slack message shows this decision when the incident closes; give --bot-token-secret (the BotTokenSecretArn output) to update it at once'
        : undefined;
    return { ok: explained.ok, message: explained.message, note };
  } catch (error) {
    if (error instanceof DecideCommandError) throw error;
    throw explainAwsError(error, request.tableName);
  }
}

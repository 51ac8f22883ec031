import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditStore } from '../shared/audit/audit-store';
import { decide } from '../shared/decisions/decide';
import { DecisionStore } from '../shared/decisions/decision-store';
import { parseProtectionRules } from '../shared/rules/load';
import { SlackDeliveryError, SlackNotifier } from '../shared/slack/slack-notifier';
import {
  createInteractionProcessor,
  type InteractionDependencies,
  type InteractionProcessor,
  type InteractionResponse,
} from './interactions';

/** The parts of a Lambda function URL event (payload format 2.0) this handler reads. */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

const SECRET_TTL_MS = 5 * 60 * 1000;
const logger = new Logger({ serviceName: 'scp-guardian', logLevel: 'INFO' });
let processor: InteractionProcessor | undefined;

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** Reads a Secrets Manager string, kept for five minutes so a rotation reaches warm containers. */
function cachedSecret(client: SecretsManagerClient, secretId: string): () => Promise<string | undefined> {
  let cached: { value: string | undefined; until: number } | undefined;
  return async () => {
    if (cached !== undefined && cached.until > Date.now()) return cached.value;
    const answer = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    cached = { value: answer.SecretString?.trim() || undefined, until: Date.now() + SECRET_TTL_MS };
    return cached.value;
  };
}

/** A notifier built on first use, and again when the bot token changes. */
function lazySlack(token: () => Promise<string | undefined>, slackApiUrl: string | undefined): InteractionDependencies['slack'] {
  let current: { token: string; notifier: SlackNotifier } | undefined;
  const notifier = async (method: string) => {
    const value = await token();
    if (value === undefined) throw new SlackDeliveryError(method, 'no_bot_token_configured');
    // Tight budget: Slack wants the interaction answered within three seconds.
    if (current?.token !== value) current = { token: value, notifier: new SlackNotifier({ token: value, slackApiUrl, retries: 1, maxRetryAfterSeconds: 1, timeoutMs: 2000 }) };
    return current.notifier;
  };
  return {
    update: async (channel, ts, message) => (await notifier('chat.update')).update(channel, ts, message),
    postEphemeral: async (channel, user, text) => (await notifier('chat.postEphemeral')).postEphemeral(channel, user, text),
    openModal: async (triggerId, view) => (await notifier('views.open')).openModal(triggerId, view),
  };
}

/** Wires the processor to DynamoDB, Step Functions, Secrets Manager and Slack from the environment. */
export function dependenciesFromEnv(env: NodeJS.ProcessEnv): InteractionDependencies {
  const rules = parseProtectionRules(JSON.parse(requireEnv(env, 'SCP_GUARDIAN_RULES')), 'SCP_GUARDIAN_RULES');
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const tableName = requireEnv(env, 'TABLE_NAME');
  const audit = new AuditStore(db, tableName);
  const decisions = new DecisionStore(db, tableName);
  const sfn = new SFNClient({});
  const secrets = new SecretsManagerClient({});
  return {
    signingSecret: cachedSecret(secrets, requireEnv(env, 'SIGNING_SECRET_ARN')),
    decide: (input) => decide(input, { decisions, audit, sfn, approvers: rules.approval.approvers }),
    getDecisionRequest: (decisionId) => decisions.get(decisionId),
    getIncident: async (incidentId) => (await audit.getIncident(incidentId))?.incident,
    slack: lazySlack(cachedSecret(secrets, requireEnv(env, 'BOT_TOKEN_ARN')), env.SLACK_API_URL || undefined),
    clock: () => new Date(),
    logger,
  };
}

/** Lambda function URL handler for Slack's interactivity requests. */
export async function handler(event: FunctionUrlEvent): Promise<InteractionResponse> {
  processor ??= createInteractionProcessor(dependenciesFromEnv(process.env));
  return processor({ headers: event.headers ?? {}, body: event.body, isBase64Encoded: event.isBase64Encoded });
}

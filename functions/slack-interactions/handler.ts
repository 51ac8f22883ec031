import { Logger } from '@aws-lambda-powertools/logger';
import { AuditStore } from '../shared/audit/audit-store';
import { decide } from '../shared/decisions/decide';
import { DecisionStore } from '../shared/decisions/decision-store';
import type { ProtectionRules } from '../shared/rules/schema';
import { rulesFromEnvironment } from '../shared/runtime';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSfnClient } from '../shared/clients/sfn';
import { secretValue } from '../shared/secrets';
import { createDecisionAnnouncer } from '../shared/slack/decision-announcer';
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

const logger = new Logger({ serviceName: 'scp-guardian', logLevel: 'INFO' });
let processor: InteractionProcessor | undefined;

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** A notifier built on first use, and again when the bot token changes. */
function lazySlack(token: () => Promise<string | undefined>, slackApiUrl: string | undefined): Pick<SlackNotifier, 'update' | 'postEphemeral' | 'openModal'> {
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
export function dependenciesFromEnv(env: NodeJS.ProcessEnv, rules: ProtectionRules): InteractionDependencies {
  const tableName = requireEnv(env, 'TABLE_NAME');
  const signingSecretArn = requireEnv(env, 'SIGNING_SECRET_ARN');
  const botTokenArn = requireEnv(env, 'BOT_TOKEN_ARN');
  const audit = new AuditStore(defaultDocumentClient(), tableName);
  const decisions = new DecisionStore(defaultDocumentClient(), tableName);
  const slack = lazySlack(() => secretValue(botTokenArn), env.SLACK_API_URL || undefined);
  const announce = createDecisionAnnouncer({ slack, audit, log: { warn: (m, d) => logger.warn(m, d ?? {}), error: (m, d) => logger.error(m, d ?? {}) } });
  return {
    signingSecret: () => secretValue(signingSecretArn),
    decide: (input) => decide(input, { decisions, audit, sfn: defaultSfnClient(), approvers: rules.approval.approvers, announce }),
    getDecisionRequest: (decisionId) => decisions.get(decisionId),
    getIncident: async (incidentId) => (await audit.getIncident(incidentId))?.incident,
    slack,
    clock: () => new Date(),
    logger,
  };
}

/** Lambda function URL handler for Slack's interactivity requests. */
export async function handler(event: FunctionUrlEvent): Promise<InteractionResponse> {
  processor ??= createInteractionProcessor(dependenciesFromEnv(process.env, rulesFromEnvironment()));
  return processor({ headers: event.headers ?? {}, body: event.body, isBase64Encoded: event.isBase64Encoded });
}

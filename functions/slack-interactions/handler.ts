import { Logger } from '@aws-lambda-powertools/logger';
import { AuditStore } from '../shared/audit/audit-store';
import { cloudWatchMetricSink } from '../shared/incident-metrics';
import { decide } from '../shared/decisions/decide';
import { DecisionStore } from '../shared/decisions/decision-store';
import type { ProtectionRules } from '../shared/rules/schema';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSfnClient } from '../shared/clients/sfn';
import { secretValue } from '../shared/secrets';
import { relaySlackCall, slackRelayCallOf, type SlackRelayRequest, type SlackRelayResponse } from '../shared/notifications/slack-relay';
import { createDecisionAnnouncer } from '../shared/slack/decision-announcer';
import { SlackDeliveryError, SlackNotifier, type SlackNotifierOptions } from '../shared/slack/slack-notifier';
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

/** A Slack client built on first use, and again when the bot token changes. */
function lazyNotifier(token: () => Promise<string | undefined>, options: Omit<SlackNotifierOptions, 'token'>): (method: string) => Promise<SlackNotifier> {
  let current: { token: string; notifier: SlackNotifier } | undefined;
  return async (method) => {
    const value = await token();
    if (value === undefined) throw new SlackDeliveryError(method, 'no_bot_token_configured');
    if (current?.token !== value) current = { token: value, notifier: new SlackNotifier({ ...options, token: value }) };
    return current.notifier;
  };
}

type SlackCalls = Pick<SlackNotifier, 'post' | 'update' | 'postEphemeral' | 'openModal'>;

function slackCalls(notifier: (method: string) => Promise<SlackNotifier>): SlackCalls {
  return {
    post: async (channel, message) => (await notifier('chat.postMessage')).post(channel, message),
    update: async (channel, ts, message) => (await notifier('chat.update')).update(channel, ts, message),
    postEphemeral: async (channel, user, text) => (await notifier('chat.postEphemeral')).postEphemeral(channel, user, text),
    openModal: async (triggerId, view) => (await notifier('views.open')).openModal(triggerId, view),
  };
}

/** Wires the processor to DynamoDB, Step Functions, Secrets Manager and Slack from the environment. */
export function dependenciesFromEnv(env: NodeJS.ProcessEnv, rules: ProtectionRules): InteractionDependencies {
  const tableName = requireEnv('TABLE_NAME', env);
  const signingSecretArn = requireEnv('SIGNING_SECRET_ARN', env);
  const botTokenArn = requireEnv('BOT_TOKEN_ARN', env);
  const audit = new AuditStore(defaultDocumentClient(), tableName);
  const decisions = new DecisionStore(defaultDocumentClient(), tableName);
  // Tight budget: Slack wants an interaction answered within three seconds.
  const slack = slackCalls(lazyNotifier(() => secretValue(botTokenArn), { slackApiUrl: env.SLACK_API_URL || undefined, retries: 1, maxRetryAfterSeconds: 1, timeoutMs: 2000 }));
  const announce = createDecisionAnnouncer({ slack, audit, log: { warn: (m, d) => logger.warn(m, d ?? {}), error: (m, d) => logger.error(m, d ?? {}) } });
  return {
    signingSecret: () => secretValue(signingSecretArn),
    decide: (input) => decide(input, { decisions, audit, sfn: defaultSfnClient(), approvers: rules.approval.approvers, slackTeamId: rules.notify.slackTeamId, announce }),
    getDecisionRequest: (decisionId) => decisions.get(decisionId),
    getIncident: async (incidentId) => (await audit.getIncident(incidentId))?.incident,
    slack,
    slackIdentity: rules.notify,
    audit,
    clock: () => new Date(),
    logger,
    metrics: cloudWatchMetricSink(),
  };
}

let relaySlack: SlackCalls | undefined;

/**
 * The one function that talks to Slack: Slack's interactivity requests arrive through the
 * function URL (signed, verified here); the workflow's posts and updates arrive as relay
 * requests by IAM-authorised Invoke from notify and request-decision.
 */
export async function handler(event: FunctionUrlEvent | SlackRelayRequest): Promise<InteractionResponse | SlackRelayResponse> {
  const relayCall = slackRelayCallOf(event);
  if (relayCall !== undefined) {
    // The workflow's notices may wait longer for Slack than a person's click can.
    // Within the function's 10 s: two attempts of at most 2.5 s, and a Retry-After of at most 2 s.
    relaySlack ??= slackCalls(
      lazyNotifier(() => secretValue(requireEnv('BOT_TOKEN_ARN')), { slackApiUrl: process.env.SLACK_API_URL || undefined, retries: 1, timeoutMs: 2500, maxRetryAfterSeconds: 2 }),
    );
    return relaySlackCall(relayCall, relaySlack);
  }
  const request = event as FunctionUrlEvent;
  processor ??= createInteractionProcessor(dependenciesFromEnv(process.env, rulesFromEnvironment()));
  return processor({ headers: request.headers ?? {}, body: request.body, isBase64Encoded: request.isBase64Encoded });
}

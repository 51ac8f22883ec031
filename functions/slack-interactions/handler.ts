import { Logger } from '@aws-lambda-powertools/logger';
import { AuditStore } from '../shared/audit/audit-store';
import { cloudWatchMetricSink } from '../shared/incident-metrics';
import { decide } from '../shared/decisions/decide';
import { DecisionStore } from '../shared/decisions/decision-store';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { once, requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSfnClient } from '../shared/clients/sfn';
import { secretValue } from '../shared/secrets';
import { createDecisionAnnouncer } from '../shared/slack/decision-announcer';
import { lazySlackCalls } from '../shared/slack/lazy-notifier';
import { createInteractionProcessor, type InteractionDependencies, type InteractionResponse } from './interactions';

/** The parts of a Lambda function URL event (payload format 2.0) this handler reads. */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

const logger = new Logger({ serviceName: 'scp-guardian', logLevel: 'INFO' });

/** Wires the processor to DynamoDB, Step Functions, Secrets Manager and Slack from the environment. */
export function dependenciesFromEnv(env: NodeJS.ProcessEnv, rules: ProtectionRules): InteractionDependencies {
  const tableName = requireEnv('TABLE_NAME', env);
  const signingSecretArn = requireEnv('SIGNING_SECRET_ARN', env);
  const botTokenArn = requireEnv('BOT_TOKEN_ARN', env);
  const audit = new AuditStore(defaultDocumentClient(), tableName);
  const decisions = new DecisionStore(defaultDocumentClient(), tableName);
  // Tight budget: Slack wants an interaction answered within three seconds.
  const slack = lazySlackCalls(() => secretValue(botTokenArn), { slackApiUrl: env.SLACK_API_URL || undefined, retries: 1, maxRetryAfterSeconds: 1, timeoutMs: 2000 });
  const announce = createDecisionAnnouncer({ slack, audit, log: { warn: (m, d) => logger.warn(m, d ?? {}), error: (m, d) => logger.error(m, d ?? {}) } });
  return {
    signingSecret: () => secretValue(signingSecretArn),
    decide: (input) =>
      decide(input, { decisions, audit, sfn: defaultSfnClient(), approvers: rules.approval.approvers, slackTeamId: rules.notify.slackTeamId, overrides: rules.overrides, announce }),
    getDecisionRequest: (decisionId) => decisions.get(decisionId),
    getIncident: async (incidentId) => (await audit.getIncident(incidentId))?.incident,
    slack,
    slackIdentity: rules.notify,
    overrides: rules.overrides,
    audit,
    clock: () => new Date(),
    logger,
    metrics: cloudWatchMetricSink(),
  };
}

/**
 * Slack's interactivity requests (button clicks, the reason dialog) through the public function
 * URL: each is verified by its signature, then answered. This function relays nothing for the
 * workflow: notify and request-decision post through slack-relay, so the reserved concurrency
 * that caps a flood of this URL never throttles their posts.
 */
export function createSlackInteractionsHandler(deps: InteractionDependencies) {
  const processor = createInteractionProcessor(deps);
  return (event: FunctionUrlEvent): Promise<InteractionResponse> =>
    processor({ headers: event.headers ?? {}, body: event.body, isBase64Encoded: event.isBase64Encoded });
}

const defaultHandler = once(() => createSlackInteractionsHandler(dependenciesFromEnv(process.env, rulesFromEnvironment())));
export const handler = (event: FunctionUrlEvent) => defaultHandler()(event);

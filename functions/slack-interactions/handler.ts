import type { SFNClient } from '@aws-sdk/client-sfn';
import { AuditStore } from '../shared/audit/audit-store';
import { decide, type DecideDependencies } from '../shared/decisions/decide';
import { DecisionStore } from '../shared/decisions/decision-store';
import type { MetricSink } from '../shared/incident-metrics';
import { lambdaMetricSink } from '../shared/lambda-metrics';
import { lambdaHandler } from '../shared/lambda-handler';
import { lambdaLog, type Log } from '../shared/log';
import type { SlackPoster } from '../shared/slack/slack-poster';
import type { ProtectionRules } from '../shared/rules/protection-rules';
import { requireEnv, rulesFromEnvironment } from '../shared/runtime';
import { defaultDocumentClient } from '../shared/clients/dynamodb';
import { defaultSfnClient } from '../shared/clients/sfn';
import { secretValue } from '../shared/secrets';
import { createDecisionAnnouncer } from '../shared/slack/decision-announcer';
import { lazySlackCalls } from '../shared/slack/lazy-notifier';
import type { SlackNotifier } from '../shared/slack/slack-notifier';
import { createInteractionProcessor, type InteractionResponse } from './interactions';

/** The parts of a Lambda function URL event (payload format 2.0) this handler reads. */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface SlackInteractionsDependencies {
  /** The approvers, where decisions may come from (`notify`: channel, workspace, app) and the override bounds. */
  rules: Pick<ProtectionRules, 'approval' | 'notify' | 'overrides'>;
  audit: AuditStore;
  decisions: DecisionStore;
  /** Step Functions, to resume the waiting execution with the decision. */
  sfn: SFNClient;
  /** The app's signing secret; undefined fails every request (closed). */
  signingSecret: () => Promise<string | undefined>;
  /** Slack with the bot token: the answers to a click, and the decided incident's message redrawn. */
  slack: Pick<SlackPoster, 'update'> & Pick<SlackNotifier, 'postEphemeral' | 'openModal'>;
  /** Counts refused requests, which an alarm watches. */
  metrics: MetricSink;
  log?: Log;
  clock?: () => Date;
}

/** How a Slack decision is taken (the same for `scp-guardian decide` run locally): the rules' approvers, the message redrawn. */
export function slackDecideDependencies(deps: SlackInteractionsDependencies): DecideDependencies {
  const { rules } = deps;
  return {
    decisions: deps.decisions,
    audit: deps.audit,
    sfn: deps.sfn,
    approvers: rules.approval.approvers,
    slackTeamId: rules.notify.slackTeamId,
    overrides: rules.overrides,
    announce: createDecisionAnnouncer({ slack: deps.slack, audit: deps.audit, log: deps.log ?? lambdaLog() }),
  };
}

/**
 * Slack's interactivity requests (button clicks, the reason dialog) through the public function
 * URL: each is verified by its signature, then answered. This function relays nothing for the
 * workflow: notify and request-decision post through slack-relay, so the reserved concurrency
 * that caps a flood of this URL never throttles their posts.
 */
export function createSlackInteractionsHandler(deps: SlackInteractionsDependencies) {
  const decideDeps = slackDecideDependencies(deps);
  const processor = createInteractionProcessor({
    signingSecret: deps.signingSecret,
    // Slack decisions: the pair (notify.slackTeamId, user id), from the rules' app and channel only.
    decide: (input) => decide(input, decideDeps),
    getDecisionRequest: (decisionId) => deps.decisions.get(decisionId),
    getIncident: async (incidentId) => (await deps.audit.getIncident(incidentId))?.incident,
    slack: deps.slack,
    slackIdentity: deps.rules.notify,
    overrides: deps.rules.overrides,
    audit: deps.audit,
    clock: deps.clock ?? (() => new Date()),
    logger: deps.log ?? lambdaLog(),
    metrics: deps.metrics,
  });
  return (event: FunctionUrlEvent): Promise<InteractionResponse> =>
    processor({ headers: event.headers ?? {}, body: event.body, isBase64Encoded: event.isBase64Encoded });
}

/** Wires the handler to DynamoDB, Step Functions, Secrets Manager and Slack from the environment. */
export function dependenciesFromEnv(env: NodeJS.ProcessEnv, rules: ProtectionRules, metrics: MetricSink): SlackInteractionsDependencies {
  const tableName = requireEnv('TABLE_NAME', env);
  const signingSecretArn = requireEnv('SIGNING_SECRET_ARN', env);
  const botTokenArn = requireEnv('BOT_TOKEN_ARN', env);
  return {
    rules,
    audit: new AuditStore(defaultDocumentClient(), tableName),
    decisions: new DecisionStore(defaultDocumentClient(), tableName),
    sfn: defaultSfnClient(),
    signingSecret: () => secretValue(signingSecretArn),
    // Tight budget: Slack wants an interaction answered within three seconds.
    slack: lazySlackCalls(() => secretValue(botTokenArn), { slackApiUrl: env.SLACK_API_URL || undefined, retries: 1, maxRetryAfterSeconds: 1, timeoutMs: 2000 }),
    metrics,
  };
}

const metrics = lambdaMetricSink();
export const handler = lambdaHandler(() => createSlackInteractionsHandler(dependenciesFromEnv(process.env, rulesFromEnvironment(), metrics)));

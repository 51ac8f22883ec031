import type { DecideInput, DecideResult } from '../shared/decisions/decide';
import type { DecisionRequest } from '../shared/decisions/decision-store';
import { describeError } from '../shared/errors';
import type { Incident } from '../shared/incident';
import {
  parseInteractionPayload,
  type BlockActionInteraction,
  type ViewSubmissionInteraction,
} from '../shared/slack/interaction-payload';
import { OverrideModal, SlackActionId, formatDecider, overrideModal } from '../shared/slack/messages';
import { decodeBody, verifySlackRequest } from '../shared/slack/signature';
import type { MetricSink } from '../shared/incident-metrics';
import { MetricName } from '../shared/metrics';
import type { SlackNotifier } from '../shared/slack/slack-notifier';
import { Decision } from '../shared/vocabulary';

/** An HTTP request as a Lambda function URL (or the local server) delivers it. */
export interface InteractionRequest {
  headers: Readonly<Record<string, string | undefined>>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** The HTTP answer; Slack wants an empty 200 to acknowledge, or JSON for a modal. */
export interface InteractionResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Structured logging; the Powertools Logger fits. */
export interface InteractionLogger {
  info(message: string, detail: Record<string, unknown>): void;
  warn(message: string, detail: Record<string, unknown>): void;
  error(message: string, detail: Record<string, unknown>): void;
}

/** Everything the processor talks to, injectable for tests and the local runner. */
export interface InteractionDependencies {
  /** The app's signing secret; undefined fails every request (closed). */
  signingSecret: () => Promise<string | undefined>;
  decide: (input: DecideInput) => Promise<DecideResult>;
  getDecisionRequest: (decisionId: string) => Promise<DecisionRequest | undefined>;
  getIncident: (incidentId: string) => Promise<Incident | undefined>;
  slack: Pick<SlackNotifier, 'postEphemeral' | 'openModal'>;
  clock: () => Date;
  logger?: InteractionLogger;
  /** Counts refused requests (forgeries, or a wrong signing secret), which an alarm watches. */
  metrics?: MetricSink;
}

/** Answers one Slack interaction request. */
export type InteractionProcessor = (request: InteractionRequest) => Promise<InteractionResponse>;

/** What the person who clicked reads when their click changed nothing. */
export const RefusalText = {
  notAuthorised: 'You are not an approver for scp-guardian decisions, so nothing was changed. Ask one of the approvers named in the protection rules.',
  alreadyDecided: (request: DecisionRequest) =>
    `This request was already decided by ${formatDecider(request.decidedBy)} at ${request.decidedAt ?? 'an earlier time'} (${request.decision ?? 'decided'}). Nothing was changed.`,
  expired: 'This request has expired: the approval window closed and the rule\'s timeout action (onTimeout) applied. Nothing was changed.',
  // Decision items expire (TTL) at the deadline, so an unknown id is most often an expired one.
  unknown: 'This request has expired, or was never made: scp-guardian has no pending decision with this id. Nothing was changed.',
  reasonRequired: 'Give a reason for keeping the policy detached; it goes into the audit trail.',
  modalFailed: 'Could not open the reason dialog. Click "Keep detached" again, or use `scp-guardian decide` from a terminal.',
} as const;

const OK: InteractionResponse = { statusCode: 200, headers: {}, body: '' };

function plain(statusCode: number, body: string): InteractionResponse {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/** Keeps the modal open and shows `message` under the reason field. */
function viewErrors(message: string): InteractionResponse {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response_action: 'errors', errors: { [OverrideModal.REASON_BLOCK_ID]: message } }),
  };
}

function lowerCaseKeys(headers: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

/** Why a result refused the decision, in words for the person who tried; undefined when accepted. */
function refusalText(result: DecideResult): string | undefined {
  switch (result.status) {
    case 'accepted':
      return undefined;
    case 'not-authorised':
      return RefusalText.notAuthorised;
    case 'already-decided':
      return RefusalText.alreadyDecided(result.request);
    case 'expired':
      return RefusalText.expired;
    case 'unknown':
      return RefusalText.unknown;
    case 'reason-required':
      return RefusalText.reasonRequired;
  }
}

/** The refusal a click on a request in this state would get, checked before opening a modal. */
function preflightRefusal(request: DecisionRequest | undefined, now: Date): string | undefined {
  if (request === undefined) return RefusalText.unknown;
  if (request.decision !== undefined) return RefusalText.alreadyDecided(request);
  if (Date.parse(request.deadline) <= now.getTime()) return RefusalText.expired;
  return undefined;
}

/**
 * Slack's interactions endpoint: verifies the signature, then turns a "Reattach now" click into
 * an APPROVE, a "Keep detached" click into the reason modal, and the modal's submission into an
 * OVERRIDE. A taken decision is never turned into an error by a Slack call failing afterwards.
 */
export function createInteractionProcessor(deps: InteractionDependencies): InteractionProcessor {
  const log = deps.logger ?? console;

  async function ephemeral(channel: string | undefined, user: string, text: string): Promise<void> {
    if (channel === undefined) {
      log.warn('no channel to answer the click in', { user, text });
      return;
    }
    try {
      await deps.slack.postEphemeral(channel, user, text);
    } catch (error) {
      log.error('could not post an ephemeral answer', { channel, user, error: describeError(error) });
    }
  }

  async function approve(click: BlockActionInteraction, decisionId: string): Promise<InteractionResponse> {
    const result = await deps.decide({ decisionId, decision: Decision.APPROVE, by: click.user.id, via: 'slack' });
    log.info('approve clicked', { decisionId, user: click.user.id, status: result.status });
    // An accepted decision redraws the message inside decide(), before the workflow resumes.
    if (result.status !== 'accepted') await ephemeral(click.channelId ?? requestOf(result)?.slack?.channel, click.user.id, refusalText(result) ?? '');
    return OK;
  }

  async function askForReason(click: BlockActionInteraction, decisionId: string): Promise<InteractionResponse> {
    const request = await deps.getDecisionRequest(decisionId);
    const refusal = preflightRefusal(request, deps.clock());
    const incident = request === undefined || refusal !== undefined ? undefined : await deps.getIncident(request.incidentId);
    if (incident === undefined) {
      await ephemeral(click.channelId, click.user.id, refusal ?? RefusalText.unknown);
      return OK;
    }
    try {
      await deps.slack.openModal(click.triggerId, overrideModal(decisionId, incident));
    } catch (error) {
      log.error('could not open the override modal', { decisionId, error: describeError(error) });
      await ephemeral(click.channelId, click.user.id, RefusalText.modalFailed);
    }
    return OK;
  }

  async function onBlockAction(click: BlockActionInteraction): Promise<InteractionResponse> {
    const isDecisionButton = click.actionId === SlackActionId.APPROVE || click.actionId === SlackActionId.OVERRIDE;
    if (!isDecisionButton) {
      log.info('ignored an action that is not a decision button', { actionId: click.actionId });
      return OK;
    }
    if (click.value === undefined || click.value === '') return plain(400, 'bad request: the button carries no decision id');
    return click.actionId === SlackActionId.APPROVE ? approve(click, click.value) : askForReason(click, click.value);
  }

  async function onViewSubmission(submission: ViewSubmissionInteraction): Promise<InteractionResponse> {
    if (submission.callbackId !== OverrideModal.CALLBACK_ID) {
      log.info('ignored a submission of another view', { callbackId: submission.callbackId });
      return OK;
    }
    const reason = submission.reason?.trim() ?? '';
    if (reason === '') return viewErrors(RefusalText.reasonRequired);
    const decisionId = submission.privateMetadata;
    const result = await deps.decide({ decisionId, decision: Decision.OVERRIDE, by: submission.user.id, reason, via: 'slack' });
    log.info('override submitted', { decisionId, user: submission.user.id, status: result.status });
    if (result.status !== 'accepted') return viewErrors(refusalText(result) ?? RefusalText.unknown);
    return OK;
  }

  return async function processInteraction(request: InteractionRequest): Promise<InteractionResponse> {
    const rawBody = decodeBody(request.body, request.isBase64Encoded);
    const verified = verifySlackRequest({ signingSecret: await deps.signingSecret(), headers: lowerCaseKeys(request.headers), rawBody, now: deps.clock() });
    if (!verified.ok) {
      log.warn('refused a Slack request', { reason: verified.reason });
      deps.metrics?.([{ name: MetricName.SLACK_REQUESTS_REFUSED, unit: 'Count', value: 1, dimensions: {} }]);
      return plain(401, `unauthorized: ${verified.reason}`);
    }
    const parsed = parseInteractionPayload(rawBody);
    if (!parsed.ok) {
      log.warn('refused a malformed Slack interaction', { error: parsed.error });
      return plain(400, `bad request: ${parsed.error}`);
    }
    const { interaction } = parsed;
    return interaction.type === 'block_actions' ? onBlockAction(interaction) : onViewSubmission(interaction);
  };
}

function requestOf(result: DecideResult): DecisionRequest | undefined {
  return 'request' in result ? result.request : undefined;
}

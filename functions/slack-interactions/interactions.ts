import type { AuditStore } from '../shared/audit/audit-store';
import { recordRefusal, type DecideInput, type DecideResult, type DecisionRefusal } from '../shared/decisions/decide';
import type { DecisionRequest } from '../shared/decisions/decision-store';
import { DURATION_EXAMPLES, parseOverrideDuration, type OverrideBounds } from '../shared/decisions/override-duration';
import { describeError } from '../shared/errors';
import type { Incident } from '../shared/incident';
import {
  parseInteractionPayload,
  type BlockActionInteraction,
  type Interaction,
  type ViewSubmissionInteraction,
} from './interaction-payload';
import { OverrideModal, SlackActionId, formatDecider, overrideModal } from '../shared/slack/messages';
import { decodeBody, verifySlackRequest } from './signature';
import type { MetricSink } from '../shared/incident-metrics';
import { MetricName } from '../shared/metrics';
import type { SlackNotifier } from '../shared/slack/slack-notifier';
import { Decision, type HumanDecision } from '../shared/vocabulary';
import { checkOrigin, OriginRefusal, type SlackIdentityRules } from './identity';

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
  /**
   * Where decisions may come from: the rules' notify.slackChannel, slackTeamId and slackAppId
   * (`rules.notify` fits). Without a channel, every interaction is refused.
   */
  slackIdentity: SlackIdentityRules;
  /** Where a refusal for the origin is recorded: the incident's timeline. */
  audit: Pick<AuditStore, 'appendTimeline'>;
  /**
   * The rules' `overrides`: the durations the dialog offers (up to `maxHours`, `defaultHours`
   * chosen). `decide` checks the one submitted against its own. @default DEFAULT_OVERRIDE_BOUNDS
   */
  overrides?: OverrideBounds;
  clock: () => Date;
  logger?: InteractionLogger;
  /**
   * Counts refused requests (forgeries, a wrong signing secret, or a signed request from another
   * workspace, app or channel), which an alarm watches.
   */
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
  notConfigured: 'Slack decisions are not configured for scp-guardian (its protection rules name no Slack channel), so nothing was changed. Use `scp-guardian decide` from a terminal.',
  otherWorkspace: 'scp-guardian takes decisions only from people of the Slack workspace named in its protection rules, so nothing was changed.',
  otherApp: 'This did not come from the scp-guardian app named in the protection rules, so nothing was changed.',
  otherChannel: (channel: string) => `scp-guardian takes decisions only in <#${channel}>, on the message that asks for one, so nothing was changed.`,
  // Modal errors are plain text: no channel mention.
  otherChannelDialog: 'This dialog was not opened from a decision message in the scp-guardian channel, so nothing was changed. Click "Keep detached" on that message again.',
} as const;

/** What the person is told when their interaction came from elsewhere. */
function originRefusalText(refusal: OriginRefusal, interaction: Interaction, channel: string | undefined): string {
  switch (refusal) {
    case OriginRefusal.NOT_CONFIGURED:
      return RefusalText.notConfigured;
    case OriginRefusal.OTHER_APP:
      return RefusalText.otherApp;
    case OriginRefusal.OTHER_WORKSPACE:
      return RefusalText.otherWorkspace;
    case OriginRefusal.OTHER_CHANNEL:
      return interaction.type === 'view_submission' || channel === undefined ? RefusalText.otherChannelDialog : RefusalText.otherChannel(channel);
  }
}

const OK: InteractionResponse = { statusCode: 200, headers: {}, body: '' };

function plain(statusCode: number, body: string): InteractionResponse {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/** Keeps the modal open and shows `message` under one of its fields (the reason unless said otherwise). */
function viewErrors(message: string, blockId: string = OverrideModal.REASON_BLOCK_ID): InteractionResponse {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ response_action: 'errors', errors: { [blockId]: message } }),
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
    case 'invalid-duration':
      return result.message;
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
 * Slack's interactions endpoint: verifies the signature, then that the interaction comes from
 * the configured app, workspace and channel, then turns a "Reattach now" click into an APPROVE,
 * a "Keep detached" click into the reason modal (bound to the channel and message), and the
 * modal's submission into an OVERRIDE by the pair (team, user). A taken decision is never
 * turned into an error by a Slack call failing afterwards.
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

  /** Records an origin refusal in the timeline of the incident the decision id names, if any; never throws. */
  async function recordOriginRefusal(decisionId: string | undefined, refusal: DecisionRefusal): Promise<void> {
    if (decisionId === undefined || decisionId === '') return;
    try {
      const request = await deps.getDecisionRequest(decisionId);
      if (request === undefined) {
        log.warn('no pending decision to record the refusal in', { decisionId });
        return;
      }
      await recordRefusal(deps.audit, request.incidentId, refusal, deps.clock().toISOString());
    } catch (error) {
      log.error('could not record a refused decision in the audit trail', { decisionId, error: describeError(error) });
    }
  }

  /**
   * Lets through an interaction from the configured app, workspace and channel, with the team
   * the user was verified in; refuses (logged, counted, recorded) anything else.
   */
  async function admit(interaction: Interaction, decisionId: string | undefined, decision: HumanDecision): Promise<{ ok: true; team: string; channel: string } | { ok: false; text: string }> {
    const checked = checkOrigin(interaction, deps.slackIdentity);
    if (checked.ok) return checked;
    const { user, origin } = interaction;
    const refusal: DecisionRefusal = {
      by: user.id,
      team: user.teamId ?? origin.teamId,
      decision,
      why: checked.why,
      from: { team: origin.teamId, enterprise: origin.enterpriseId ?? origin.teamEnterpriseId, app: origin.appId, channel: origin.channelId },
    };
    log.warn('refused a Slack decision from outside the configured workspace, app and channel', { decisionId, ...refusal });
    deps.metrics?.([{ name: MetricName.SLACK_REQUESTS_REFUSED, unit: 'Count', value: 1, dimensions: {} }]);
    await recordOriginRefusal(decisionId, refusal);
    return { ok: false, text: originRefusalText(checked.refusal, interaction, deps.slackIdentity.slackChannel) };
  }

  async function approve(click: BlockActionInteraction, decisionId: string, team: string): Promise<InteractionResponse> {
    const result = await deps.decide({ decisionId, decision: Decision.APPROVE, by: click.user.id, team, via: 'slack' });
    log.info('approve clicked', { decisionId, user: click.user.id, team, status: result.status });
    // An accepted decision redraws the message inside decide(), before the workflow resumes.
    if (result.status !== 'accepted') await ephemeral(click.channelId ?? requestOf(result)?.slack?.channel, click.user.id, refusalText(result) ?? '');
    return OK;
  }

  async function askForReason(click: BlockActionInteraction, decisionId: string, channel: string): Promise<InteractionResponse> {
    const request = await deps.getDecisionRequest(decisionId);
    const refusal = preflightRefusal(request, deps.clock());
    const incident = request === undefined || refusal !== undefined ? undefined : await deps.getIncident(request.incidentId);
    if (incident === undefined) {
      await ephemeral(click.channelId, click.user.id, refusal ?? RefusalText.unknown);
      return OK;
    }
    try {
      await deps.slack.openModal(click.triggerId, overrideModal({ decisionId, channel, messageTs: click.messageTs }, incident, deps.overrides));
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
    const approving = click.actionId === SlackActionId.APPROVE;
    const admitted = await admit(click, click.value, approving ? Decision.APPROVE : Decision.OVERRIDE);
    if (!admitted.ok) {
      await ephemeral(click.channelId, click.user.id, admitted.text);
      return OK;
    }
    return approving ? approve(click, click.value, admitted.team) : askForReason(click, click.value, admitted.channel);
  }

  async function onViewSubmission(submission: ViewSubmissionInteraction): Promise<InteractionResponse> {
    if (submission.callbackId !== OverrideModal.CALLBACK_ID) {
      log.info('ignored a submission of another view', { callbackId: submission.callbackId });
      return OK;
    }
    const admitted = await admit(submission, submission.decisionId, Decision.OVERRIDE);
    if (!admitted.ok) return viewErrors(admitted.text);
    const reason = submission.reason?.trim() ?? '';
    if (reason === '') return viewErrors(RefusalText.reasonRequired);
    const { decisionId } = submission;
    if (decisionId === undefined) return viewErrors(RefusalText.unknown);
    // A dialog opened before it offered durations has none: the rules' default applies.
    const forMinutes = submission.duration === undefined ? undefined : parseOverrideDuration(submission.duration);
    if (submission.duration !== undefined && forMinutes === undefined) {
      return viewErrors(`${JSON.stringify(submission.duration)} is not a duration such as ${DURATION_EXAMPLES}: choose one from the list`, OverrideModal.DURATION_BLOCK_ID);
    }
    const result = await deps.decide({ decisionId, decision: Decision.OVERRIDE, by: submission.user.id, team: admitted.team, reason, forMinutes, via: 'slack' });
    log.info('override submitted', { decisionId, user: submission.user.id, team: admitted.team, status: result.status, forMinutes });
    if (result.status === 'invalid-duration') return viewErrors(result.message, OverrideModal.DURATION_BLOCK_ID);
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

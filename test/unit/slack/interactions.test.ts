import { LogLevel } from '@slack/web-api';
import type { AuditStore, TimelineWrite } from '../../../functions/shared/audit/audit-store';
import type { DecideInput, DecideResult, DecisionAnnouncer } from '../../../functions/shared/decisions/decide';
import { createDecisionAnnouncer } from '../../../functions/shared/slack/decision-announcer';
import type { DecisionRequest } from '../../../functions/shared/decisions/decision-store';
import type { Incident } from '../../../functions/shared/incident';
import { SlackActionId, incidentMessage } from '../../../functions/shared/slack/messages';
import { SlackNotifier } from '../../../functions/shared/slack/slack-notifier';
import type { MetricPoint } from '../../../functions/shared/incident-metrics';
import { MetricName } from '../../../functions/shared/metrics';
import {
  createInteractionProcessor,
  type InteractionDependencies,
  type InteractionLogger,
  type InteractionProcessor,
} from '../../../functions/slack-interactions/interactions';
import { SlackStandIn, type StoredMessage } from '../../../local/stand-ins/slack/slack-stand-in';
import { TEST_SLACK } from '../../support/local-harness';
import { buttonClick, reasonSubmission, signedInteraction, signedRequest, type SlackOrigin } from '../../support/slack-signing';
import { protectedIncident } from './incident-fixture';

const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
const TOKEN = 'xoxb-interactions-test';
const CHANNEL = 'C0SECURITY';
const APPROVER = 'U0APPROVER';
const OTHER_APPROVER = 'U0APPROVR2';
const STRANGER = 'U0STRANGER';
const NOW = new Date('2024-05-01T10:05:00.000Z');
const DECISION_ID = 'k3j5h2g7f6d4s2a1';
const OTHER_CHANNEL = 'C0ELSEWHERE';
/** The test rules' notify: decisions come from this channel, workspace and app only. */
const IDENTITY = { slackChannel: CHANNEL, slackTeamId: TEST_SLACK.teamId, slackAppId: TEST_SLACK.appId };

/**
 * The real decide's rules, in memory: reason first, then unknown, approver (the pair of the
 * rules' workspace and an approver id), first wins, deadline; an accepted decision is announced
 * by the real announcer, as decide() does.
 */
class InMemoryDecisions {
  readonly requests = new Map<string, DecisionRequest>();
  readonly inputs: DecideInput[] = [];
  readonly results: DecideResult[] = [];

  constructor(
    private readonly approvers: readonly string[],
    private readonly announce: DecisionAnnouncer,
  ) {}

  readonly decide = async (input: DecideInput): Promise<DecideResult> => {
    this.inputs.push(input);
    const result = this.take(input);
    this.results.push(result);
    if (result.status === 'accepted') await this.announce({ request: result.request, output: result.output });
    return result;
  };

  private take(input: DecideInput): DecideResult {
    const reason = input.reason?.trim() || undefined;
    if (input.decision === 'OVERRIDE' && reason === undefined) return { status: 'reason-required' };
    const request = this.requests.get(input.decisionId);
    if (request === undefined) return { status: 'unknown' };
    if (input.team !== TEST_SLACK.teamId || !this.approvers.includes(input.by)) return { status: 'not-authorised', request };
    if (request.decision !== undefined) return { status: 'already-decided', request };
    if (Date.parse(request.deadline) <= NOW.getTime()) return { status: 'expired', request };
    const at = NOW.toISOString();
    const recorded: DecisionRequest = { ...request, decision: input.decision, decidedBy: input.by, decidedAt: at, reason };
    this.requests.set(input.decisionId, recorded);
    return { status: 'accepted', request: recorded, output: { decision: input.decision, by: input.by, reason, at, via: input.via } };
  }

  accepted(): DecideResult[] {
    return this.results.filter((result) => result.status === 'accepted');
  }
}

class RecordingLogger implements InteractionLogger {
  readonly entries: { level: string; message: string; detail: Record<string, unknown> }[] = [];
  info(message: string, detail: Record<string, unknown>) {
    this.entries.push({ level: 'info', message, detail });
  }
  warn(message: string, detail: Record<string, unknown>) {
    this.entries.push({ level: 'warn', message, detail });
  }
  error(message: string, detail: Record<string, unknown>) {
    this.entries.push({ level: 'error', message, detail });
  }
}

const standIn = new SlackStandIn({ token: TOKEN });
let slack: SlackNotifier;
let decisions: InMemoryDecisions;
let logger: RecordingLogger;
let incident: Incident;
let posted: { channel: string; ts: string };
let processRequest: InteractionProcessor;
let timeline: TimelineWrite[];

beforeAll(async () => {
  await standIn.start();
  slack = new SlackNotifier({ token: TOKEN, slackApiUrl: standIn.apiUrl, retries: 0, logLevel: LogLevel.ERROR });
});
afterAll(() => standIn.stop());

async function openIncident(deadline = '2024-05-01T10:15:05.000Z'): Promise<void> {
  standIn.reset();
  incident = protectedIncident();
  posted = await slack.post(CHANNEL, incidentMessage(incident, { kind: 'awaiting-decision', decisionId: DECISION_ID, deadline }));
  decisions.requests.set(DECISION_ID, { decisionId: DECISION_ID, incidentId: incident.incidentId, taskToken: 'AQB+token/with=chars', deadline, slack: posted });
}

/** The audit trail the announcer reads and writes, in memory. */
function inMemoryAudit(): Pick<AuditStore, 'getIncident' | 'appendTimeline'> {
  return {
    getIncident: async (id) =>
      id === incident.incidentId
        ? { incidentId: id, status: 'AWAITING_DECISION', verdict: incident.verdict, reason: incident.reason, detectedAt: incident.detectedAt, incident, slackMessage: posted }
        : undefined,
    appendTimeline: async (_id, write) => {
      timeline.push(write);
      return { recorded: true };
    },
  };
}

let metricPoints: MetricPoint[] = [];

beforeEach(async () => {
  metricPoints = [];
  logger = new RecordingLogger();
  timeline = [];
  decisions = new InMemoryDecisions([APPROVER, OTHER_APPROVER], createDecisionAnnouncer({ slack, audit: inMemoryAudit(), log: logger }));
  processRequest = processorFor(IDENTITY);
  await openIncident();
});

/** The processor under test, taking decisions from `identity` (the rules' notify). */
function processorFor(identity: Record<string, string>, more: Partial<InteractionDependencies> = {}): InteractionProcessor {
  return createInteractionProcessor({
    signingSecret: async () => SIGNING_SECRET,
    decide: decisions.decide,
    getDecisionRequest: async (id) => decisions.requests.get(id),
    getIncident: async (id) => (id === incident.incidentId ? incident : undefined),
    slack,
    slackIdentity: identity,
    audit: inMemoryAudit(),
    clock: () => NOW,
    logger,
    metrics: (points) => metricPoints.push(...points),
    ...more,
  });
}

function click(user: string, actionId: string, value: string = DECISION_ID, options: { base64?: boolean } = {}) {
  return processRequest(signedInteraction(SIGNING_SECRET, buttonClick({ userId: user, actionId, value, channel: posted.channel, messageTs: posted.ts }), NOW, options));
}

/** A click on the posted message's button, from `origin` (default: the rules' workspace and app) in `channel`. */
function clickFrom(origin: SlackOrigin & { channel?: string }, actionId: string = SlackActionId.APPROVE, processor = processRequest) {
  const payload = buttonClick({ userId: APPROVER, actionId, value: DECISION_ID, channel: origin.channel ?? posted.channel, messageTs: posted.ts, ...origin });
  return processor(signedInteraction(SIGNING_SECRET, payload, NOW));
}

function submitReason(user: string, reason: string | null, options: SlackOrigin & { channel?: string; privateMetadata?: string; duration?: string | null } = {}, processor = processRequest) {
  const payload = reasonSubmission({ userId: user, decisionId: DECISION_ID, reason, channel: posted.channel, messageTs: posted.ts, ...options });
  return processor(signedInteraction(SIGNING_SECRET, payload, NOW));
}

const refusals = () => timeline.filter((write) => write.step === 'decision-refused');

function theMessage(): StoredMessage {
  const message = standIn.message(posted.channel, posted.ts);
  if (message === undefined) throw new Error('the posted message is gone');
  return message;
}

const hasButtons = (message: StoredMessage) => JSON.stringify(message.blocks).includes('"type":"actions"');
const ephemerals = () => standIn.calls('chat.postEphemeral').map((call) => call.args as { channel: string; user: string; text: string });

describe('Slack interactions', () => {
  it('approves when an approver clicks "Reattach now" and redraws the message without buttons', async () => {
    const response = await click(APPROVER, SlackActionId.APPROVE);

    expect(response.statusCode).toBe(200);
    expect(decisions.inputs).toEqual([{ decisionId: DECISION_ID, decision: 'APPROVE', by: APPROVER, team: TEST_SLACK.teamId, via: 'slack' }]);
    expect(hasButtons(theMessage())).toBe(false);
    expect(JSON.stringify(theMessage().blocks)).toContain(`<@${APPROVER}>`);
  });

  it('tells a non-approver privately that they cannot decide, and leaves the message as it was', async () => {
    const response = await click(STRANGER, SlackActionId.APPROVE);

    expect(response.statusCode).toBe(200);
    expect(ephemerals()).toEqual([{ channel: CHANNEL, user: STRANGER, text: expect.stringContaining('not an approver') }]);
    expect(theMessage().history).toHaveLength(1);
    expect(decisions.accepted()).toEqual([]);
  });

  it('takes a double click once and tells the second click who already decided, and when', async () => {
    await click(APPROVER, SlackActionId.APPROVE);

    const second = await click(OTHER_APPROVER, SlackActionId.APPROVE);

    expect(second.statusCode).toBe(200);
    expect(decisions.accepted()).toHaveLength(1);
    expect(theMessage().history.filter((v) => v.by === 'chat.update')).toHaveLength(1);
    expect(ephemerals()).toEqual([
      { channel: CHANNEL, user: OTHER_APPROVER, text: expect.stringContaining(`already decided by <@${APPROVER}> at ${NOW.toISOString()}`) },
    ]);
  });

  it('tells the clicker when the request has expired', async () => {
    await openIncident('2024-05-01T10:00:00.000Z');

    await click(APPROVER, SlackActionId.APPROVE);

    expect(ephemerals()).toEqual([{ channel: CHANNEL, user: APPROVER, text: expect.stringContaining('This request has expired') }]);
    expect(hasButtons(theMessage())).toBe(true);
  });

  it('tells the clicker that a request with an unknown decision id has expired', async () => {
    await click(APPROVER, SlackActionId.APPROVE, 'nosuchdecision00');

    expect(ephemerals()).toEqual([{ channel: CHANNEL, user: APPROVER, text: expect.stringContaining('This request has expired') }]);
  });

  it('opens the reason modal on "Keep detached", bound to the decision, channel and message, and decides nothing yet', async () => {
    const response = await click(APPROVER, SlackActionId.OVERRIDE);

    const [open] = standIn.calls('views.open');
    const view = (open.args as { view: { private_metadata: string } }).view;
    expect(response.statusCode).toBe(200);
    expect(open.args).toMatchObject({ trigger_id: expect.any(String), view: { callback_id: 'scp_guardian_override_reason' } });
    expect(JSON.parse(view.private_metadata)).toEqual({ decisionId: DECISION_ID, channel: CHANNEL, messageTs: posted.ts });
    expect(decisions.inputs).toEqual([]);
  });

  it('does not open the modal for a request that was already decided', async () => {
    await click(APPROVER, SlackActionId.APPROVE);

    await click(OTHER_APPROVER, SlackActionId.OVERRIDE);

    expect(standIn.calls('views.open')).toEqual([]);
    expect(ephemerals().map((e) => e.text)).toEqual([expect.stringContaining('already decided')]);
  });

  it('keeps the modal open with an error under the reason when the reason is empty', async () => {
    const response = await submitReason(APPROVER, '   ');

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('reason') } });
    expect(decisions.accepted()).toEqual([]);
  });

  it('keeps the modal open with an error under the reason when the reason field was left null', async () => {
    const response = await submitReason(APPROVER, null);

    expect(JSON.parse(response.body)).toMatchObject({ response_action: 'errors' });
  });

  it('overrides with the reason on submission, closes the modal and redraws the message', async () => {
    const response = await submitReason(APPROVER, '  planned change CHG-42  ');

    expect(response).toMatchObject({ statusCode: 200, body: '' });
    expect(decisions.inputs).toEqual([{ decisionId: DECISION_ID, decision: 'OVERRIDE', by: APPROVER, team: TEST_SLACK.teamId, reason: 'planned change CHG-42', via: 'slack' }]);
    expect(hasButtons(theMessage())).toBe(false);
    expect(JSON.stringify(theMessage().blocks)).toContain('planned change CHG-42');
  });

  it('offers in the dialog the durations the rules allow, with their default chosen', async () => {
    const processor = processorFor(IDENTITY, { overrides: { defaultHours: 8, maxHours: 24 } });

    await clickFrom({}, SlackActionId.OVERRIDE, processor);

    const [open] = standIn.calls('views.open');
    const blocks = (open.args as { view: { blocks: { block_id?: string; element?: { options?: { value: string }[]; initial_option?: { value: string } } }[] } }).view.blocks;
    const menu = blocks.find((block) => block.block_id === 'duration')?.element;
    expect(menu?.options?.map((option) => option.value)).toEqual(['1h', '4h', '8h', '1d']);
    expect(menu?.initial_option?.value).toBe('8h');
  });

  it('overrides for the duration chosen in the dialog', async () => {
    const response = await submitReason(APPROVER, 'CHG-43', { duration: '8h' });

    expect(response).toMatchObject({ statusCode: 200, body: '' });
    expect(decisions.inputs).toEqual([expect.objectContaining({ decision: 'OVERRIDE', reason: 'CHG-43', forMinutes: 480 })]);
  });

  it('keeps the modal open with an error under the duration when decide refuses the duration', async () => {
    const refusing = processorFor(IDENTITY, { decide: async () => ({ status: 'invalid-duration', message: 'an override lasts at most 1d' }) });

    const response = await submitReason(APPROVER, 'CHG-44', { duration: '3d' }, refusing);

    expect(JSON.parse(response.body)).toEqual({ response_action: 'errors', errors: { duration: 'an override lasts at most 1d' } });
  });

  it('keeps the modal open with an error under the duration when the value chosen is not a duration', async () => {
    const response = await submitReason(APPROVER, 'CHG-45', { duration: 'forever' });

    expect(JSON.parse(response.body)).toEqual({ response_action: 'errors', errors: { duration: expect.stringContaining('"forever" is not a duration') } });
    expect(decisions.inputs).toEqual([]);
  });

  it('refuses a submission by a non-approver inside the modal', async () => {
    const response = await submitReason(STRANGER, 'I just want to');

    expect(JSON.parse(response.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('not an approver') } });
    expect(hasButtons(theMessage())).toBe(true);
  });

  it('accepts a base64-encoded body', async () => {
    const response = await click(APPROVER, SlackActionId.APPROVE, DECISION_ID, { base64: true });

    expect(response.statusCode).toBe(200);
    expect(decisions.accepted()).toHaveLength(1);
  });

  it('answers 401 and decides nothing when the signature is wrong', async () => {
    const forged = signedInteraction('not-the-secret', buttonClick({ userId: APPROVER, actionId: SlackActionId.APPROVE, value: DECISION_ID, channel: CHANNEL, messageTs: posted.ts }), NOW);

    const response = await processRequest(forged);

    expect(response.statusCode).toBe(401);
    expect(response.body).toBe('unauthorized: signature mismatch');
    expect(decisions.inputs).toEqual([]);
  });

  it('counts every refused request for the alarm on forgeries, and nothing else', async () => {
    const forged = signedInteraction('not-the-secret', buttonClick({ userId: APPROVER, actionId: SlackActionId.APPROVE, value: DECISION_ID, channel: CHANNEL, messageTs: posted.ts }), NOW);

    await processRequest(forged);
    await click(APPROVER, SlackActionId.APPROVE);

    expect(metricPoints).toEqual([expect.objectContaining({ name: MetricName.SLACK_REQUESTS_REFUSED, value: 1 })]);
  });

  it('answers 401 to a replayed request older than five minutes', async () => {
    const old = signedInteraction(SIGNING_SECRET, buttonClick({ userId: APPROVER, actionId: SlackActionId.APPROVE, value: DECISION_ID, channel: CHANNEL, messageTs: posted.ts }), new Date(NOW.getTime() - 6 * 60_000));

    const response = await processRequest(old);

    expect(response.statusCode).toBe(401);
    expect(decisions.inputs).toEqual([]);
  });

  it('answers 401 when no signing secret is configured', async () => {
    const unconfigured = createInteractionProcessor({
      signingSecret: async () => undefined,
      decide: decisions.decide,
      getDecisionRequest: async () => undefined,
      getIncident: async () => undefined,
      slack,
      slackIdentity: IDENTITY,
      audit: inMemoryAudit(),
      clock: () => NOW,
      logger,
    });

    const response = await unconfigured(signedInteraction(SIGNING_SECRET, buttonClick({ userId: APPROVER, actionId: SlackActionId.APPROVE, value: DECISION_ID, channel: CHANNEL, messageTs: posted.ts }), NOW));

    expect(response.statusCode).toBe(401);
  });

  it('answers 400 to a signed body without a JSON payload', async () => {
    const response = await processRequest(signedRequest(SIGNING_SECRET, 'payload=%7Bnot-json', NOW));

    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('payload is not valid JSON');
  });

  it('keeps the decision when Slack fails to update the message, and logs and records the failure', async () => {
    standIn.failNext('chat.update', 'channel_not_found');

    const response = await click(APPROVER, SlackActionId.APPROVE);

    expect(response.statusCode).toBe(200);
    expect(decisions.accepted()).toHaveLength(1);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', detail: expect.objectContaining({ error: expect.stringContaining('channel_not_found') }) }));
    expect(timeline).toEqual([expect.objectContaining({ step: 'notification-failed', detail: expect.objectContaining({ phase: 'decided', error: expect.stringContaining('channel_not_found') }) })]);
  });

  it('tells the clicker to retry when the modal cannot be opened', async () => {
    standIn.failNext('views.open', 'expired_trigger_id');

    const response = await click(APPROVER, SlackActionId.OVERRIDE);

    expect(response.statusCode).toBe(200);
    expect(ephemerals().map((e) => e.text)).toEqual([expect.stringContaining('Could not open the reason dialog')]);
  });

  it('ignores clicks on buttons that are not decision buttons', async () => {
    const response = await click(APPROVER, 'some_other_action');

    expect(response).toMatchObject({ statusCode: 200, body: '' });
    expect(decisions.inputs).toEqual([]);
  });
});

describe('Slack identity: the pair (workspace, user), through one app, in one channel', () => {
  it.each<[string, SlackOrigin & { channel?: string }, string]>([
    ['from another workspace', { teamId: 'T0OTHERTEAM' }, 'from workspace T0OTHERTEAM, not T0TESTTEAM'],
    ['in the workspace, by a user of another workspace (a shared channel)', { userTeamId: 'T0GUESTTEAM' }, 'by a user of T0GUESTTEAM, not of workspace T0TESTTEAM'],
    ['sent to another app', { appId: 'A0OTHERAPP' }, 'sent to app A0OTHERAPP, not A0TESTAPP'],
    ['in another channel', { channel: OTHER_CHANNEL }, 'in channel C0ELSEWHERE, not C0SECURITY'],
    ['from a workspace of an Enterprise Grid organization', { teamId: 'T0ORGSPACE', enterpriseId: 'E0TESTORG', userTeamId: 'E0TESTORG' }, 'from workspace T0ORGSPACE, not T0TESTTEAM'],
  ])('refuses an approver\'s click %s: nothing decided, and the refusal recorded with who, from where and why', async (_case, origin, why) => {
    const response = await clickFrom(origin);

    expect(response).toMatchObject({ statusCode: 200, body: '' });
    expect(decisions.inputs).toEqual([]);
    expect(hasButtons(theMessage())).toBe(true);
    expect(refusals()).toEqual([
      expect.objectContaining({
        detail: {
          by: APPROVER,
          team: origin.userTeamId ?? origin.teamId ?? TEST_SLACK.teamId,
          decision: 'APPROVE',
          why,
          from: expect.objectContaining({ team: origin.teamId ?? TEST_SLACK.teamId, app: origin.appId ?? TEST_SLACK.appId, channel: origin.channel ?? CHANNEL }),
        },
      }),
    ]);
  });

  it('tells the person who clicked in another workspace, privately, that nothing was changed', async () => {
    await clickFrom({ teamId: 'T0OTHERTEAM' });

    expect(ephemerals()).toEqual([{ channel: CHANNEL, user: APPROVER, text: expect.stringContaining('only from people of the Slack workspace named in its protection rules') }]);
  });

  it('tells the person who clicked in another channel where decisions are taken', async () => {
    await clickFrom({ channel: OTHER_CHANNEL });

    expect(ephemerals()).toEqual([{ channel: OTHER_CHANNEL, user: APPROVER, text: expect.stringContaining(`only in <#${CHANNEL}>`) }]);
  });

  it('counts a refused origin with the refused requests the alarm watches, and logs it', async () => {
    await clickFrom({ appId: 'A0OTHERAPP' });

    expect(metricPoints).toEqual([expect.objectContaining({ name: MetricName.SLACK_REQUESTS_REFUSED, value: 1 })]);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', detail: expect.objectContaining({ decisionId: DECISION_ID, why: 'sent to app A0OTHERAPP, not A0TESTAPP' }) }));
  });

  it('does not open the reason dialog for "Keep detached" clicked in another channel', async () => {
    await clickFrom({ channel: OTHER_CHANNEL }, SlackActionId.OVERRIDE);

    expect(standIn.calls('views.open')).toEqual([]);
    expect(refusals()).toEqual([expect.objectContaining({ detail: expect.objectContaining({ decision: 'OVERRIDE', why: 'in channel C0ELSEWHERE, not C0SECURITY' }) })]);
  });

  it('refuses, inside the dialog, a submission whose metadata names another channel', async () => {
    const response = await submitReason(APPROVER, 'planned change', { channel: OTHER_CHANNEL });

    expect(JSON.parse(response.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('not opened from a decision message') } });
    expect(decisions.inputs).toEqual([]);
    expect(refusals()).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ by: APPROVER, decision: 'OVERRIDE', why: 'a dialog opened for channel C0ELSEWHERE, not C0SECURITY', from: expect.objectContaining({ channel: OTHER_CHANNEL }) }) }),
    ]);
  });

  it('refuses a submission of a dialog whose metadata names no channel (one opened before the dialog was bound to it)', async () => {
    const response = await submitReason(APPROVER, 'planned change', { privateMetadata: DECISION_ID });

    expect(JSON.parse(response.body)).toMatchObject({ response_action: 'errors' });
    expect(decisions.inputs).toEqual([]);
    expect(refusals()).toEqual([expect.objectContaining({ detail: expect.objectContaining({ why: 'a dialog opened for channel (none), not C0SECURITY' }) })]);
  });

  it('refuses, inside the dialog, a submission from another workspace', async () => {
    const response = await submitReason(APPROVER, 'planned change', { teamId: 'T0OTHERTEAM' });

    expect(JSON.parse(response.body)).toEqual({ response_action: 'errors', errors: { reason: expect.stringContaining('Slack workspace named in its protection rules') } });
    expect(decisions.inputs).toEqual([]);
  });

  it('refuses a submission of a dialog another app opened', async () => {
    const response = await submitReason(APPROVER, 'planned change', { appId: 'A0OTHERAPP' });

    expect(JSON.parse(response.body)).toMatchObject({ response_action: 'errors' });
    expect(decisions.inputs).toEqual([]);
    expect(refusals()).toEqual([expect.objectContaining({ detail: expect.objectContaining({ why: 'sent to app A0OTHERAPP, not A0TESTAPP' }) })]);
  });

  it('refuses every interaction when the rules configure no Slack channel', async () => {
    const unconfigured = processorFor({});

    await clickFrom({}, SlackActionId.APPROVE, unconfigured);

    expect(decisions.inputs).toEqual([]);
    expect(ephemerals()).toEqual([{ channel: CHANNEL, user: APPROVER, text: expect.stringContaining('Slack decisions are not configured') }]);
    expect(refusals()).toEqual([expect.objectContaining({ detail: expect.objectContaining({ why: expect.stringContaining('not configured') }) })]);
  });

  it('decides for a user of an Enterprise Grid workspace, whose team Slack reports as the organization, as a user of the configured workspace', async () => {
    await clickFrom({ enterpriseId: 'E0TESTORG', userTeamId: 'E0TESTORG' });

    expect(decisions.inputs).toEqual([{ decisionId: DECISION_ID, decision: 'APPROVE', by: APPROVER, team: TEST_SLACK.teamId, via: 'slack' }]);
  });

  it('decides, with an Enterprise Grid organization configured, for a user of that organization in any of its workspaces', async () => {
    const orgWide = processorFor({ ...IDENTITY, slackTeamId: 'E0TESTORG' });

    await clickFrom({ teamId: 'T0ORGSPACE', enterpriseId: 'E0TESTORG', userTeamId: 'E0TESTORG' }, SlackActionId.APPROVE, orgWide);

    expect(decisions.inputs).toEqual([{ decisionId: DECISION_ID, decision: 'APPROVE', by: APPROVER, team: 'E0TESTORG', via: 'slack' }]);
  });

  it('refuses, with an Enterprise Grid organization configured, a click from another organization', async () => {
    const orgWide = processorFor({ ...IDENTITY, slackTeamId: 'E0TESTORG' });

    await clickFrom({ teamId: 'T0ORGSPACE', enterpriseId: 'E0OTHERORG', userTeamId: 'E0OTHERORG' }, SlackActionId.APPROVE, orgWide);

    expect(decisions.inputs).toEqual([]);
    expect(refusals()).toEqual([expect.objectContaining({ detail: expect.objectContaining({ why: 'from organization E0OTHERORG, not E0TESTORG' }) })]);
  });
});

import { LogLevel } from '@slack/web-api';
import type { AuditStore, TimelineWrite } from '../../functions/shared/audit/audit-store';
import type { DecideInput, DecideResult, DecisionAnnouncer } from '../../functions/shared/decisions/decide';
import { createDecisionAnnouncer } from '../../functions/shared/slack/decision-announcer';
import type { DecisionRequest } from '../../functions/shared/decisions/decision-store';
import type { Incident } from '../../functions/shared/incident';
import { SlackActionId, incidentMessage } from '../../functions/shared/slack/messages';
import { SlackNotifier } from '../../functions/shared/slack/slack-notifier';
import type { MetricPoint } from '../../functions/shared/incident-metrics';
import { MetricName } from '../../functions/shared/metrics';
import { createInteractionProcessor, type InteractionLogger, type InteractionProcessor } from '../../functions/slack-interactions/interactions';
import { SlackStandin, type StoredMessage } from '../../local/slack-standin/server';
import { buttonClick, reasonSubmission, signedInteraction, signedRequest } from '../helpers/slack-signing';
import { protectedIncident } from './incident-fixture';

const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
const TOKEN = 'xoxb-interactions-test';
const CHANNEL = 'C0SECURITY';
const APPROVER = 'U0APPROVER';
const OTHER_APPROVER = 'U0APPROVR2';
const STRANGER = 'U0STRANGER';
const NOW = new Date('2024-05-01T10:05:00.000Z');
const DECISION_ID = 'k3j5h2g7f6d4s2a1';

/**
 * The real decide's rules, in memory: reason first, then unknown, approver, first wins, deadline;
 * an accepted decision is announced by the real announcer, as decide() does.
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
    if (!this.approvers.includes(input.by)) return { status: 'not-authorised', request };
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

const standin = new SlackStandin({ token: TOKEN });
let slack: SlackNotifier;
let decisions: InMemoryDecisions;
let logger: RecordingLogger;
let incident: Incident;
let posted: { channel: string; ts: string };
let processRequest: InteractionProcessor;
let timeline: TimelineWrite[];

beforeAll(async () => {
  await standin.start();
  slack = new SlackNotifier({ token: TOKEN, slackApiUrl: standin.apiUrl, retries: 0, logLevel: LogLevel.ERROR });
});
afterAll(() => standin.stop());

async function openIncident(deadline = '2024-05-01T10:15:05.000Z'): Promise<void> {
  standin.reset();
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
  processRequest = createInteractionProcessor({
    signingSecret: async () => SIGNING_SECRET,
    decide: decisions.decide,
    getDecisionRequest: async (id) => decisions.requests.get(id),
    getIncident: async (id) => (id === incident.incidentId ? incident : undefined),
    slack,
    clock: () => NOW,
    logger,
    metrics: (points) => metricPoints.push(...points),
  });
  await openIncident();
});

function click(user: string, actionId: string, value: string = DECISION_ID, options: { base64?: boolean } = {}) {
  return processRequest(signedInteraction(SIGNING_SECRET, buttonClick({ userId: user, actionId, value, channel: posted.channel, messageTs: posted.ts }), NOW, options));
}

function submitReason(user: string, reason: string | null) {
  return processRequest(signedInteraction(SIGNING_SECRET, reasonSubmission({ userId: user, decisionId: DECISION_ID, reason }), NOW));
}

function theMessage(): StoredMessage {
  const message = standin.message(posted.channel, posted.ts);
  if (message === undefined) throw new Error('the posted message is gone');
  return message;
}

const hasButtons = (message: StoredMessage) => JSON.stringify(message.blocks).includes('"type":"actions"');
const ephemerals = () => standin.calls('chat.postEphemeral').map((call) => call.args as { channel: string; user: string; text: string });

describe('Slack interactions', () => {
  it('approves when an approver clicks "Reattach now" and redraws the message without buttons', async () => {
    const response = await click(APPROVER, SlackActionId.APPROVE);

    expect(response.statusCode).toBe(200);
    expect(decisions.inputs).toEqual([{ decisionId: DECISION_ID, decision: 'APPROVE', by: APPROVER, via: 'slack' }]);
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

  it('opens the reason modal on "Keep detached" and decides nothing yet', async () => {
    const response = await click(APPROVER, SlackActionId.OVERRIDE);

    const [open] = standin.calls('views.open');
    expect(response.statusCode).toBe(200);
    expect(open.args).toMatchObject({ trigger_id: expect.any(String), view: { callback_id: 'scp_guardian_override_reason', private_metadata: DECISION_ID } });
    expect(decisions.inputs).toEqual([]);
  });

  it('does not open the modal for a request that was already decided', async () => {
    await click(APPROVER, SlackActionId.APPROVE);

    await click(OTHER_APPROVER, SlackActionId.OVERRIDE);

    expect(standin.calls('views.open')).toEqual([]);
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
    expect(decisions.inputs).toEqual([{ decisionId: DECISION_ID, decision: 'OVERRIDE', by: APPROVER, reason: 'planned change CHG-42', via: 'slack' }]);
    expect(hasButtons(theMessage())).toBe(false);
    expect(JSON.stringify(theMessage().blocks)).toContain('planned change CHG-42');
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
    standin.failNext('chat.update', 'channel_not_found');

    const response = await click(APPROVER, SlackActionId.APPROVE);

    expect(response.statusCode).toBe(200);
    expect(decisions.accepted()).toHaveLength(1);
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'error', detail: expect.objectContaining({ error: expect.stringContaining('channel_not_found') }) }));
    expect(timeline).toEqual([expect.objectContaining({ step: 'notification-failed', detail: expect.objectContaining({ phase: 'decided', error: expect.stringContaining('channel_not_found') }) })]);
  });

  it('tells the clicker to retry when the modal cannot be opened', async () => {
    standin.failNext('views.open', 'expired_trigger_id');

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

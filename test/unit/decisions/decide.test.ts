import { SFNClient } from '@aws-sdk/client-sfn';
import { LogLevel } from '@slack/web-api';
import { randomUUID } from 'node:crypto';
import { AuditStore } from '../../../functions/shared/audit/audit-store';
import { AuditStoreThrottledError } from '../../../functions/shared/errors';
import { lateDecision } from '../../../functions/request-decision/request-decision';
import { decide, type DecideDependencies, type DecideResult } from '../../../functions/shared/decisions/decide';
import { DecisionStore, newDecisionId } from '../../../functions/shared/decisions/decision-store';
import { silentLog } from '../../../functions/shared/log';
import { toDocumentClient } from '../../../functions/shared/clients/dynamodb';
import { createDecisionAnnouncer } from '../../../functions/shared/slack/decision-announcer';
import { SlackActionId, incidentMessage } from '../../../functions/shared/slack/messages';
import { SlackNotifier } from '../../../functions/shared/slack/slack-notifier';
import { createInteractionProcessor } from '../../../functions/slack-interactions/interactions';
import { createAuditTable, localDynamoDbClient, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb/dynamodb-local';
import { SlackStandIn } from '../../../local/stand-ins/slack/slack-stand-in';
import { LocalStepFunctionsEndpoint } from '../../../local/stand-ins/step-functions/endpoint';
import { TaskTokenBroker } from '../../../local/stand-ins/step-functions/task-tokens';
import { buttonClick, signedInteraction } from '../../support/slack-signing';
import { dynamoDbEndpoint, TEST_SLACK } from '../../support/local-harness';
import { protectedIncident } from '../slack/incident-fixture';

const APPROVER = 'U0APPROVER';
const OTHER_APPROVER = 'U0APPROVR2';
const CHANNEL = 'C0SECURITY';
/** The workspace the approvers' ids are valid in (the rules' notify.slackTeamId). */
const TEAM = TEST_SLACK.teamId;
const TOKEN = 'xoxb-decide-test';
const CLI_CALLER = 'arn:aws:sts::111122223333:assumed-role/SecOps/alice';

const broker = new TaskTokenBroker();
const stepFunctions = new LocalStepFunctionsEndpoint(broker);
const standIn = new SlackStandIn({ token: TOKEN });
let audit: AuditStore;
let decisions: DecisionStore;
let sfn: SFNClient;
let slack: SlackNotifier;

beforeAll(async () => {
  const tableName = `decide-test-${randomUUID().slice(0, 8)}`;
  await createAuditTable(dynamoDbEndpoint(), tableName);
  const db = toDocumentClient(localDynamoDbClient(dynamoDbEndpoint()));
  audit = new AuditStore(db, tableName);
  decisions = new DecisionStore(db, tableName);
  await stepFunctions.start();
  await standIn.start();
  sfn = new SFNClient({ endpoint: stepFunctions.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  slack = new SlackNotifier({ token: TOKEN, slackApiUrl: standIn.apiUrl, retries: 0, logLevel: LogLevel.ERROR });
});
afterAll(async () => {
  await stepFunctions.stop();
  await standIn.stop();
});

function deps(overrides: Partial<DecideDependencies> = {}): DecideDependencies {
  return { decisions, audit, sfn, approvers: [APPROVER, OTHER_APPROVER], slackTeamId: TEAM, announce: createDecisionAnnouncer({ slack, audit, log: silentLog }), ...overrides };
}

/** An incident waiting for a decision, as RequestDecision leaves it: token stored, message posted. */
async function waitingIncident(deadlineInMs = 15 * 60_000) {
  const incident = protectedIncident({ incidentId: randomUUID() });
  await audit.claimIncident(incident, `arn:aws:states:us-east-1:000000000000:execution:test:${incident.incidentId}`);
  const token = TaskTokenBroker.newToken();
  const answer = broker.register(token);
  answer.catch(() => undefined);
  const decisionId = newDecisionId();
  const deadline = new Date(Date.now() + deadlineInMs).toISOString();
  const posted = await slack.post(CHANNEL, incidentMessage(incident, { kind: 'awaiting-decision', decisionId, deadline }));
  await decisions.create({ decisionId, incidentId: incident.incidentId, taskToken: token, deadline });
  await decisions.attachSlackMessage(decisionId, posted);
  await audit.recordSlackMessage(incident.incidentId, posted);
  await audit.advance(incident.incidentId, 'AWAITING_DECISION', { decisionId, decisionDeadline: deadline });
  return { incident, token, answer, decisionId, posted };
}

const steps = async (incidentId: string) => (await audit.getTimeline(incidentId)).map((entry) => entry.step);
const versions = (posted: { channel: string; ts: string }) => standIn.message(posted.channel, posted.ts)?.history ?? [];

describe('decide', () => {
  it('resumes the waiting task with the decision, who, why, when and how, and records it', async () => {
    const waiting = await waitingIncident();

    const result = await decide({ decisionId: waiting.decisionId, decision: 'OVERRIDE', by: APPROVER, reason: ' CHG-42 ', team: TEAM, via: 'slack' }, deps());

    expect(result.status).toBe('accepted');
    expect(await waiting.answer).toEqual({ decision: 'OVERRIDE', by: APPROVER, reason: 'CHG-42', at: expect.any(String), via: 'slack', until: expect.any(String) });
    expect(await audit.getIncident(waiting.incident.incidentId)).toMatchObject({ status: 'DECIDED', decision: 'OVERRIDE', decidedBy: APPROVER, decisionReason: 'CHG-42' });
    expect(await steps(waiting.incident.incidentId)).toContain('decided');
  });

  it('takes only the first of two simultaneous decisions', async () => {
    const waiting = await waitingIncident();

    const results = await Promise.all([
      decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps()),
      decide({ decisionId: waiting.decisionId, decision: 'OVERRIDE', by: OTHER_APPROVER, reason: 'no', team: TEAM, via: 'slack' }, deps()),
    ]);

    const accepted = results.filter((r): r is Extract<DecideResult, { status: 'accepted' }> => r.status === 'accepted');
    expect(results.map((r) => r.status).sort()).toEqual(['accepted', 'already-decided']);
    expect(await waiting.answer).toMatchObject({ decision: accepted[0].output.decision, by: accepted[0].output.by });
    expect((await steps(waiting.incident.incidentId)).filter((s) => s === 'decided')).toHaveLength(1);
  });

  it('refuses a Slack user who is not an approver, records the refusal, and leaves the task waiting', async () => {
    const waiting = await waitingIncident();

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: 'U0STRANGER', team: TEAM, via: 'slack' }, deps());

    expect(result.status).toBe('not-authorised');
    expect(await steps(waiting.incident.incidentId)).toContain('decision-refused');
    expect((await audit.getIncident(waiting.incident.incidentId))?.status).toBe('AWAITING_DECISION');
    expect(versions(waiting.posted)).toHaveLength(1);
  });

  it('refuses an approver id of another workspace: an approver is the pair (workspace, user)', async () => {
    const waiting = await waitingIncident();

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: 'T0OTHERTEAM', via: 'slack' }, deps());

    const refused = (await audit.getTimeline(waiting.incident.incidentId)).find((entry) => entry.step === 'decision-refused');
    expect(result.status).toBe('not-authorised');
    expect(refused?.detail).toEqual({ by: APPROVER, team: 'T0OTHERTEAM', decision: 'APPROVE', why: `not an approver: approvers are users of ${TEAM}, not of T0OTHERTEAM` });
    expect((await audit.getIncident(waiting.incident.incidentId))?.status).toBe('AWAITING_DECISION');
  });

  it('refuses every Slack decision when no Slack workspace is configured', async () => {
    const waiting = await waitingIncident();

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps({ slackTeamId: undefined }));

    expect(result.status).toBe('not-authorised');
    expect((await audit.getIncident(waiting.incident.incidentId))?.status).toBe('AWAITING_DECISION');
  });

  it('records the workspace with the user who decided in Slack', async () => {
    const waiting = await waitingIncident();

    await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps());

    const decided = (await audit.getTimeline(waiting.incident.incidentId)).find((entry) => entry.step === 'decided');
    expect(decided?.detail).toMatchObject({ by: APPROVER, team: TEAM, via: 'slack' });
  });

  it('lets the command line decide without a Slack approver id or workspace: IAM authorises it', async () => {
    const waiting = await waitingIncident();

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: CLI_CALLER, via: 'cli' }, deps({ approvers: [], slackTeamId: undefined }));

    expect(result.status).toBe('accepted');
    expect(await waiting.answer).toMatchObject({ by: CLI_CALLER, via: 'cli' });
  });

  it('answers reason-required for an override without a reason', async () => {
    const waiting = await waitingIncident();

    const result = await decide({ decisionId: waiting.decisionId, decision: 'OVERRIDE', by: APPROVER, reason: '   ', team: TEAM, via: 'slack' }, deps());

    expect(result).toEqual({ status: 'reason-required' });
    expect((await audit.getIncident(waiting.incident.incidentId))?.status).toBe('AWAITING_DECISION');
  });

  it('answers expired after the deadline and does not resume the task', async () => {
    const waiting = await waitingIncident(-1000);

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps());

    expect(result.status).toBe('expired');
    expect((await decisions.get(waiting.decisionId))?.decision).toBeUndefined();
    expect(versions(waiting.posted)).toHaveLength(1);
  });

  it('answers expired, and records that the decision came too late, when Step Functions says the task timed out', async () => {
    const waiting = await waitingIncident();
    broker.expire(waiting.token);

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps());

    const refused = (await audit.getTimeline(waiting.incident.incidentId)).find((entry) => entry.step === 'decision-refused');
    expect(result.status).toBe('expired');
    expect(refused?.detail).toMatchObject({ by: APPROVER, why: 'too late: Step Functions answered TaskTimedOut' });
  });

  it('answers unknown for a decision id nobody issued', async () => {
    const result = await decide({ decisionId: 'aaaaaaaaaaaaaaaa', decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps());

    expect(result).toEqual({ status: 'unknown' });
  });

  it('redraws the Slack message without buttons, naming who decided, before the task resumes', async () => {
    const waiting = await waitingIncident();
    let messageWhenResumed: unknown[] | undefined;
    void waiting.answer.then(() => {
      messageWhenResumed = standIn.message(waiting.posted.channel, waiting.posted.ts)?.blocks;
    });

    await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps());

    await waiting.answer;
    expect(JSON.stringify(messageWhenResumed)).not.toContain('"type":"actions"');
    expect(JSON.stringify(messageWhenResumed)).toContain(`<@${APPROVER}> approved reattaching the policy`);
  });

  it('still resumes the task when the announcement hangs past its budget', async () => {
    const waiting = await waitingIncident();
    const hanging = () => new Promise<void>(() => {});

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps({ announce: hanging, announceBudgetMs: 50 }));

    expect(result.status).toBe('accepted');
    expect(await waiting.answer).toMatchObject({ decision: 'APPROVE' });
  });

  it('does not redraw the message of an incident the timeout already closed', async () => {
    const waiting = await waitingIncident();
    await audit.advance(waiting.incident.incidentId, 'CLOSED', { outcome: 'REATTACHED', decision: 'TIMEOUT' });
    broker.expire(waiting.token);

    const result = await decide({ decisionId: waiting.decisionId, decision: 'OVERRIDE', by: APPROVER, reason: 'late', team: TEAM, via: 'slack' }, deps());

    expect(result.status).toBe('expired');
    expect(versions(waiting.posted)).toHaveLength(1);
  });
});

describe('an override ends', () => {
  // The decision is taken at a fixed moment inside the approval window.
  const at = new Date(Date.now() + 60_000);
  const clock = () => at;
  const later = (minutes: number) => new Date(at.getTime() + minutes * 60_000).toISOString();
  const bounds = { defaultHours: 4, maxHours: 24 };

  it('after the rules\' overrides.defaultHours when no duration is chosen: the workflow, the decision and the incident say until when', async () => {
    const waiting = await waitingIncident();

    await decide({ decisionId: waiting.decisionId, decision: 'OVERRIDE', by: APPROVER, reason: 'CHG-7', team: TEAM, via: 'slack' }, deps({ overrides: bounds, clock }));

    expect(await waiting.answer).toMatchObject({ decision: 'OVERRIDE', until: later(4 * 60) });
    expect(await decisions.get(waiting.decisionId)).toMatchObject({ decision: 'OVERRIDE', until: later(4 * 60) });
    expect(await audit.getIncident(waiting.incident.incidentId)).toMatchObject({ status: 'DECIDED', overriddenUntil: later(4 * 60) });
  });

  it('after the duration chosen', async () => {
    const waiting = await waitingIncident();

    const result = await decide({ decisionId: waiting.decisionId, decision: 'OVERRIDE', by: CLI_CALLER, reason: 'CHG-8', forMinutes: 90, via: 'cli' }, deps({ overrides: bounds, clock }));

    expect(result).toMatchObject({ status: 'accepted', output: { until: later(90) } });
    expect(await waiting.answer).toMatchObject({ until: later(90) });
    expect((await audit.getIncident(waiting.incident.incidentId))?.overriddenUntil).toBe(later(90));
  });

  it('never later than overrides.maxHours: a longer one is refused, and nothing is decided', async () => {
    const waiting = await waitingIncident();

    const result = await decide({ decisionId: waiting.decisionId, decision: 'OVERRIDE', by: CLI_CALLER, reason: 'CHG-9', forMinutes: 25 * 60, via: 'cli' }, deps({ overrides: bounds, clock }));

    expect(result).toEqual({ status: 'invalid-duration', message: "an override lasts at most 1d (the rules' overrides.maxHours is 24): 25h is longer" });
    expect((await decisions.get(waiting.decisionId))?.decision).toBeUndefined();
    expect((await audit.getIncident(waiting.incident.incidentId))?.status).toBe('AWAITING_DECISION');
  });

  it('within the bounds the decision request recorded, when the decider has no rules of its own (the CLI against AWS)', async () => {
    const waiting = await waitingIncident();
    const request = await decisions.get(waiting.decisionId);
    const recorded = { ...request!, decisionId: newDecisionId(), overrides: { defaultHours: 2, maxHours: 3 } };
    await decisions.create(recorded);

    const tooLong = await decide({ decisionId: recorded.decisionId, decision: 'OVERRIDE', by: CLI_CALLER, reason: 'x', forMinutes: 4 * 60, via: 'cli' }, deps({ clock }));
    const byDefault = await decide({ decisionId: recorded.decisionId, decision: 'OVERRIDE', by: CLI_CALLER, reason: 'x', via: 'cli' }, deps({ clock }));

    expect(tooLong.status).toBe('invalid-duration');
    expect(byDefault).toMatchObject({ status: 'accepted', output: { until: later(2 * 60) } });
  });

  it('is not asked of an approval: a duration with APPROVE is refused', async () => {
    const waiting = await waitingIncident();

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: CLI_CALLER, forMinutes: 60, via: 'cli' }, deps({ overrides: bounds, clock }));

    expect(result).toMatchObject({ status: 'invalid-duration' });
    expect((await decisions.get(waiting.decisionId))?.decision).toBeUndefined();
  });
});

describe('a Slack click whose workflow finishes before the click is answered', () => {
  it('leaves the message showing the outcome, not the decision', async () => {
    const secret = 'ordering-test-secret';
    const waiting = await waitingIncident();
    const closedMessage = incidentMessage(waiting.incident, { kind: 'closed', outcome: 'REATTACHED', decision: { decision: 'APPROVE', by: APPROVER } });
    // The workflow resumes, reattaches, closes and redraws the message, all before decide returns.
    const workflowDone = waiting.answer.then(() => slack.update(waiting.posted.channel, waiting.posted.ts, closedMessage));
    const processInteraction = createInteractionProcessor({
      signingSecret: async () => secret,
      decide: async (input) => {
        const result = await decide(input, deps());
        await workflowDone;
        return result;
      },
      getDecisionRequest: (id) => decisions.get(id),
      getIncident: async (id) => (await audit.getIncident(id))?.incident,
      slack,
      slackIdentity: { slackChannel: CHANNEL, slackTeamId: TEAM, slackAppId: TEST_SLACK.appId },
      audit,
      clock: () => new Date(),
      logger: { info: () => {}, warn: () => {}, error: () => {} },
    });
    const click = buttonClick({ userId: APPROVER, actionId: SlackActionId.APPROVE, value: waiting.decisionId, channel: waiting.posted.channel, messageTs: waiting.posted.ts });

    const response = await processInteraction(signedInteraction(secret, click, new Date()));

    expect(response.statusCode).toBe(200);
    expect(standIn.message(waiting.posted.channel, waiting.posted.ts)?.blocks).toEqual(closedMessage.blocks);
  });
});

describe('a decision whose first delivery to the workflow failed', () => {
  it('is sent again by the next click, so the first decision is the one that takes effect', async () => {
    const { answer, decisionId } = await waitingIncident();
    const unreachable = new SFNClient({ endpoint: 'http://127.0.0.1:9', region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    await expect(decide({ decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps({ sfn: unreachable }))).rejects.toThrow();

    const aMinuteLater = new Date(Date.now() + 60_000);
    const second = await decide({ decisionId, decision: 'OVERRIDE', by: OTHER_APPROVER, reason: 'later click', team: TEAM, via: 'slack' }, deps({ clock: () => aMinuteLater }));

    expect(second.status).toBe('already-decided');
    await expect(answer).resolves.toMatchObject({ decision: 'APPROVE', by: APPROVER });
  });
});

describe('a retried wait for a decision', () => {
  it('is resumed by a decision on the id people were shown, through the newest token', async () => {
    const { decisionId } = await waitingIncident();
    const retriedToken = TaskTokenBroker.newToken();
    const retriedAnswer = broker.register(retriedToken);

    const replaced = await decisions.replaceTaskToken(decisionId, retriedToken);
    const result = await decide({ decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps());

    expect(replaced).toBe(true);
    expect(result.status).toBe('accepted');
    await expect(retriedAnswer).resolves.toMatchObject({ decision: 'APPROVE' });
  });

  it('leaves a decision already taken alone', async () => {
    const { decisionId } = await waitingIncident();
    await decide({ decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps());

    expect(await decisions.replaceTaskToken(decisionId, TaskTokenBroker.newToken())).toBe(false);
  });
});

describe('decide, when an answer is lost on the way back', () => {
  it("counts a record that the SDK retried after its first attempt landed as this decision, and delivers it", async () => {
    const waiting = await waitingIncident();
    const at = new Date().toISOString();
    await decisions.record(waiting.decisionId, 'APPROVE', APPROVER, at);

    const again = await decisions.record(waiting.decisionId, 'APPROVE', APPROVER, at);

    expect(again).toMatchObject({ decision: 'APPROVE', decidedBy: APPROVER, decidedAt: at });
    await expect(decisions.record(waiting.decisionId, 'OVERRIDE', OTHER_APPROVER, at, 'late')).rejects.toMatchObject({ name: 'DecisionAlreadyTaken' });
  });

  it('still resumes the workflow when the audit trail cannot record the decision, and says so', async () => {
    const waiting = await waitingIncident();
    const failingAudit = Object.create(audit) as AuditStore;
    failingAudit.advance = async () => {
      throw new AuditStoreThrottledError('throttled (test)');
    };

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps({ audit: failingAudit }));

    expect(result).toMatchObject({ status: 'accepted', auditErrors: [expect.stringContaining('AuditStore.Throttled')] });
    expect(await waiting.answer).toMatchObject({ decision: 'APPROVE', by: APPROVER });
  });

  it('does not call a decision "expired" when Step Functions refused only the SDK\'s retry of a send that went through', async () => {
    const waiting = await waitingIncident();
    const retriedSfn = { send: async () => Promise.reject(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut', $metadata: { attempts: 2 } })) } as unknown as SFNClient;

    const result = await decide({ decisionId: waiting.decisionId, decision: 'APPROVE', by: APPROVER, team: TEAM, via: 'slack' }, deps({ sfn: retriedSfn }));

    expect(result).toMatchObject({ status: 'accepted', delivery: 'unconfirmed' });
    expect(await steps(waiting.incident.incidentId)).not.toContain('decision-refused');
  });

  it('treats a pending decision whose put was retried after it landed as stored', async () => {
    const request = { decisionId: newDecisionId(), incidentId: randomUUID(), taskToken: TaskTokenBroker.newToken(), deadline: new Date(Date.now() + 60_000).toISOString() };
    await decisions.create(request);

    await decisions.create(request);

    expect(await decisions.get(request.decisionId)).toMatchObject({ taskToken: request.taskToken });
    await expect(decisions.create({ ...request, taskToken: TaskTokenBroker.newToken() })).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });
});

describe('a decision Step Functions refused as too late', () => {
  it('is marked too late, so the workflow\'s check for a late decision does not apply it after all', async () => {
    const waiting = await waitingIncident();
    const lateSfn = { send: async () => Promise.reject(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut', $metadata: { attempts: 1 } })) } as unknown as SFNClient;

    const result = await decide({ decisionId: waiting.decisionId, decision: 'OVERRIDE', by: APPROVER, reason: 'CHG-5', team: TEAM, via: 'slack' }, deps({ sfn: lateSfn }));
    const applied = await lateDecision({ phase: 'timed-out', incident: waiting.incident, executionArn: `arn:aws:states:us-east-1:000000000000:execution:test:${waiting.incident.incidentId}` }, { audit, decisions });

    expect(result.status).toBe('expired');
    expect(applied.decision).toBe('TIMEOUT');
  });
});

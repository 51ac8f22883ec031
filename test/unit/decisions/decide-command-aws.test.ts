import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { toDocumentClient } from '../../../functions/shared/clients/dynamodb';
import { runDecide, type DecideOptions } from '../../../cli/commands/decide';
import type { AwsDecideClients } from '../../../cli/decide/aws';
import { DecideCommandError } from '../../../cli/decide/outcome';
import { localDynamoDbClient, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb/dynamodb-local';
import { STAND_IN_SLACK_TOKEN, type LocalEnvironment } from '../../../local/environment';
import type { ExecutionRecord } from '../../../local/workflow/local-workflow';
import { detachEvent } from '../../support/events';
import { Org, replay, startEnvironment } from '../../support/local-harness';
import { DetachmentReplayer } from '../../../local/replay';

const CALLER = 'arn:aws:sts::111122223333:assumed-role/SecOps/alice';
const BOT_TOKEN_SECRET = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:scp-guardian-bot-token-AbCdEf';

const sts = mockClient(STSClient);
const secrets = mockClient(SecretsManagerClient);
let env: LocalEnvironment;
let clients: AwsDecideClients;

beforeAll(async () => {
  env = await startEnvironment();
  clients = {
    sts: new STSClient({ region: LOCAL_REGION }),
    dynamodb: toDocumentClient(localDynamoDbClient(env.dynamoDbEndpoint)),
    sfn: new SFNClient({ endpoint: env.stepFunctions.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    secrets: new SecretsManagerClient({ region: LOCAL_REGION }),
  };
});
afterAll(() => env.stop());
beforeEach(() => {
  sts.reset();
  secrets.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER, Account: '111122223333', UserId: 'AROAEXAMPLE:alice' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: STAND_IN_SLACK_TOKEN });
});

/** Starts an approval-mode incident and waits until it asks for a decision. */
async function waitingIncident(targetId: string): Promise<{ incidentId: string; execution: Promise<ExecutionRecord> }> {
  const event = detachEvent({ policyId: Org.protectCloudTrail, targetId });
  new DetachmentReplayer(env.organization!).apply(event);
  const run = env.run(event);
  const incidentId = (await run.incidentId) as string;
  const deadline = Date.now() + 10_000;
  while ((await env.audit.getIncident(incidentId))?.status !== 'AWAITING_DECISION') {
    if (Date.now() > deadline) throw new Error(`incident ${incidentId} never asked for a decision`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { incidentId, execution: run.result };
}

function decideOnAws(incidentId: string, options: Partial<DecideOptions>, processEnv: NodeJS.ProcessEnv = { SCP_GUARDIAN_TABLE: env.tableName }) {
  return runDecide(incidentId, { region: 'us-east-1', ...options }, { env: processEnv, awsClients: () => clients });
}

async function commandError(promise: Promise<unknown>): Promise<DecideCommandError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DecideCommandError) return error;
    throw error;
  }
  throw new Error('expected a DecideCommandError');
}

const slackVersions = async (incidentId: string) => {
  const where = (await env.audit.getIncident(incidentId))?.slackMessage;
  return where === undefined ? [] : (env.slackStandIn?.message(where.channel, where.ts)?.history ?? []);
};

type Version = Awaited<ReturnType<typeof slackVersions>>[number];

/** The message's versions once `settled` holds of them, or whatever they are at the deadline. */
async function slackVersionsWhen(incidentId: string, settled: (versions: Version[]) => boolean, deadlineMs = 45_000): Promise<Version[]> {
  const deadline = Date.now() + deadlineMs;
  let versions = await slackVersions(incidentId);
  while (!settled(versions) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    versions = await slackVersions(incidentId);
  }
  return versions;
}

/**
 * Waits until the decide command's own redraw of the Slack message is over: its last step records
 * it in the timeline (`notified` or `notification-failed`, phase `decided`). decide() lets the
 * workflow resume after 1.5 s however far the redraw got; a test that ended before it would leave
 * the command's Slack client calling a stand-in that the environment then stops.
 */
async function redrawEnded(incidentId: string, deadlineMs = 45_000): Promise<string> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const last = (await env.audit.getTimeline(incidentId)).find((entry) => (entry.step === 'notified' || entry.step === 'notification-failed') && entry.detail.phase === 'decided');
    if (last !== undefined) return last.step;
    if (Date.now() > deadline) throw new Error(`the Slack redraw of ${incidentId}'s decision did not end within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('scp-guardian decide against AWS (DynamoDB and Step Functions endpoints, STS identity)', () => {
  it('approves a waiting incident as the caller from STS, resumes the workflow, and reattaches', async () => {
    const waiting = await waitingIncident(Org.sandboxOu);

    const outcome = await decideOnAws(waiting.incidentId, { approve: true });

    const execution = await waiting.execution;
    const decided = (await env.audit.getTimeline(waiting.incidentId)).find((entry) => entry.step === 'decided');
    expect(outcome).toMatchObject({ ok: true, message: expect.stringContaining(`APPROVE recorded for ${CALLER}`) });
    expect(execution.status).toBe('SUCCEEDED');
    expect(await env.audit.getIncident(waiting.incidentId)).toMatchObject({ decision: 'APPROVE', decidedBy: CALLER, outcome: 'REATTACHED' });
    expect(decided?.detail).toMatchObject({ by: CALLER, via: 'cli' });
    expect(env.organization?.isAttached(Org.protectCloudTrail, Org.sandboxOu)).toBe(true);
  });

  it('overrides for as long as --for says, recorded on the incident', async () => {
    const waiting = await waitingIncident(Org.prodOu);

    const outcome = await decideOnAws(waiting.incidentId, { override: true, reason: 'CHG-90', for: '90m' });

    await waiting.execution;
    const incident = await env.audit.getIncident(waiting.incidentId);
    const until = new Date(Date.parse(incident?.decidedAt ?? '') + 90 * 60_000).toISOString();
    expect(outcome).toMatchObject({ ok: true, message: expect.stringContaining(`stays detached until ${until}`) });
    expect(incident).toMatchObject({ decision: 'OVERRIDE', outcome: 'OVERRIDDEN', overriddenUntil: until });
  });

  it('refuses an override longer than the rules allow, without rules of its own: a week at most', async () => {
    const waiting = await waitingIncident(Org.sandboxOu);

    const outcome = await decideOnAws(waiting.incidentId, { override: true, reason: 'CHG-91', for: '8d' });

    expect(outcome).toEqual({ ok: false, message: `incident ${waiting.incidentId}: an override lasts at most 7d (the rules' overrides.maxHours is 168): 8d is longer`, note: undefined });
    expect((await env.audit.getIncident(waiting.incidentId))?.status).toBe('AWAITING_DECISION');
    await decideOnAws(waiting.incidentId, { approve: true });
    await waiting.execution;
  });

  it('without the bot token secret, says the Slack message shows the decision when the incident closes', async () => {
    const waiting = await waitingIncident(Org.sandboxOu);

    const outcome = await decideOnAws(waiting.incidentId, { approve: true });

    await waiting.execution;
    const versions = await slackVersions(waiting.incidentId);
    expect(outcome.note).toContain('--bot-token-secret');
    expect(versions.map((v) => v.by)).toEqual(['chat.postMessage', 'chat.update']);
    expect(JSON.stringify(versions[1].blocks)).toContain(CALLER);
  });

  it('with the bot token secret, redraws the Slack message at once, then again with the outcome', async () => {
    const waiting = await waitingIncident(Org.prodOu);

    const outcome = await decideOnAws(waiting.incidentId, { override: true, reason: 'vendor migration CHG-77', botTokenSecret: BOT_TOKEN_SECRET }, {
      SCP_GUARDIAN_TABLE: env.tableName,
      SLACK_API_URL: env.slackStandIn?.apiUrl,
    });

    await waiting.execution;
    // On a loaded machine the workflow can close before Slack answers the decision's redraw:
    // what matters is that the decision was shown and that the message ends on the outcome.
    const showsDecision = (version: Version) => JSON.stringify(version.blocks).includes('with `scp-guardian decide`');
    const showsOutcome = (version: Version | undefined) => JSON.stringify(version?.blocks).includes('*Outcome:* OVERRIDDEN');
    const versions = await slackVersionsWhen(waiting.incidentId, (all) => all.some(showsDecision) && showsOutcome(all[all.length - 1]));
    const decided = versions.find(showsDecision);
    expect(await redrawEnded(waiting.incidentId)).toBe('notified');
    expect(outcome).toMatchObject({ ok: true, note: undefined });
    expect(JSON.stringify(decided?.blocks)).toContain('vendor migration CHG-77');
    expect(JSON.stringify(versions[versions.length - 1].blocks)).toContain('*Outcome:* OVERRIDDEN');
    expect(env.organization?.isAttached(Org.protectCloudTrail, Org.prodOu)).toBe(false);
    env.organization?.attachPolicy(Org.protectCloudTrail, Org.prodOu);
  });

  it('with the bot token secret and a Slack slower than the workflow, still shows the decision, then the outcome on top', async () => {
    const waiting = await waitingIncident(Org.prodOu);
    // The command's redraw is answered after decide() has let the workflow resume and close.
    env.slackStandIn?.delayNext('chat.update', 2_500);

    const outcome = await decideOnAws(waiting.incidentId, { override: true, reason: 'slow Slack CHG-78', botTokenSecret: BOT_TOKEN_SECRET }, {
      SCP_GUARDIAN_TABLE: env.tableName,
      SLACK_API_URL: env.slackStandIn?.apiUrl,
    });

    await waiting.execution;
    const ended = await redrawEnded(waiting.incidentId);
    const versions = await slackVersions(waiting.incidentId);
    expect(outcome).toMatchObject({ ok: true, note: undefined });
    expect(ended).toBe('notified');
    expect(versions.some((version) => JSON.stringify(version.blocks).includes('with `scp-guardian decide`'))).toBe(true);
    expect(JSON.stringify(versions[versions.length - 1].blocks)).toContain('*Outcome:* OVERRIDDEN');
    env.organization?.attachPolicy(Org.protectCloudTrail, Org.prodOu);
  });

  it('says a closed incident is closed, and who decided it when, to a second decision', async () => {
    const waiting = await waitingIncident(Org.sandboxOu);
    await decideOnAws(waiting.incidentId, { approve: true });
    await waiting.execution;

    const outcome = await decideOnAws(waiting.incidentId, { override: true, reason: 'too late' });

    const record = await env.audit.getIncident(waiting.incidentId);
    expect(outcome).toEqual({
      ok: false,
      message: `incident ${waiting.incidentId} is not waiting for a decision: it closed at ${record?.closedAt} with outcome REATTACHED; ${CALLER} decided APPROVE at ${record?.decidedAt}`,
      note: undefined,
    });
  });

  it('says an incident that never asked is not waiting for a decision', async () => {
    const event = detachEvent({ policyId: Org.denyLeave, targetId: Org.root });
    const incidentId = (event.detail as { eventID: string }).eventID;
    await replay(env, event);

    const outcome = await decideOnAws(incidentId, { approve: true });

    expect(outcome.ok).toBe(false);
    expect(outcome.message).toMatch(new RegExp(`^incident ${incidentId} is not waiting for a decision: it closed at \\S+ with outcome REATTACHED$`));
  });

  it('says there is no such incident', async () => {
    const outcome = await decideOnAws('00000000-0000-4000-8000-00000000dead', { approve: true });

    expect(outcome).toMatchObject({ ok: false, message: 'no such incident: 00000000-0000-4000-8000-00000000dead' });
  });

  it('refuses an override without a reason before calling AWS', async () => {
    const error = await commandError(decideOnAws('any-incident', { override: true }));

    expect(error.message).toBe('--override needs --reason: say why the policy stays detached (it goes into the audit trail)');
    expect(sts.calls()).toHaveLength(0);
  });

  it('refuses --approve and --override together, and neither', async () => {
    const both = await commandError(decideOnAws('any-incident', { approve: true, override: true, reason: 'x' }));
    const neither = await commandError(decideOnAws('any-incident', {}));

    expect(both.message).toBe('say --approve (reattach now) or --override (keep detached), exactly one');
    expect(neither.message).toBe(both.message);
  });

  it('asks for the table when neither --table nor SCP_GUARDIAN_TABLE names it', async () => {
    const error = await commandError(decideOnAws('any-incident', { approve: true }, {}));

    expect(error.message).toContain('give --table NAME');
    expect(error.message).toContain('SCP_GUARDIAN_TABLE');
  });

  it('names the table when it does not exist', async () => {
    const error = await commandError(decideOnAws('any-incident', { approve: true, table: 'no-such-table' }));

    expect(error.message).toBe("no table no-such-table in this account and region: give the stack's AuditTableName output with --table");
  });

  it('says so in one line when there are no AWS credentials', async () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    sts.on(GetCallerIdentityCommand).rejects(missing);

    const error = await commandError(decideOnAws('any-incident', { approve: true }));

    expect(error.message).toBe(
      'no usable AWS credentials (CredentialsProviderError: Could not load credentials from any providers): set AWS_PROFILE, run aws sso login, or export credentials',
    );
  });
});

describe('scp-guardian decide after the approval window closed', () => {
  it('says an incident whose window ran out is closed, and that onTimeout applied', async () => {
    const shortWindow = await startEnvironment({ approvalTimeoutSeconds: 1 });
    try {
      const event = detachEvent({ policyId: Org.protectCloudTrail, targetId: Org.sandboxOu });
      const incidentId = (event.detail as { eventID: string }).eventID;
      await replay(shortWindow, event);
      const local = { ...clients, dynamodb: toDocumentClient(localDynamoDbClient(shortWindow.dynamoDbEndpoint)) };

      const outcome = await runDecide(incidentId, { approve: true, region: 'us-east-1', table: shortWindow.tableName }, { env: {}, awsClients: () => local });

      expect(outcome.ok).toBe(false);
      expect(outcome.message).toMatch(
        new RegExp(`^incident ${incidentId} is not waiting for a decision: it closed at \\S+ with outcome REATTACHED; nobody decided in time, so onTimeout \\(reattach\\) applied$`),
      );
    } finally {
      await shortWindow.stop();
    }
  });
});

import { join } from 'node:path';
import { MetricName } from '../../functions/shared/metrics';
import { loadProtectionRules } from '../../config/load';
import { Outcome, Source } from '../../functions/shared/vocabulary';
import { finishLocalCanary, startLocalCanary } from '../../local/canary';
import type { LocalEnvironment } from '../../local/environment';
import { stderrLog } from '../../local/local-log';
import { loadOrganizationFile } from '../../local/stand-ins/organizations/organization-file';
import { runLocal, type LocalRunReport } from '../../local/runner';
import { dynamoDbEndpoint, FAST_RETRIES, startEnvironment } from '../support/local-harness';
import { PROJECT_ROOT } from '../../cli/project-root';

const SAMPLES = join(PROJECT_ROOT, 'samples', 'canary');
const rules = () => loadProtectionRules(join(SAMPLES, 'protection-rules.json'));
const organization = () => loadOrganizationFile(join(SAMPLES, 'organization.json'));
const CANARY = { policyId: 'p-canary01', targetId: 'ou-a1b2-canary01' };

describe('local --canary: the canary through the real workflow', () => {
  let report: LocalRunReport;

  beforeAll(async () => {
    report = await runLocal({
      rules: rules(),
      organization: organization(),
      events: [],
      decision: 'approve',
      approvalTimeoutSeconds: 5,
      canary: true,
      dynamoDbEndpoint: dynamoDbEndpoint(),
      retryIntervalOverrides: FAST_RETRIES,
      log: stderrLog('silent'),
    });
  });

  it('brings the canary pair back: the workflow reattached it, and it is attached at the end', () => {
    const [incident] = report.incidents;

    expect(report.incidents).toHaveLength(1);
    expect(incident).toMatchObject({ source: Source.CANARY, verdict: 'PROTECTED', mode: 'auto', decision: 'AUTO', outcome: Outcome.REATTACHED, ...CANARY });
    expect(report.canary).toMatchObject({ passed: true, pairAttached: true, outcome: Outcome.REATTACHED, incidentId: incident.incidentId });
    expect(report.organization?.policies.find((p) => p.id === CANARY.policyId)?.targets).toEqual([CANARY.targetId]);
    expect(report.complete).toBe(true);
  });

  it('was made by the canary role, through the local endpoint, as the CloudTrail record names it', () => {
    const [incident] = report.incidents;

    expect(incident.actor).toBe('arn:aws:iam::000000000000:role/scp-guardian-local-canary');
    expect(report.canary?.run).toMatchObject({ ...CANARY, policyType: 'SERVICE_CONTROL_POLICY' });
    expect(report.attachCalls).toBe(1);
  });

  it('tells nobody: no email would reach a subscriber, nothing is posted to Slack', () => {
    expect(report.canary).toMatchObject({ emailsToPeople: 0, postedToSlack: false });
  });
});

describe('the canary in the local environment', () => {
  let env: LocalEnvironment | undefined;
  afterEach(async () => {
    await env?.stop();
    env = undefined;
  });

  it('emits CanaryStarted, CanaryDeadline and CanaryPassed, and counts no incident on the dashboard', async () => {
    env = await startEnvironment({ rules: rules(), organization: organization() });

    const started = await startLocalCanary(env, rules());
    await started.execution?.result;

    expect(env.metrics.map((point) => point.name)).toEqual([MetricName.CANARY_STARTED, MetricName.CANARY_DEADLINE, MetricName.CANARY_PASSED]);
  });

  it('is loud when the guard cannot bring the canary back: a critical notice to people and Slack, no CanaryPassed', async () => {
    env = await startEnvironment({ rules: rules(), organization: organization() });
    // A permanent error answers every attempt: the workflow's own first one and the reattach function's.
    env.organizationsEndpoint?.faults.script('AttachPolicy', ['AccessDeniedException', 'AccessDeniedException']);

    const started = await startLocalCanary(env, rules());
    const execution = await started.execution?.result;
    const summary = await finishLocalCanary(env, started.summary);

    expect(execution?.error).toBe('RemediationFailed');
    expect(summary).toMatchObject({ passed: false, pairAttached: false, outcome: Outcome.FAILED, postedToSlack: true });
    expect(summary.emailsToPeople).toBe(1);
    const closing = env.sns.published.find((message) => message.attributes.incidentId === summary.incidentId && message.attributes.phase === 'closed');
    expect(closing?.attributes).toMatchObject({ severity: 'critical', outcome: Outcome.FAILED });
    expect(closing?.attributes.canary).toBeUndefined();
    expect(env.metrics.some((point) => point.name === MetricName.CANARY_PASSED)).toBe(false);
  });

  it('refuses, detaching nothing and starting no execution, when the canary OU holds an account', async () => {
    const org = organization();
    org.accounts.push({ id: '555566667777', name: 'stray', parentId: CANARY.targetId });
    env = await startEnvironment({ rules: rules(), organization: org });

    const started = await startLocalCanary(env, rules());

    expect(started.execution).toBeUndefined();
    expect(started.summary.refused?.error).toBe('CanaryOuNotEmpty');
    expect(env.organization?.isAttached(CANARY.policyId, CANARY.targetId)).toBe(true);
  });
});

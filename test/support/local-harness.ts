import { join } from 'node:path';
import { parseProtectionRules } from '../../config/load';
import { LocalEnvironment, type LocalEnvironmentOptions } from '../../local/environment';
import { stderrLog } from '../../local/local-log';
import { loadOrganizationFile } from '../../local/stand-ins/organizations/organization-file';
import { ChangeReplayer } from '../../local/replay';
import type { ExecutionRecord } from '../../local/workflow/local-workflow';
import { PROJECT_ROOT } from '../../cli/project-root';

export const SAMPLE_ORGANIZATION = join(PROJECT_ROOT, 'samples', 'organization.json');

/** Sample organization ids the tests name. */
export const Org = {
  root: 'r-a1b2',
  prodOu: 'ou-a1b2-7hq4vz2n',
  sandboxOu: 'ou-a1b2-m5t8wd6c',
  sandboxAccount: '444455556666',
  denyLeave: 'p-denyleave1',
  denyRegion: 'p-denyregion',
  protectCloudTrail: 'p-protectct',
  fullAccess: 'p-FullAWSAccess',
  tagPolicy: 'p-tagpolicy1',
} as const;

/** The Slack workspace and app the test rules accept decisions from. */
export const TEST_SLACK = { teamId: 'T0TESTTEAM', appId: 'A0TESTAPP' } as const;

/** Rules for workflow tests: one auto rule, one approval rule, and an ignored pipeline role. */
export const testRules = (overrides: Record<string, unknown> = {}) =>
  parseProtectionRules({
    protect: [
      { policyId: Org.denyLeave, targets: '*', mode: 'auto' },
      { policyId: Org.protectCloudTrail, targets: [Org.prodOu, Org.sandboxOu], mode: 'approval' },
      { targetId: Org.prodOu, policies: '*', mode: 'auto' },
    ],
    ignorePrincipals: ['arn:aws:iam::111122223333:role/OrgPipelineRole'],
    approval: { timeoutMinutes: 15, onTimeout: 'reattach', approvers: ['U0APPROVER'] },
    notify: { slackChannel: 'C0SECURITY', slackTeamId: TEST_SLACK.teamId, slackAppId: TEST_SLACK.appId, unprotected: true },
    ...overrides,
  });

/** Retries wait milliseconds instead of seconds; backoff itself is the ASL's business. */
export const FAST_RETRIES = { ReattachPolicy: 20, NotifyDetected: 20, NotifyOutcome: 20, ClassifyEvent: 20, ClaimIncident: 20, ResolveClaim: 20, CloseIncident: 20 };

/** The pause between rounds of retries, in milliseconds instead of a minute. */
export const FAST_WAITS = { WaitBeforeRetrying: 20 };

export function dynamoDbEndpoint(): string {
  const endpoint = process.env.SCP_GUARDIAN_TEST_DYNAMODB_ENDPOINT;
  if (endpoint === undefined) throw new Error('DynamoDB Local is started by jest globalSetup (test/support/global-setup.ts)');
  return endpoint;
}

/** What every local test environment starts with: test rules, the sample org, the shared DynamoDB Local, fast retries. */
export function testEnvironmentOptions(): LocalEnvironmentOptions {
  return {
    rules: testRules(),
    organization: loadOrganizationFile(SAMPLE_ORGANIZATION),
    dynamoDbEndpoint: dynamoDbEndpoint(),
    retryIntervalOverrides: FAST_RETRIES,
    waitTimeOverrides: FAST_WAITS,
    log: stderrLog('silent'),
  };
}

/** A local environment on the shared DynamoDB Local, with its own table, and the sample org. */
export async function startEnvironment(options: Partial<LocalEnvironmentOptions> = {}): Promise<LocalEnvironment> {
  return LocalEnvironment.start({ ...testEnvironmentOptions(), ...options });
}

/** One replayer per environment, so a redelivered event changes the organization only once. */
const replayers = new WeakMap<LocalEnvironment, ChangeReplayer>();

/** Applies the event's change to the local organization (once per eventID), then runs the workflow to its end. */
export async function replay(env: LocalEnvironment, envelope: unknown): Promise<ExecutionRecord> {
  if (env.organization !== undefined) {
    let replayer = replayers.get(env);
    if (replayer === undefined) replayers.set(env, (replayer = new ChangeReplayer(env.organization)));
    replayer.apply(envelope);
  }
  return env.run(envelope).result;
}

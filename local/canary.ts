import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { randomUUID } from 'node:crypto';
import type { CanaryRun } from '../functions/canary/canary';
import { createCanaryHandler } from '../functions/canary/handler';
import { CANARY_ATTRIBUTE, type CanaryPair } from '../functions/shared/canary';
import { organizationsClientOptions } from '../functions/shared/clients/organizations';
import { MetricName } from '../functions/shared/metrics';
import type { ProtectionRules } from '../functions/shared/rules/protection-rules';
import { SELF_TEST_ATTRIBUTE } from '../functions/shared/self-test';
import { LOCAL_CREDENTIALS } from './dynamodb/dynamodb-local';
import type { LocalEnvironment } from './environment';
import { stderrLog } from './local-log';

/**
 * `scp-guardian local --canary`: the canary function's own handler (the same factory as in
 * Lambda) detaches the canary pair through the local Organizations endpoint, and the
 * DetachPolicy is fed to the workflow as the CloudTrail record EventBridge would deliver, made
 * by the canary role. The run then says whether the canary came back as in AWS: CanaryPassed
 * emitted, the pair attached again, nothing in anyone's inbox or Slack channel.
 */

/** The canary function's name: Lambda names the role session after it. */
const LOCAL_CANARY_FUNCTION = 'scp-guardian-canary';

/**
 * The DetachPolicy the canary made, as CloudTrail records it and EventBridge delivers it (the
 * shape of samples/events/*.json): an assumed-role session of the canary role, issued to the
 * Lambda function, with the role (path included) as the session issuer.
 */
export function canaryDetachEnvelope(pair: CanaryPair, roleArn: string, at: Date, eventId: string = randomUUID()): Record<string, unknown> {
  const account = /^arn:[^:]+:iam::(\d{12}):role\//.exec(roleArn)?.[1];
  if (account === undefined) throw new Error(`not an IAM role ARN: ${roleArn}`);
  const roleName = roleArn.split('/').pop() as string;
  const eventTime = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.organizations',
    account,
    time: eventTime,
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLECANARY0001:${LOCAL_CANARY_FUNCTION}`,
        arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${LOCAL_CANARY_FUNCTION}`,
        accountId: account,
        accessKeyId: 'ASIAEXAMPLECANARY001',
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLECANARY0001', arn: roleArn, accountId: account, userName: roleName },
          webIdFederationData: {},
          attributes: { creationDate: eventTime, mfaAuthenticated: 'false' },
        },
      },
      eventTime,
      eventSource: 'organizations.amazonaws.com',
      eventName: 'DetachPolicy',
      awsRegion: 'us-east-1',
      sourceIPAddress: '198.51.100.77',
      userAgent: 'aws-sdk-js/3.1169.0 ua/2.1 os/linux lang/js md/nodejs#22.12.0 api/organizations#3.1169.0 exec-env/AWS_Lambda_nodejs22.x',
      requestParameters: { policyId: pair.policyId, targetId: pair.targetId },
      responseElements: null,
      requestID: randomUUID(),
      eventID: eventId,
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
    },
  };
}

/** How the local canary went, for the report (`canary` in `local --json`). */
export interface LocalCanarySummary {
  policyId: string;
  targetId: string;
  roleArn: string;
  /** The canary's run, when it detached. */
  run?: CanaryRun;
  /** Why it did not detach: the refusal's name and message. */
  refused?: { error: string; message: string };
  /** The incident the workflow opened for it (its CloudTrail eventID). */
  incidentId?: string;
  outcome?: string | null;
  /** CanaryPassed was emitted: the workflow confirmed the pair back on the OU. */
  passed: boolean;
  /** The pair is attached in the local organization at the end (null: another endpoint, unknown). */
  pairAttached: boolean | null;
  /** Notices about the canary that an email subscription would deliver (none, unless it failed). */
  emailsToPeople: number;
  /** Whether the canary incident was posted to Slack (not, unless it failed). */
  postedToSlack: boolean;
}

/** The marks that email subscriptions filter out (infra/constructs/notifications.ts). */
const QUIET_MARKS = [SELF_TEST_ATTRIBUTE, CANARY_ATTRIBUTE];

/**
 * Runs the canary handler against the environment's Organizations endpoint, then starts the
 * workflow with its DetachPolicy as EventBridge would deliver it. Answers the summary so far and
 * the execution to wait for (none when the canary refused).
 */
export async function startLocalCanary(
  env: LocalEnvironment,
  rules: ProtectionRules,
  progress: (line: string) => void = () => {},
): Promise<{ summary: LocalCanarySummary; execution?: ReturnType<LocalEnvironment['run']> }> {
  const { canary } = rules;
  if (canary === undefined) throw new Error('the protection rules have no "canary": add {"canary": {"policyId", "targetId"}} (see samples/canary/)');
  const roleArn = env.canaryRoleArn;
  const summary: LocalCanarySummary = { ...canary, roleArn, passed: false, pairAttached: null, emailsToPeople: 0, postedToSlack: false };
  const organizations = new OrganizationsClient({ ...organizationsClientOptions(), endpoint: env.organizationsUrl, credentials: LOCAL_CREDENTIALS });
  const handler = createCanaryHandler({ rules, organizations, metrics: (points) => env.metrics.push(...points), log: (env.options.log ?? stderrLog('warn'))() });
  try {
    summary.run = await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
  } catch (error) {
    summary.refused = { error: (error as Error).name, message: (error as Error).message };
    return { summary };
  } finally {
    organizations.destroy();
  }
  progress(`canary: ${canary.policyId} detached from ${canary.targetId} as ${roleArn}; feeding the DetachPolicy to the workflow`);
  const envelope = canaryDetachEnvelope(canary, roleArn, new Date(summary.run.detachedAt));
  summary.incidentId = (envelope.detail as { eventID: string }).eventID;
  return { summary, execution: env.run(envelope) };
}

/** Completes the summary once the canary's execution has ended. */
export async function finishLocalCanary(env: LocalEnvironment, summary: LocalCanarySummary): Promise<LocalCanarySummary> {
  if (summary.incidentId === undefined) return summary;
  const { incidentId } = summary;
  const record = await env.trueAudit.getIncident(incidentId);
  const notices = env.sns.published.filter((message) => message.attributes.incidentId === incidentId);
  return {
    ...summary,
    outcome: record?.outcome ?? null,
    passed: env.metrics.some((point) => point.name === MetricName.CANARY_PASSED),
    pairAttached: env.organization?.isAttached(summary.policyId, summary.targetId) ?? null,
    emailsToPeople: notices.filter((message) => QUIET_MARKS.every((mark) => message.attributes[mark] === undefined)).length,
    postedToSlack: record?.slackMessage !== undefined,
  };
}

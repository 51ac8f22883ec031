import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { DetachPolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { IncidentQueries } from '../../../functions/shared/audit/queries';
import { CLOUDTRAIL_CLIENT_OPTIONS } from '../../../functions/shared/clients/cloudtrail';
import { toDocumentClient } from '../../../functions/shared/clients/dynamodb';
import { SWEEP_ORGANIZATIONS_CLIENT_OPTIONS } from '../../../functions/shared/clients/organizations';
import { DesiredReason } from '../../../functions/shared/desired/desired-state';
import { silentLog } from '../../../functions/shared/log';
import type { ProtectionRules } from '../../../functions/shared/rules/protection-rules';
import { Outcome } from '../../../functions/shared/vocabulary';
import { createSweepHandler } from '../../../functions/sweep/handler';
import type { SweepResult } from '../../../functions/sweep/result';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localDynamoDbClient } from '../../../local/dynamodb/dynamodb-local';
import type { LocalEnvironment } from '../../../local/environment';
import { LOCAL_STATE_MACHINE_ARN } from '../../../local/workflow/local-workflow';
import { Org, startEnvironment, testRules } from '../../support/local-harness';

/** Every account of the sample organization, with its parent. */
const SAMPLE_PARENTS = { '111122223333': Org.root, '222233334444': 'ou-a1b2-k3x9p2m7', '333344445555': Org.prodOu, [Org.sandboxAccount]: Org.sandboxOu, '555566667777': 'ou-a1b2-r8n2qv4j' };

/** The sweep function's handler with other rules, on the same local components: the sweep after a redeployment. */
function sweepWithRules(env: LocalEnvironment, rules: ProtectionRules) {
  return createSweepHandler({
    rules,
    organizations: new OrganizationsClient({ ...SWEEP_ORGANIZATIONS_CLIENT_OPTIONS, endpoint: env.organizationsUrl, credentials: LOCAL_CREDENTIALS }),
    cloudTrail: new CloudTrailClient({ ...CLOUDTRAIL_CLIENT_OPTIONS, endpoint: env.cloudTrail.url, credentials: LOCAL_CREDENTIALS }),
    sfn: new SFNClient({ endpoint: env.stepFunctions.url, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS }),
    stateMachineArn: LOCAL_STATE_MACHINE_ARN,
    desired: env.desired,
    audit: env.audit,
    queries: new IncidentQueries(toDocumentClient(localDynamoDbClient(env.dynamoDbEndpoint)), env.tableName),
    log: silentLog,
  });
}

describe('the sweep, under the conditions AWS has', () => {
  it('reads every attachment when the lists answer empty pages with a NextToken', async () => {
    const env = await startEnvironment({ sweepPageSize: 1 });
    try {
      if (env.organizationsEndpoint !== undefined) env.organizationsEndpoint.emptyPages = true;

      const { result } = await env.sweep();

      const parents = [...(await env.desired.parents()).values()].map((entry) => [entry.accountId, entry.parentId]);
      expect(result.desiredPairs).toBe(5);
      expect(Object.fromEntries(parents)).toEqual(SAMPLE_PARENTS);
      expect(result.calls.byOperation.ListChildren).toBeGreaterThan(16);
    } finally {
      await env.stop();
    }
  });

  it('completes a sweep that Organizations throttles', async () => {
    const env = await startEnvironment({ faults: { rateLimit: { requestsPerSecond: 2, burst: 1 } } });
    try {
      const { result } = await env.sweep();

      expect(env.organizationsEndpoint?.faults.injectedCount('TooManyRequestsException')).toBeGreaterThan(0);
      expect(result.errors).toEqual([]);
      expect(result.desiredPairs).toBe(5);
      expect(result.calls.attempts).toBeGreaterThan(result.calls.total);
    } finally {
      await env.stop();
    }
  });

  it('releases the pairs of a removed rule, and their detachment is no drift', async () => {
    const env = await startEnvironment();
    try {
      await env.sweep();
      const withoutCloudTrailRule = testRules({
        protect: [
          { policyId: Org.denyLeave, targets: '*', mode: 'auto' },
          { targetId: Org.prodOu, policies: '*', mode: 'auto' },
        ],
      });
      env.organization?.detachPolicy(Org.protectCloudTrail, Org.sandboxOu);

      const result = (await sweepWithRules(env, withoutCloudTrailRule)({})) as SweepResult;

      const history = await env.desired.pairHistory(Org.protectCloudTrail, Org.sandboxOu);
      expect(result.changes).toEqual([{ type: 'pair', policyId: Org.protectCloudTrail, targetId: Org.sandboxOu, desired: false, reason: DesiredReason.RULES_CHANGE }]);
      expect(history.at(-1)).toMatchObject({ desired: false, reason: DesiredReason.RULES_CHANGE });
      expect(result.drift).toEqual([]);
    } finally {
      await env.stop();
    }
  });

  it('restores a pair whose override ran out, and says whose override it was', async () => {
    const env = await startEnvironment();
    const organizations = new OrganizationsClient({ region: LOCAL_REGION, endpoint: env.organizationsUrl, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
    try {
      await env.sweep();
      await organizations.send(new DetachPolicyCommand({ PolicyId: Org.denyLeave, TargetId: Org.root }));
      // An override of one millisecond (shortened for the test), recorded after the first sweep's entries.
      const at = new Date();
      const until = new Date(at.getTime() + 1).toISOString();
      await env.desired.recordPair({ policyId: Org.denyLeave, targetId: Org.root, desired: false, reason: DesiredReason.OVERRIDE, until, by: 'U0APPROVER', at: at.toISOString() });

      const { result, executions } = await env.sweep();
      await Promise.all(executions);

      expect(result.drift).toEqual([expect.objectContaining({ policyId: Org.denyLeave, targetId: Org.root, lastDesiredAt: until, overrideExpired: { by: 'U0APPROVER', until } })]);
      expect((await env.desired.pairHistory(Org.denyLeave, Org.root)).map((entry) => entry.reason)).toContain(DesiredReason.OVERRIDE_EXPIRED);
      expect((await env.audit.getIncident(result.incidents[0]))?.outcome).toBe(Outcome.REATTACHED);
      expect(env.organization?.isAttached(Org.denyLeave, Org.root)).toBe(true);
    } finally {
      organizations.destroy();
      await env.stop();
    }
  });
});

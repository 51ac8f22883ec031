import { AttachPolicyCommand, ListPoliciesForTargetCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { reattachOnce } from '../../functions/reattach/reattach';
import type { AuditStore, TimelineWrite } from '../../functions/shared/audit/audit-store';
import { protectedIncident } from '../slack/incident-fixture';

/** One reattach attempt, with Organizations and the audit store as doubles. */
describe('reattachOnce', () => {
  const organizations = mockClient(OrganizationsClient);
  const client = new OrganizationsClient({ region: 'us-east-1' });
  const executionArn = 'arn:aws:states:us-east-1:111122223333:execution:scp-guardian:one';
  let recorded: TimelineWrite[];

  const audit = (failOn?: string) =>
    ({
      getTimeline: async () => [],
      appendTimeline: async (_id: string, write: TimelineWrite) => {
        if (failOn !== undefined && write.detail?.result === failOn) {
          throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
        }
        recorded.push(write);
        return { recorded: true };
      },
    }) as unknown as AuditStore;

  beforeEach(() => {
    organizations.reset();
    recorded = [];
  });
  afterAll(() => organizations.restore());

  it('does not pass an audit write failure after a successful AttachPolicy off as an Organizations error', async () => {
    const incident = protectedIncident();
    organizations.on(AttachPolicyCommand).resolves({});

    const attempt = reattachOnce(incident, executionArn, { organizations: client, audit: audit('attached') });

    await expect(attempt).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });

  it('finds a reattached policy whose type classify could not learn under any type it may have', async () => {
    const incident = protectedIncident();
    const withoutType = { ...incident, policy: { id: incident.policy.id } };
    organizations.on(AttachPolicyCommand).resolves({});
    organizations.on(ListPoliciesForTargetCommand, { Filter: 'SERVICE_CONTROL_POLICY' }).resolves({ Policies: [] });
    organizations.on(ListPoliciesForTargetCommand, { Filter: 'RESOURCE_CONTROL_POLICY' }).resolves({ Policies: [{ Id: incident.policy.id }] });

    const result = await reattachOnce(withoutType, executionArn, { organizations: client, audit: audit() });

    expect(result.outcome).toBe('REATTACHED');
  });
});

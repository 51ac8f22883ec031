import { AttachPolicyCommand, ListPoliciesForTargetCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { attachOnce, confirmOnce } from '../../../functions/reattach/reattach';
import type { AuditStore, TimelineWrite } from '../../../functions/shared/audit/audit-store';
import { protectedIncident } from '../slack/incident-fixture';

/** One attempt of ReattachPolicy and of ConfirmAttachment, with Organizations and the audit store as doubles. */
describe('attachOnce and confirmOnce', () => {
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

  it('reports an audit write failing after a successful AttachPolicy, and does not fail the attachment', async () => {
    const incident = protectedIncident();
    organizations.on(AttachPolicyCommand).resolves({});

    const result = await attachOnce(incident, executionArn, { organizations: client, audit: audit('attached'), deadlineSeconds: 3600, desired: { recordPair: async () => undefined } });

    expect(result).toMatchObject({ result: 'attached', auditErrors: [expect.stringContaining('ProvisionedThroughputExceededException')] });
  });

  it('calls AttachPolicy before it writes anything to the audit store', async () => {
    const incident = protectedIncident();
    const order: string[] = [];
    organizations.on(AttachPolicyCommand).callsFake(() => {
      order.push('AttachPolicy');
      return {};
    });
    const recordingAudit = {
      getTimeline: async () => {
        order.push('read');
        return [];
      },
      appendTimeline: async () => {
        order.push('write');
        return { recorded: true };
      },
    } as unknown as AuditStore;

    await attachOnce(incident, executionArn, { organizations: client, audit: recordingAudit, deadlineSeconds: 3600, desired: { recordPair: async () => undefined } });

    expect(order).toEqual(['AttachPolicy', 'write']);
  });

  it('finds a reattached policy whose type classify could not learn under any type it may have', async () => {
    const incident = protectedIncident();
    const withoutType = { ...incident, policy: { id: incident.policy.id } };
    organizations.on(ListPoliciesForTargetCommand, { Filter: 'SERVICE_CONTROL_POLICY' }).resolves({ Policies: [] });
    organizations.on(ListPoliciesForTargetCommand, { Filter: 'RESOURCE_CONTROL_POLICY' }).resolves({ Policies: [{ Id: incident.policy.id }] });

    const result = await confirmOnce(withoutType, executionArn, { result: 'attached', at: new Date().toISOString() }, { organizations: client, audit: audit(), deadlineSeconds: 3600, desired: { recordPair: async () => undefined } });

    expect(result.outcome).toBe('REATTACHED');
  });
});

describe('the remediation deadline', () => {
  const organizations = mockClient(OrganizationsClient);
  const client = new OrganizationsClient({ region: 'us-east-1' });
  const audit = { getTimeline: async () => [], appendTimeline: async () => ({ recorded: true }) } as unknown as AuditStore;
  const deps = { organizations: client, audit, deadlineSeconds: 3600, desired: { recordPair: async () => undefined } };
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();
  beforeEach(() => organizations.reset().on(AttachPolicyCommand).resolves({}));
  afterAll(() => organizations.restore());

  it('counts from an approver\'s decision, not from the event, so a long approval window does not eat it', async () => {
    const incident = protectedIncident();

    const result = await attachOnce(incident, 'arn:x', deps, { startedAt: hoursAgo(3), decision: { decision: 'APPROVE', at: hoursAgo(0.5) }, retry: { round: 2 } });

    expect(result.result).toBe('attached');
  });

  it('ends a new round that starts after the deadline, naming the last error', async () => {
    const incident = protectedIncident();

    const attempt = attachOnce(incident, 'arn:x', deps, { startedAt: hoursAgo(3), decision: { decision: 'AUTO' }, retry: { round: 4, error: 'Organizations.ServiceException', cause: 'down' } });

    await expect(attempt).rejects.toMatchObject({ name: 'RemediationDeadlinePassed', message: expect.stringContaining('the last error: Organizations.ServiceException: down') });
  });
});

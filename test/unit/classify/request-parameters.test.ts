import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_CONTENT_MAX_CHARS, readRequestParameters } from '../../../functions/shared/cloudtrail';
import { PROJECT_ROOT } from '../../../cli/project-root';

const EVENTS = join(PROJECT_ROOT, 'samples/events');
const sample = (file: string): { detail: Record<string, unknown> } => JSON.parse(readFileSync(join(EVENTS, file), 'utf8')) as { detail: Record<string, unknown> };
const withDetail = (file: string, detail: Record<string, unknown>) => {
  const event = sample(file);
  return { ...event, detail: { ...event.detail, ...detail } };
};

describe('readRequestParameters', () => {
  it('reads the policy and target of a DetachPolicy', () => {
    expect(readRequestParameters(sample('01-protected-auto-root.json'))).toEqual({ eventName: 'DetachPolicy', policyId: 'p-denyleave1', targetId: 'r-a1b2' });
  });

  it('reads the policy and target of an AttachPolicy', () => {
    expect(readRequestParameters(sample('14-forbidden-fullawsaccess-on-allowlist-ou.json'))).toEqual({
      eventName: 'AttachPolicy',
      policyId: 'p-FullAWSAccess',
      targetId: 'ou-a1b2-r8n2qv4j',
    });
  });

  it('reads the root and type of a DisablePolicyType', () => {
    expect(readRequestParameters(sample('15-scps-disabled-on-root.json'))).toEqual({
      eventName: 'DisablePolicyType',
      rootId: 'r-a1b2',
      policyType: 'SERVICE_CONTROL_POLICY',
    });
  });

  it('reads the account, source and destination of a MoveAccount', () => {
    expect(readRequestParameters(sample('10-account-moved-out-of-prod.json'))).toEqual({
      eventName: 'MoveAccount',
      accountId: '333344445555',
      sourceParentId: 'ou-a1b2-7hq4vz2n',
      destinationParentId: 'ou-a1b2-m5t8wd6c',
    });
  });

  it('reads the policy, name, description and whole content of an UpdatePolicy', () => {
    const event = sample('11-policy-changed-deny-to-allow.json');

    const read = readRequestParameters(event);

    expect(read).toEqual({
      eventName: 'UpdatePolicy',
      policyId: 'p-protectct',
      name: 'ProtectCloudTrail',
      description: "Nobody but the organization's admin role can stop or change CloudTrail",
      content: (event.detail.requestParameters as { content: string }).content,
    });
  });

  it('reads the policy of a DeletePolicy', () => {
    expect(readRequestParameters(sample('13-policy-deleted-after-detach.json'))).toEqual({ eventName: 'DeletePolicy', policyId: 'p-denyleave1' });
  });

  it('reads a CreatePolicy with the id from responseElements', () => {
    const event = withDetail('13-policy-deleted-after-detach.json', {
      eventName: 'CreatePolicy',
      requestParameters: { name: 'DenyEc2', description: '', type: 'SERVICE_CONTROL_POLICY', content: '{}' },
      responseElements: { policy: { policySummary: { id: 'p-bvdv3rx3' } } },
    });

    expect(readRequestParameters(event)).toEqual({
      eventName: 'CreatePolicy',
      name: 'DenyEc2',
      description: '',
      type: 'SERVICE_CONTROL_POLICY',
      content: '{}',
      createdPolicyId: 'p-bvdv3rx3',
    });
  });

  it('leaves out a content longer than any policy AWS accepts, rather than cut it', () => {
    const event = withDetail('11-policy-changed-deny-to-allow.json', {
      requestParameters: { policyId: 'p-protectct', content: `{"a":"${'x'.repeat(POLICY_CONTENT_MAX_CHARS)}"}` },
    });

    expect(readRequestParameters(event)).toEqual({ eventName: 'UpdatePolicy', policyId: 'p-protectct' });
  });

  it('leaves out fields of the wrong type', () => {
    const event = withDetail('10-account-moved-out-of-prod.json', { requestParameters: { accountId: 333344445555, sourceParentId: ['ou-a1b2-7hq4vz2n'] } });

    expect(readRequestParameters(event)).toEqual({ eventName: 'MoveAccount' });
  });

  it('says why for a call that changes no protection, and for an input with no detail', () => {
    expect(readRequestParameters(withDetail('10-account-moved-out-of-prod.json', { eventName: 'ListRoots' }))).toEqual({
      problem: 'ListRoots is not a call that changes what protects an account',
    });
    expect(readRequestParameters({ nothing: true })).toEqual({ problem: expect.stringContaining('no "detail" object') });
  });
});

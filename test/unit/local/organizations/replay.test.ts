import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalOrganization } from '../../../../local/stand-ins/organizations/organization-state';
import { ChangeReplayer, DetachmentReplayer } from '../../../../local/replay';
import { PROJECT_ROOT } from '../../../../cli/project-root';

const SAMPLES = join(PROJECT_ROOT, 'samples');
const ROOT = 'r-a1b2';
const PROD_OU = 'ou-a1b2-7hq4vz2n';
const SANDBOX_OU = 'ou-a1b2-m5t8wd6c';
const REGULATED_OU = 'ou-a1b2-r8n2qv4j';
const PROD_ACCOUNT = '333344445555';

type Envelope = { detail: Record<string, unknown> & { requestParameters: Record<string, unknown> | null } };

const sampleEvent = (file: string): Envelope => JSON.parse(readFileSync(join(SAMPLES, 'events', file), 'utf8')) as Envelope;
const sampleOrganization = (): LocalOrganization => LocalOrganization.fromFile(join(SAMPLES, 'organization.json'));

/** A copy of a sample with other detail fields: another eventID, eventName, request, ... */
function variant(file: string, detail: Record<string, unknown>): Envelope {
  const event = sampleEvent(file);
  return { ...event, detail: { ...event.detail, ...detail } };
}

let org: LocalOrganization;
let replayer: ChangeReplayer;
beforeEach(() => {
  org = sampleOrganization();
  replayer = new ChangeReplayer(org, () => new Date(APPLIED_AT));
});

/** The replayer's clock: every result says when the change was applied (a replay measures from it). */
const APPLIED_AT = '2026-12-01T12:00:00.000Z';

describe('ChangeReplayer: each kind of call changes the organization as it did', () => {
  it('detaches the pair of a DetachPolicy', () => {
    const result = replayer.apply(sampleEvent('01-protected-auto-root.json'));

    expect(result).toEqual({ at: APPLIED_AT, applied: true, change: 'p-denyleave1 detached from r-a1b2' });
    expect(org.isAttached('p-denyleave1', ROOT)).toBe(false);
  });

  it('moves the account of a MoveAccount out of Prod into Sandbox', () => {
    const result = replayer.apply(sampleEvent('10-account-moved-out-of-prod.json'));

    expect(result.applied).toBe(true);
    expect(org.parentOf(PROD_ACCOUNT).id).toBe(SANDBOX_OU);
  });

  it('writes the content of an UpdatePolicy, which DescribePolicy then answers (Deny became Allow)', () => {
    const event = sampleEvent('11-policy-changed-deny-to-allow.json');

    const result = replayer.apply(event);

    expect(result).toEqual({ at: APPLIED_AT, applied: true, change: 'p-protectct updated: content changed' });
    expect(org.policy('p-protectct').contentText).toBe(event.detail.requestParameters?.content);
    expect(org.policy('p-protectct').content).toMatchObject({ Statement: [{ Effect: 'Allow' }] });
    expect(org.isAttached('p-protectct', PROD_OU)).toBe(true);
  });

  it('deletes the policy of a DeletePolicy once the DetachPolicy before it has been applied', () => {
    const detach = replayer.apply(sampleEvent('12-pipeline-retires-denyleave-from-root.json'));

    const remove = replayer.apply(sampleEvent('13-policy-deleted-after-detach.json'));

    expect([detach.applied, remove]).toEqual([true, { at: APPLIED_AT, applied: true, change: 'p-denyleave1 deleted' }]);
    expect(() => org.policy('p-denyleave1')).toThrow(expect.objectContaining({ name: 'PolicyNotFoundException' }));
  });

  it('refuses a DeletePolicy of a policy still attached, as AWS would have', () => {
    const result = replayer.apply(sampleEvent('13-policy-deleted-after-detach.json'));

    expect(result).toEqual({ at: APPLIED_AT, applied: false, why: expect.stringMatching(/^PolicyInUseException: /) });
    expect(org.isAttached('p-denyleave1', ROOT)).toBe(true);
  });

  it('attaches the policy of an AttachPolicy: FullAWSAccess lands on the allow-list OU', () => {
    expect(org.isAttached('p-FullAWSAccess', REGULATED_OU)).toBe(false);

    const result = replayer.apply(sampleEvent('14-forbidden-fullawsaccess-on-allowlist-ou.json'));

    expect(result.applied).toBe(true);
    expect(org.isAttached('p-FullAWSAccess', REGULATED_OU)).toBe(true);
  });

  it('disables SCPs on the root for a DisablePolicyType: every SCP detached, tag policies left', () => {
    const result = replayer.apply(sampleEvent('15-scps-disabled-on-root.json'));

    expect(result).toEqual({ at: APPLIED_AT, applied: true, change: 'SERVICE_CONTROL_POLICY disabled on r-a1b2: 16 attachments removed' });
    expect(org.isPolicyTypeEnabled('SERVICE_CONTROL_POLICY')).toBe(false);
    expect(org.targetsForPolicy('p-allowlist1')).toEqual([]);
    expect(org.isAttached('p-tagpolicy1', ROOT)).toBe(true);
  });

  it('enables SCPs for an EnablePolicyType, with FullAWSAccess alone on every target', () => {
    replayer.apply(sampleEvent('15-scps-disabled-on-root.json'));

    const result = replayer.apply(variant('15-scps-disabled-on-root.json', { eventName: 'EnablePolicyType', eventID: 'e0e0e0e0-1111-4222-8333-444455556615' }));

    expect(result).toEqual({ at: APPLIED_AT, applied: true, change: 'SERVICE_CONTROL_POLICY enabled on r-a1b2: FullAWSAccess attached to 10 targets' });
    expect(org.policiesForTarget(REGULATED_OU, 'SERVICE_CONTROL_POLICY').map((p) => p.id)).toEqual(['p-FullAWSAccess']);
  });

  it('creates the policy of a CreatePolicy under the id AWS gave it', () => {
    const content = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ec2:*","Resource":"*"}]}';
    const event = variant('11-policy-changed-deny-to-allow.json', {
      eventName: 'CreatePolicy',
      eventID: 'e0e0e0e0-1111-4222-8333-444455556616',
      requestParameters: { name: 'DenyEc2', description: 'No EC2', type: 'SERVICE_CONTROL_POLICY', content },
      responseElements: { policy: { policySummary: { id: 'p-bvdv3rx3', name: 'DenyEc2', type: 'SERVICE_CONTROL_POLICY', awsManaged: false }, content } },
    });

    const result = replayer.apply(event);

    expect(result).toEqual({ at: APPLIED_AT, applied: true, change: 'p-bvdv3rx3 created (DenyEc2)' });
    expect(org.policy('p-bvdv3rx3')).toMatchObject({ name: 'DenyEc2', description: 'No EC2', contentText: content });
  });

  it('applies the new samples 10 to 15 in order, each one', () => {
    const files = [
      '10-account-moved-out-of-prod.json',
      '11-policy-changed-deny-to-allow.json',
      '12-pipeline-retires-denyleave-from-root.json',
      '13-policy-deleted-after-detach.json',
      '14-forbidden-fullawsaccess-on-allowlist-ou.json',
      '15-scps-disabled-on-root.json',
    ];

    const results = files.map((file) => replayer.apply(sampleEvent(file)));

    expect(results.map((r) => (r.applied ? 'applied' : r.why))).toEqual(files.map(() => 'applied'));
  });
});

describe('ChangeReplayer: what changes nothing', () => {
  it('applies an event once: its redelivery changes nothing more', () => {
    replayer.apply(sampleEvent('01-protected-auto-root.json'));
    org.attachPolicy('p-denyleave1', ROOT); // the guard's reattachment

    const result = replayer.apply(sampleEvent('08-duplicate-delivery-of-01.json'));

    expect(result).toEqual({ at: APPLIED_AT, applied: false, why: 'a redelivery of an event already applied' });
    expect(org.isAttached('p-denyleave1', ROOT)).toBe(true);
  });

  it('does not write an UpdatePolicy twice when it is delivered twice, even after the content was restored', () => {
    const event = sampleEvent('11-policy-changed-deny-to-allow.json');
    const original = org.policy('p-protectct').contentText;
    replayer.apply(event);
    org.updatePolicy('p-protectct', { content: original }); // the guard's restore

    const result = replayer.apply(event);

    expect(result.applied).toBe(false);
    expect(org.policy('p-protectct').contentText).toBe(original);
  });

  it('changes nothing for a failed call and says which error it had', () => {
    const result = replayer.apply(sampleEvent('07-failed-call.json'));

    expect(result).toEqual({ at: APPLIED_AT, applied: false, why: 'the call failed (AccessDenied)' });
    expect(org.isAttached('p-denyleave1', ROOT)).toBe(true);
  });

  it('changes nothing for a failed DisablePolicyType', () => {
    const event = variant('15-scps-disabled-on-root.json', { errorCode: 'AccessDenied', errorMessage: 'not authorized', responseElements: null });

    const result = replayer.apply(event);

    expect(result).toEqual({ at: APPLIED_AT, applied: false, why: 'the call failed (AccessDenied)' });
    expect(org.isPolicyTypeEnabled('SERVICE_CONTROL_POLICY')).toBe(true);
  });

  it('changes nothing when errorCode is there but not an error code', () => {
    const result = replayer.apply(variant('10-account-moved-out-of-prod.json', { errorCode: 42 }));

    expect(result).toEqual({ at: APPLIED_AT, applied: false, why: expect.stringContaining('whether the call succeeded is unknown') });
    expect(org.parentOf(PROD_ACCOUNT).id).toBe(PROD_OU);
  });

  it('changes nothing for a call that changes no protection, and names it', () => {
    const result = replayer.apply(variant('10-account-moved-out-of-prod.json', { eventName: 'ListRoots', requestParameters: null }));

    expect(result).toEqual({ at: APPLIED_AT, applied: false, why: 'ListRoots is not a call that changes what protects an account' });
  });

  it('says what is missing when the record names no account to move', () => {
    const result = replayer.apply(variant('10-account-moved-out-of-prod.json', { requestParameters: { accountId: PROD_ACCOUNT } }));

    expect(result).toEqual({ at: APPLIED_AT, applied: false, why: 'no account, source or destination named' });
  });

  it('says why a MoveAccount from a parent the account is not in cannot be applied', () => {
    const result = replayer.apply(
      variant('10-account-moved-out-of-prod.json', { requestParameters: { accountId: PROD_ACCOUNT, sourceParentId: ROOT, destinationParentId: SANDBOX_OU } }),
    );

    expect(result).toEqual({ at: APPLIED_AT, applied: false, why: expect.stringMatching(/^SourceParentNotFoundException: /) });
  });

  it('refuses an event that is not a CloudTrail record, saying why', () => {
    const result = replayer.apply(JSON.parse(readFileSync(join(SAMPLES, 'events', '09-invalid-truncated.json'), 'utf8')));

    expect(result.applied).toBe(false);
  });

  it('keeps the old name working for the call sites not yet renamed', () => {
    expect(new DetachmentReplayer(org)).toBeInstanceOf(ChangeReplayer);
  });
});

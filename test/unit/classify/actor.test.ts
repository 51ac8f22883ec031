import { actorOf, excerptOf } from '../../../functions/shared/cloudtrail';
import { Verdict } from '../../../functions/shared/vocabulary';
import { classifyPure, classifyRules, Ids } from './classify-support';
import { fixtureEnvelope, fixtureRecord } from './fixtures';

describe('actorOf', () => {
  it('reads the published root-user record: Root, console, MFA, its ARN as the principal', () => {
    const record = fixtureRecord('reference-detachpolicy-root-user-redacted.json');

    const actor = actorOf(record);

    expect(actor).toEqual({
      type: 'Root',
      arn: 'arn:aws:iam::<MANAGEMENT_ACCT_ID>:root',
      sessionIssuerArn: undefined,
      principalArn: 'arn:aws:iam::<MANAGEMENT_ACCT_ID>:root',
      accountId: '<MANAGEMENT_ACCT_ID>',
      sourceIp: '<REDACTED>',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36',
      console: true,
      mfa: true,
      invokedBy: undefined,
    });
  });

  it("reads AWS's failed-call example: an IAM user with access keys, not console, MFA not stated", () => {
    const record = fixtureRecord('reference-attachpolicy-failed-call.json');

    const actor = actorOf(record);

    expect(actor).toMatchObject({ type: 'IAMUser', principalArn: 'arn:aws:iam::111111111111:user/diego', sourceIp: '192.0.2.0', console: false });
    expect(actor.mfa).toBeUndefined();
  });

  it('names an IAM Identity Center user: the permission-set role as principal, the person as session name', () => {
    const record = fixtureRecord('detachpolicy-identity-center-console-from-account.json');

    const actor = actorOf(record);

    expect(actor).toMatchObject({
      type: 'IdentityCenter',
      principalArn: 'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_AdministratorAccess_5f2c8e1d9a7b3c40',
      sessionName: 'bob@example.com',
      console: true,
      mfa: false,
    });
  });

  it('names a federated user by the IAM user that issued the session', () => {
    const record = fixtureRecord('detachpolicy-federated-user-from-ou.json');

    const actor = actorOf(record);

    expect(actor).toMatchObject({
      type: 'FederatedUser',
      arn: 'arn:aws:sts::111122223333:federated-user/carol',
      principalArn: 'arn:aws:iam::111122223333:user/ops-broker',
      sessionName: 'carol',
    });
  });

  it('names an AWS service by the service that called, with no principal ARN to match', () => {
    const record = fixtureRecord('detachpolicy-aws-service-from-ou.json');

    const actor = actorOf(record);

    expect(actor).toMatchObject({ type: 'AWSService', invokedBy: 'controltower.amazonaws.com', sourceIp: 'controltower.amazonaws.com' });
    expect(actor.principalArn).toBeUndefined();
  });

  it('reads an assumed role with MFA stated as "false"', () => {
    const record = fixtureRecord('detachpolicy-assumed-role-from-ou.json');

    const actor = actorOf(record);

    expect(actor).toMatchObject({ type: 'AssumedRole', mfa: false, console: false, principalArn: 'arn:aws:iam::111122223333:role/BreakGlassAdmin' });
  });

  it('treats a userIdentity that is not an object as an unknown caller', () => {
    const record = { ...fixtureRecord('detachpolicy-assumed-role-from-ou.json'), userIdentity: 'truncated' };

    const actor = actorOf(record);

    expect(actor).toEqual(expect.objectContaining({ type: 'Unknown', arn: undefined, principalArn: undefined }));
  });

  it('does not take an ARN from the prototype chain', () => {
    const identity = Object.create({ arn: Ids.pipelineRole }) as Record<string, unknown>;
    identity.type = 'IAMUser';

    const actor = actorOf({ userIdentity: identity });

    expect(actor.arn).toBeUndefined();
  });
});

describe('excerptOf', () => {
  it('describes a value that neither JSON nor String() can print instead of throwing', () => {
    const value = Object.assign(Object.create(null) as Record<string, unknown>, { big: 1n });

    const excerpt = excerptOf(value);

    expect(excerpt).toBe('[object Object]');
  });
});

describe('classify: ignorePrincipals matches whole ARNs only', () => {
  it('ignores a detach by the exact pipeline role', () => {
    const event = fixtureEnvelope('detachpolicy-ignored-pipeline-role.json');

    const incident = classifyPure(event);

    expect(incident).toMatchObject({ verdict: Verdict.IGNORED_ACTOR, notify: false });
    expect(incident.reason).toBe(`${Ids.pipelineRole} is in ignorePrincipals (exact match)`);
  });

  it('does not ignore a role whose name only starts like the pipeline role', () => {
    const event = fixtureEnvelope('detachpolicy-lookalike-pipeline-role-prefix.json');

    const incident = classifyPure(event);

    expect(incident.verdict).toBe(Verdict.PROTECTED);
  });

  it('does not ignore a role of the same name under another path', () => {
    const event = fixtureEnvelope('detachpolicy-lookalike-pipeline-role-other-path.json');

    const incident = classifyPure(event);

    expect(incident.verdict).toBe(Verdict.PROTECTED);
    expect(incident.actor.principalArn).toBe('arn:aws:iam::111122223333:role/ci/OrgPipelineRole');
  });

  it('ignores a role with a path when the file names the role with that path', () => {
    const event = fixtureEnvelope('detachpolicy-lookalike-pipeline-role-other-path.json');
    const rules = classifyRules({ ignorePrincipals: ['arn:aws:iam::111122223333:role/ci/OrgPipelineRole'] });

    const incident = classifyPure(event, rules);

    expect(incident.verdict).toBe(Verdict.IGNORED_ACTOR);
  });

  it('does not ignore an IAM user with the same name as the ignored role', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-named-like-pipeline-role.json');

    const incident = classifyPure(event);

    expect(incident.verdict).toBe(Verdict.PROTECTED);
  });

  it('does not ignore the same role name in another account', () => {
    const event = fixtureEnvelope('detachpolicy-ignored-pipeline-role.json');
    const rules = classifyRules({ ignorePrincipals: ['arn:aws:iam::999988887777:role/OrgPipelineRole'] });

    const incident = classifyPure(event, rules);

    expect(incident.verdict).not.toBe(Verdict.IGNORED_ACTOR);
  });

  it('does not ignore the role when the file spells its name in another case (IAM ARNs keep their case)', () => {
    const event = fixtureEnvelope('detachpolicy-ignored-pipeline-role.json');
    const rules = classifyRules({ ignorePrincipals: ['arn:aws:iam::111122223333:role/orgpipelinerole'] });

    const incident = classifyPure(event, rules);

    expect(incident.verdict).not.toBe(Verdict.IGNORED_ACTOR);
  });

  it('ignores an IAM user named by its exact user ARN', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');
    const rules = classifyRules({ ignorePrincipals: ['arn:aws:iam::111122223333:user/alice'] });

    const incident = classifyPure(event, rules);

    expect(incident.verdict).toBe(Verdict.IGNORED_ACTOR);
  });

  it('ignores every session of the ignored role, whatever session name its caller picked', () => {
    const event = fixtureEnvelope('detachpolicy-ignored-pipeline-role.json');
    const detail = event.detail as { userIdentity: Record<string, unknown> };
    const renamed = { ...event, detail: { ...detail, userIdentity: { ...detail.userIdentity, arn: 'arn:aws:sts::111122223333:assumed-role/OrgPipelineRole/anything-at-all' } } };

    const incident = classifyPure(renamed);

    expect(incident.verdict).toBe(Verdict.IGNORED_ACTOR);
  });
});

describe('classify: a protected pair detached by an ignored principal', () => {
  const protectedByPipeline = () => {
    const event = fixtureEnvelope('detachpolicy-ignored-pipeline-role.json');
    const detail = event.detail as { requestParameters: Record<string, unknown> };
    return { ...event, detail: { ...detail, requestParameters: { policyId: Ids.denyLeave, targetId: Ids.sandboxAccount } } };
  };

  it('is not undone, but is told at low priority, naming the rule that covers it', () => {
    const incident = classifyPure(protectedByPipeline());

    expect(incident).toMatchObject({ verdict: Verdict.IGNORED_ACTOR, notify: true, priority: 'low', rule: { index: 0 } });
    expect(incident.mode).toBeUndefined();
    expect(incident.reason).toMatch(/^arn:aws:iam::111122223333:role\/OrgPipelineRole is in ignorePrincipals \(exact match\): protect\[0\].*not undone; told at low priority$/);
  });

  it('is not told when notify.ignored is false', () => {
    const incident = classifyPure(protectedByPipeline(), classifyRules({ notify: { ignored: false } }));

    expect(incident).toMatchObject({ verdict: Verdict.IGNORED_ACTOR, notify: false });
    expect(incident.priority).toBeUndefined();
  });
});

import { Verdict } from '../../../functions/shared/vocabulary';
import { classifyPure, classifyRules, Ids, scp } from './classify-support';
import { fixtureEnvelope, fixtureNames } from './fixtures';

/** One fixture per case, each with the verdict README documents for it. */
const EXPECTED: Record<string, { verdict: Verdict; enrichment?: Parameters<typeof classifyPure>[2] }> = {
  'detachpolicy-iam-user-cli-from-root.json': { verdict: Verdict.PROTECTED },
  'detachpolicy-assumed-role-from-ou.json': { verdict: Verdict.PROTECTED },
  'detachpolicy-identity-center-console-from-account.json': { verdict: Verdict.UNPROTECTED },
  'detachpolicy-federated-user-from-ou.json': { verdict: Verdict.PROTECTED },
  'detachpolicy-aws-service-from-ou.json': { verdict: Verdict.PROTECTED },
  'detachpolicy-ignored-pipeline-role.json': { verdict: Verdict.IGNORED_ACTOR },
  'detachpolicy-lookalike-pipeline-role-prefix.json': { verdict: Verdict.PROTECTED },
  'detachpolicy-lookalike-pipeline-role-other-path.json': { verdict: Verdict.PROTECTED },
  'detachpolicy-iam-user-named-like-pipeline-role.json': { verdict: Verdict.PROTECTED },
  'detachpolicy-tag-policy-from-root.json': {
    verdict: Verdict.NOT_SCP,
    enrichment: { policy: { name: 'CostCenterTags', type: 'TAG_POLICY' }, target: { name: 'Root' }, errors: [] },
  },
  'derived-detachpolicy-root-user-console-mfa.json': { verdict: Verdict.PROTECTED },
  'derived-detachpolicy-failed-call-iam-user.json': { verdict: Verdict.FAILED_CALL },
  'reference-detachpolicy-root-user-redacted.json': { verdict: Verdict.INVALID },
  'reference-attachpolicy-failed-call.json': { verdict: Verdict.FAILED_CALL },
  'not-cloudtrail-scheduled-event.json': { verdict: Verdict.INVALID },
};

describe('classify: one verdict per fixture', () => {
  it('has an expected verdict for every CloudTrail fixture, and every verdict has a fixture', () => {
    const names = fixtureNames();

    const verdicts = new Set(Object.values(EXPECTED).map((e) => e.verdict));

    expect(Object.keys(EXPECTED).sort()).toEqual([...names].sort());
    expect([...verdicts].sort()).toEqual(Object.values(Verdict).sort());
  });

  it.each(Object.entries(EXPECTED))('classifies %s as documented', (name, { verdict, enrichment }) => {
    const event = fixtureEnvelope(name);

    const incident = classifyPure(event, classifyRules(), enrichment ?? scp());

    expect(incident.verdict).toBe(verdict);
  });
});

describe('classify: reference records', () => {
  it('calls the published root-user record INVALID because its target id is a redaction placeholder, yet keeps who did it', () => {
    const event = fixtureEnvelope('reference-detachpolicy-root-user-redacted.json');

    const incident = classifyPure(event);

    expect(incident.verdict).toBe(Verdict.INVALID);
    expect(incident.reason).toMatch(/targetId .*not a root, OU or account id/);
    expect(incident.incidentId).toBe('bc589e5f-3859-4acb-9b54-30d7cb08edd6');
    expect(incident.actor).toMatchObject({ type: 'Root', console: true, mfa: true });
    expect(incident.notify).toBe(true);
  });

  it("calls AWS's failed AttachPolicy example FAILED_CALL: an AttachPolicy is a known kind, and it failed", () => {
    const event = fixtureEnvelope('reference-attachpolicy-failed-call.json');

    const incident = classifyPure(event);

    expect(incident).toMatchObject({ verdict: Verdict.FAILED_CALL, kind: 'FORBIDDEN_ATTACHED', notify: false });
    expect(incident.reason).toContain('PolicyTypeNotEnabledException');
    expect(incident.reason).toContain('nothing was attached');
    expect(incident.incidentId).toBe('EXAMPLE8-90ab-cdef-fedc-ba987EXAMPLE');
  });

  it('calls a call of an unknown kind INVALID, naming the kinds it knows', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');
    const detail = event.detail as Record<string, unknown>;
    const createPolicy = { ...event, detail: { ...detail, eventName: 'CreatePolicy' } };

    const incident = classifyPure(createPolicy);

    expect(incident.verdict).toBe(Verdict.INVALID);
    expect(incident.reason).toMatch(/^not a well-formed Organizations event of a known kind: expected organizations\.amazonaws\.com DetachPolicy, .*AttachPolicy; got organizations\.amazonaws\.com CreatePolicy$/);
  });

  it('calls the same failed call FAILED_CALL once it is a DetachPolicy, and asks nobody to act', () => {
    const event = fixtureEnvelope('derived-detachpolicy-failed-call-iam-user.json');

    const incident = classifyPure(event);

    expect(incident).toMatchObject({ verdict: Verdict.FAILED_CALL, notify: false, policy: { id: 'p-examplepolicyid111' } });
    expect(incident.reason).toBe(
      'the call failed with PolicyTypeNotEnabledException (The given policy type ServiceControlPolicy is not enabled on the current view): nothing was detached',
    );
  });

  it('protects the root-user record once its placeholders are real ids', () => {
    const event = fixtureEnvelope('derived-detachpolicy-root-user-console-mfa.json');

    const incident = classifyPure(event);

    expect(incident).toMatchObject({
      verdict: Verdict.PROTECTED,
      mode: 'auto',
      actor: { type: 'Root', principalArn: 'arn:aws:iam::111122223333:root', console: true, mfa: true },
      target: { id: Ids.prodAccount, type: 'ACCOUNT' },
    });
  });
});

describe('classify: failed calls', () => {
  it('decides FAILED_CALL before the rules, even for a protected pair detached by the pipeline role', () => {
    const event = fixtureEnvelope('detachpolicy-ignored-pipeline-role.json');
    const detail = event.detail as Record<string, unknown>;
    const failed = { ...event, detail: { ...detail, errorCode: 'AccessDenied', errorMessage: 'not authorized' } };

    const incident = classifyPure(failed, classifyRules({ protect: [{ policyId: Ids.denyRegion, targets: '*', mode: 'auto' }] }));

    expect(incident.verdict).toBe(Verdict.FAILED_CALL);
  });

  it('calls a record whose errorCode is not an error code INVALID, since whether the detach happened is unknown', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');
    const detail = event.detail as Record<string, unknown>;
    const confused = { ...event, detail: { ...detail, errorCode: { code: 'AccessDenied' } } };

    const incident = classifyPure(confused);

    expect(incident.verdict).toBe(Verdict.INVALID);
    expect(incident.reason).toContain('detail.errorCode is present but not an error code');
  });
});

describe('classify: policy types', () => {
  const tagPolicy = { policy: { name: 'CostCenterTags', type: 'TAG_POLICY' }, target: { name: 'Root' }, errors: [] };

  it('calls a tag policy NOT_SCP even when a target rule with "policies": "*" covers the target', () => {
    const event = fixtureEnvelope('detachpolicy-tag-policy-from-root.json');
    const rules = classifyRules({ protect: [{ targetId: Ids.root, policies: '*', mode: 'auto' }] });

    const incident = classifyPure(event, rules, tagPolicy);

    expect(incident).toMatchObject({ verdict: Verdict.NOT_SCP, notify: false, policy: { type: 'TAG_POLICY', name: 'CostCenterTags' } });
    expect(incident.mode).toBeUndefined();
    expect(incident.reason).toContain('protect[0] matches the pair, but only for those types');
  });

  it('calls a resource control policy NOT_SCP when policyTypes is left at its default', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');

    const incident = classifyPure(event, classifyRules(), { policy: { type: 'RESOURCE_CONTROL_POLICY' }, errors: [] });

    expect(incident.verdict).toBe(Verdict.NOT_SCP);
  });

  it('protects a resource control policy once policyTypes opts it in', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');
    const rules = classifyRules({ policyTypes: ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] });

    const incident = classifyPure(event, rules, { policy: { type: 'RESOURCE_CONTROL_POLICY' }, errors: [] });

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: 'auto' });
  });

  it('lets the rules decide when Organizations cannot say what the policy is (a deleted policy)', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');
    const gone = { errors: [`DescribePolicy ${Ids.denyLeave}: PolicyNotFoundException: We can't find a policy with the PolicyId that you specified.`] };

    const incident = classifyPure(event, classifyRules(), gone);

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: 'auto', policy: { id: Ids.denyLeave } });
    expect(incident.policy.type).toBeUndefined();
    expect(incident.reason).toContain('the policy type is unknown');
    expect(incident.enrichmentErrors?.[0]).toContain('PolicyNotFoundException');
  });

  it('leaves the type unknown when Organizations answers with an empty type, rather than calling it NOT_SCP', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');

    const incident = classifyPure(event, classifyRules(), { policy: { type: '' }, errors: [] });

    expect(incident.verdict).toBe(Verdict.PROTECTED);
  });
});

describe('classify: what a responder gets', () => {
  it('carries policy, target, actor, time, event id, the rule and why', () => {
    const event = fixtureEnvelope('detachpolicy-assumed-role-from-ou.json');
    const enrichment = { policy: { name: 'ProtectCloudTrail', type: 'SERVICE_CONTROL_POLICY' }, target: { name: 'Sandbox' }, errors: [] };

    const incident = classifyPure(event, classifyRules(), enrichment);

    expect(incident).toEqual({
      incidentId: 'e7a1c0d2-4b3f-4a5e-8c6d-1f2e3d4c5b02',
      eventId: 'e7a1c0d2-4b3f-4a5e-8c6d-1f2e3d4c5b02',
      eventTime: '2026-11-21T08:02:11Z',
      detectedAt: '2026-11-21T08:02:11Z',
      region: 'us-east-1',
      kind: 'DETACHED',
      verdict: Verdict.PROTECTED,
      reason: `protect[1] names ${Ids.protectCloudTrail} on ${Ids.sandboxOu}`,
      mode: 'approval',
      rule: { index: 1, specificity: 'exact', mode: 'approval', explanation: `protect[1] names ${Ids.protectCloudTrail} on ${Ids.sandboxOu}` },
      approval: { timeoutSeconds: 900, onTimeout: 'reattach' },
      policy: { id: Ids.protectCloudTrail, name: 'ProtectCloudTrail', type: 'SERVICE_CONTROL_POLICY' },
      target: { id: Ids.sandboxOu, type: 'ORGANIZATIONAL_UNIT', name: 'Sandbox' },
      actor: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/BreakGlassAdmin/incident-4711',
        sessionIssuerArn: 'arn:aws:iam::111122223333:role/BreakGlassAdmin',
        principalArn: 'arn:aws:iam::111122223333:role/BreakGlassAdmin',
        sessionName: 'incident-4711',
        accountId: '111122223333',
        sourceIp: '203.0.113.11',
        userAgent: expect.stringContaining('aws-cli/2.22.4'),
        console: false,
        mfa: false,
        invokedBy: undefined,
      },
      notify: true,
    });
  });

  it('names the less specific rule it outranked, so nobody has to work out the precedence', () => {
    const event = fixtureEnvelope('detachpolicy-aws-service-from-ou.json');

    const incident = classifyPure(event);

    expect(incident.rule).toMatchObject({ index: 1, specificity: 'exact', mode: 'approval' });
    expect(incident.reason).toBe(`protect[1] names ${Ids.protectCloudTrail} on ${Ids.prodOu}; protect[1] takes precedence over protect[2] (less specific)`);
  });

  it('says which target rule protects a pair no rule names', () => {
    const event = fixtureEnvelope('detachpolicy-federated-user-from-ou.json');

    const incident = classifyPure(event);

    expect(incident.rule).toMatchObject({ index: 2, specificity: 'target', mode: 'auto' });
    expect(incident.target.type).toBe('ORGANIZATIONAL_UNIT');
  });

  it('uses the EventBridge id for an event without a CloudTrail id, so a redelivery is still one incident', () => {
    const event = fixtureEnvelope('not-cloudtrail-scheduled-event.json');

    const incident = classifyPure(event);

    expect(incident.incidentId).toBe('89d1a02d-5ec7-412e-82f5-13505f849b41');
    expect(incident.invalid?.problem).toBe('detail.eventID is missing');
  });

  it('keeps an oversized field out of the incident instead of overflowing the workflow payload', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');
    const detail = event.detail as Record<string, unknown>;
    const bloated = { ...event, id: 'x'.repeat(300_000), detail: { ...detail, userAgent: 'A'.repeat(200_000), eventID: 'e'.repeat(5_000) } };

    const incident = classifyPure(bloated);

    expect(incident.verdict).toBe(Verdict.INVALID);
    expect(incident.incidentId).toBe('invalid-3d0c5f7a-1b2e-4c3d-9e8f-7a6b5c4d3e2f');
    expect(JSON.stringify(incident).length).toBeLessThan(8_000);
  });

  it('cuts a long user agent on a valid event to a bounded length', () => {
    const event = fixtureEnvelope('detachpolicy-iam-user-cli-from-root.json');
    const detail = event.detail as Record<string, unknown>;
    const longAgent = { ...event, detail: { ...detail, userAgent: 'B'.repeat(50_000) } };

    const incident = classifyPure(longAgent);

    expect(incident.verdict).toBe(Verdict.PROTECTED);
    expect(incident.actor.userAgent).toHaveLength(1024);
  });
});

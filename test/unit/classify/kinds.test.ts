import { createHash } from 'node:crypto';
import { Kind, Mode, Priority, Verdict } from '../../../functions/shared/vocabulary';
import { asRole, classifyKind, GUARD_ROLE, sampleEvent, SampleEvent, SampleIds, sampleRules, scpNamed, withDetail, withRequest, type Envelope } from './kinds-support';

const DETACHED_SAMPLE = '01-protected-auto-root.json';

/** One sample per kind, with a field whose damage must make it INVALID. */
const KINDS: { kind: Kind; sample: string; field: string; junk: unknown }[] = [
  { kind: Kind.DETACHED, sample: DETACHED_SAMPLE, field: 'targetId', junk: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
  { kind: Kind.POLICY_TYPE_DISABLED, sample: SampleEvent.disabled, field: 'rootId', junk: 'root' },
  { kind: Kind.ACCOUNT_MOVED, sample: SampleEvent.moved, field: 'destinationParentId', junk: '333344445555' },
  { kind: Kind.POLICY_CHANGED, sample: SampleEvent.changed, field: 'content', junk: { Version: '2012-10-17' } },
  { kind: Kind.POLICY_DELETED, sample: SampleEvent.deleted, field: 'policyId', junk: 'FullAWSAccess' },
  { kind: Kind.FORBIDDEN_ATTACHED, sample: SampleEvent.forbidden, field: 'policyId', junk: 42 },
];

/** An enrichment under which every sample above is PROTECTED by the sample rules. */
const protecting = { ...scpNamed('Sample'), lostAttachments: [{ targetId: SampleIds.prodOu, policyId: SampleIds.protectCloudTrail }] };

describe('classify: every kind', () => {
  it.each(KINDS)('names the kind $kind and takes the CloudTrail eventID as the incident id', ({ kind, sample }) => {
    const event = sampleEvent(sample);

    const incident = classifyKind(event, sampleRules(), protecting);

    expect(incident).toMatchObject({ kind, verdict: Verdict.PROTECTED, incidentId: event.detail.eventID, eventId: event.detail.eventID });
  });

  it.each(KINDS)('calls a failed $kind call FAILED_CALL, asking nobody to act', ({ kind, sample }) => {
    const event = withDetail(sampleEvent(sample), { errorCode: 'AccessDenied', errorMessage: 'not authorized' });

    const incident = classifyKind(event, sampleRules(), protecting);

    expect(incident).toMatchObject({ kind, verdict: Verdict.FAILED_CALL, notify: false });
    expect(incident.reason).toMatch(/^the call failed with AccessDenied \(not authorized\): /);
    expect(incident.mode).toBeUndefined();
  });

  it.each(KINDS)('calls a $kind event with a malformed $field INVALID, naming the field', ({ sample, field, junk }) => {
    const event = withRequest(sampleEvent(sample), { [field]: junk });

    const incident = classifyKind(event, sampleRules(), protecting);

    expect(incident.verdict).toBe(Verdict.INVALID);
    expect(incident.reason).toMatch(/^not a well-formed Organizations event of a known kind: /);
    expect(incident.invalid?.problem).toContain(`detail.requestParameters.${field}`);
    expect(incident.incidentId).toBe(event.detail.eventID);
  });

  it.each(KINDS)("calls the guard's own $kind call IGNORED_ACTOR, quietly and without releasing anything", ({ kind, sample }) => {
    const event = asRole(sampleEvent(sample), GUARD_ROLE);

    const incident = classifyKind(event, sampleRules(), protecting);

    expect(incident).toMatchObject({ kind, verdict: Verdict.IGNORED_ACTOR, notify: false, reason: `the guard's own restoration (${GUARD_ROLE})` });
    expect(incident.coveredPair).toBeUndefined();
    expect(incident.mode).toBeUndefined();
  });

  it.each(KINDS)('does not take a role whose name only starts like the guard role for the guard ($kind)', ({ sample }) => {
    const event = asRole(sampleEvent(sample), `${GUARD_ROLE}-copy`);

    const incident = classifyKind(event, sampleRules(), protecting);

    expect(incident.verdict).toBe(Verdict.PROTECTED);
  });

  it.each(KINDS)('does not undo a protected $kind change by an ignored principal, but tells it at low priority', ({ kind, sample }) => {
    const event = asRole(sampleEvent(sample), SampleIds.pipelineRole);

    const incident = classifyKind(event, sampleRules(), protecting);

    expect(incident).toMatchObject({ kind, verdict: Verdict.IGNORED_ACTOR, coveredPair: true, notify: true, priority: Priority.LOW });
    expect(incident.reason).toMatch(new RegExp(`^${SampleIds.pipelineRole} is in ignorePrincipals \\(exact match\\): `));
    expect(incident.mode).toBeUndefined();
    expect(incident.approval).toBeUndefined();
  });
});

describe('classify: POLICY_TYPE_DISABLED', () => {
  const disabled = () => sampleEvent(SampleEvent.disabled);

  it('protects SCPs disabled on the root, in auto mode by default, with the root as the target', () => {
    const incident = classifyKind(disabled());

    expect(incident).toMatchObject({
      verdict: Verdict.PROTECTED,
      kind: Kind.POLICY_TYPE_DISABLED,
      mode: Mode.AUTO,
      target: { id: SampleIds.root, type: 'ROOT' },
      policy: { type: 'SERVICE_CONTROL_POLICY' },
      disabledType: { rootId: SampleIds.root, policyType: 'SERVICE_CONTROL_POLICY' },
      notify: true,
    });
    expect(incident.approval).toBeUndefined();
  });

  it('takes its mode from policyTypeDisabled', () => {
    const incident = classifyKind(disabled(), sampleRules({ policyTypeDisabled: { mode: 'approval' } }));

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: Mode.APPROVAL, approval: { timeoutSeconds: 900, onTimeout: 'reattach' } });
  });

  it('calls a type that policyTypes does not protect NOT_SCP', () => {
    const event = withRequest(disabled(), { policyType: 'TAG_POLICY' });

    const incident = classifyKind(event);

    expect(incident).toMatchObject({ verdict: Verdict.NOT_SCP, kind: Kind.POLICY_TYPE_DISABLED, notify: false });
    expect(incident.reason).toContain('policyTypes protects only SERVICE_CONTROL_POLICY');
  });

  it('tells an ignored principal\'s disable of an unprotected type nobody', () => {
    const event = asRole(withRequest(disabled(), { policyType: 'TAG_POLICY' }), SampleIds.pipelineRole);

    const incident = classifyKind(event);

    expect(incident).toMatchObject({ verdict: Verdict.IGNORED_ACTOR, notify: false });
    expect(incident.coveredPair).toBeUndefined();
  });
});

describe('classify: ACCOUNT_MOVED', () => {
  const moved = () => sampleEvent(SampleEvent.moved);
  const move = { accountId: SampleIds.prodAccount, sourceParentId: SampleIds.prodOu, destinationParentId: SampleIds.sandboxOu };

  it('protects a move that took a protected inherited attachment away, in approval mode by default, naming it', () => {
    const lostAttachments = [
      { targetId: SampleIds.prodOu, policyId: SampleIds.fullAwsAccess },
      { targetId: SampleIds.prodOu, policyId: SampleIds.denyRegion },
    ];

    const incident = classifyKind(moved(), sampleRules(), { errors: [], lostAttachments });

    expect(incident).toMatchObject({
      verdict: Verdict.PROTECTED,
      kind: Kind.ACCOUNT_MOVED,
      mode: Mode.APPROVAL,
      target: { id: SampleIds.prodAccount, type: 'ACCOUNT' },
      move,
      approval: { timeoutSeconds: 900 },
    });
    expect(incident.reason).toContain(`lost the protected attachments it inherited: ${SampleIds.fullAwsAccess} on ${SampleIds.prodOu} (protect[2]), ${SampleIds.denyRegion} on ${SampleIds.prodOu} (protect[2])`);
  });

  it('takes its mode from accountMoves', () => {
    const lostAttachments = [{ targetId: SampleIds.prodOu, policyId: SampleIds.protectCloudTrail }];

    const incident = classifyKind(moved(), sampleRules({ accountMoves: { mode: 'auto' } }), { errors: [], lostAttachments });

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: Mode.AUTO });
  });

  it('calls a move that lost no protected attachment UNPROTECTED', () => {
    const rules = sampleRules({ protect: [{ policyId: SampleIds.denyLeave, targets: '*', mode: 'auto' }] });

    const incident = classifyKind(moved(), rules, { errors: [], lostAttachments: [{ targetId: SampleIds.prodOu, policyId: SampleIds.fullAwsAccess }] });

    expect(incident).toMatchObject({ verdict: Verdict.UNPROTECTED, kind: Kind.ACCOUNT_MOVED, move });
    expect(incident.reason).toContain('it lost 1 inherited attachment, none of which a rule protects');
  });

  it('decides from the rules alone, when Organizations was not asked, that a move out of an OU a rule names is protected', () => {
    const incident = classifyKind(moved(), sampleRules(), { errors: ['classified from the rules alone: the first classification failed with ClassifyLookupFailed'] });

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: Mode.APPROVAL, move });
    expect(incident.reason).toContain(`out of ${SampleIds.prodOu}, which protect[1], protect[2] names`);
    expect(incident.reason).toContain('decided from the rules alone');
  });

  it('decides from the rules alone that a move out of an OU no rule names is unprotected', () => {
    const event = withRequest(moved(), { sourceParentId: 'ou-a1b2-k3x9p2m7' });

    const incident = classifyKind(event, sampleRules(), { errors: [] });

    expect(incident.verdict).toBe(Verdict.UNPROTECTED);
    expect(incident.reason).toContain('decided from the rules alone');
  });
});

describe('classify: POLICY_CHANGED', () => {
  const changed = () => sampleEvent(SampleEvent.changed);
  const content = () => (changed().detail.requestParameters as { content: string }).content;

  it('reports a protected policy\'s new content in auto mode, without restoring it, by default', () => {
    const incident = classifyKind(changed(), sampleRules(), scpNamed('ProtectCloudTrail'));

    expect(incident).toMatchObject({
      verdict: Verdict.PROTECTED,
      kind: Kind.POLICY_CHANGED,
      mode: Mode.AUTO,
      policy: { id: SampleIds.protectCloudTrail, name: 'ProtectCloudTrail', type: 'SERVICE_CONTROL_POLICY' },
      change: {
        content: content(),
        contentHash: createHash('sha256').update(content()).digest('hex'),
        name: 'ProtectCloudTrail',
        description: "Nobody but the organization's admin role can stop or change CloudTrail",
      },
    });
    expect(incident.reason).toContain('protect[1] names it');
    expect(incident.reason).toContain('the guard reports the change with a diff but does not restore it (policyContent.restore is false)');
  });

  it('restores in the mode of policyContent when restore is true', () => {
    const incident = classifyKind(changed(), sampleRules({ policyContent: { restore: true } }), scpNamed('ProtectCloudTrail'));

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: Mode.APPROVAL, approval: { timeoutSeconds: 900 } });
    expect(incident.reason).toContain('policyContent.restore is true');
  });

  it('calls a change of only the name or description UNPROTECTED and tells nobody', () => {
    const event = withRequest(changed(), { content: undefined, name: 'RenamedPolicy' });

    const incident = classifyKind(event, sampleRules(), scpNamed('ProtectCloudTrail'));

    expect(incident).toMatchObject({ verdict: Verdict.UNPROTECTED, kind: Kind.POLICY_CHANGED, notify: false, change: { name: 'RenamedPolicy' } });
    expect(incident.change?.content).toBeUndefined();
    expect(incident.reason).toContain('only the name or description');
  });

  it('protects a policy no rule names when it is attached where a "policies": "*" rule covers every policy', () => {
    const event = withRequest(changed(), { policyId: SampleIds.denyRegion });

    const incident = classifyKind(event, sampleRules(), scpNamed('DenyNonApprovedRegions', { policyTargets: [SampleIds.sandboxOu, SampleIds.prodOu] }));

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, rule: { index: 2, specificity: 'target' } });
    expect(incident.reason).toContain(`it is attached to ${SampleIds.prodOu}, where protect[2] protects every policy`);
  });

  it('calls a policy UNPROTECTED when no rule names it and none covers a target it is attached to', () => {
    const event = withRequest(changed(), { policyId: SampleIds.denyRegion });

    const incident = classifyKind(event, sampleRules(), scpNamed('DenyNonApprovedRegions', { policyTargets: [SampleIds.sandboxOu] }));

    expect(incident).toMatchObject({ verdict: Verdict.UNPROTECTED, kind: Kind.POLICY_CHANGED });
  });

  it('calls the change of a tag policy NOT_SCP', () => {
    const incident = classifyKind(changed(), sampleRules(), { policy: { type: 'TAG_POLICY' }, errors: [] });

    expect(incident.verdict).toBe(Verdict.NOT_SCP);
  });
});

describe('classify: POLICY_DELETED', () => {
  const deleted = () => sampleEvent(SampleEvent.deleted);

  it('protects the deletion of a policy a rule names, in auto mode, as critical', () => {
    const incident = classifyKind(deleted());

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, kind: Kind.POLICY_DELETED, mode: Mode.AUTO, priority: Priority.CRITICAL, policy: { id: SampleIds.denyLeave } });
    expect(incident.reason).toContain('protect[0] names p-denyleave1');
  });

  it('lets the desired state decide about a policy no rule names when a "policies": "*" rule exists', () => {
    const event = withRequest(deleted(), { policyId: SampleIds.denyRegion });

    const incident = classifyKind(event);

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: Mode.AUTO });
    expect(incident.reason).toContain('the desired state decides (the restore step reads it)');
  });

  it('calls the deletion of a policy no rule can cover UNPROTECTED', () => {
    const event = withRequest(deleted(), { policyId: SampleIds.denyRegion });
    const rules = sampleRules({ protect: [{ policyId: SampleIds.denyLeave, targets: '*', mode: 'auto' }] });

    const incident = classifyKind(event, rules);

    expect(incident).toMatchObject({ verdict: Verdict.UNPROTECTED, kind: Kind.POLICY_DELETED });
  });
});

describe('classify: FORBIDDEN_ATTACHED', () => {
  const attached = () => sampleEvent(SampleEvent.forbidden);

  it('protects against FullAWSAccess on the allow-list OU, in the forbid rule\'s mode', () => {
    const incident = classifyKind(attached(), sampleRules(), scpNamed('FullAWSAccess'));

    expect(incident).toMatchObject({
      verdict: Verdict.PROTECTED,
      kind: Kind.FORBIDDEN_ATTACHED,
      mode: Mode.AUTO,
      policy: { id: SampleIds.fullAwsAccess },
      target: { id: SampleIds.regulatedOu, type: 'ORGANIZATIONAL_UNIT' },
      forbid: { index: 0, description: 'Regulated uses an allow-list SCP; FullAWSAccess on the OU would undo it.' },
    });
    expect(incident.reason).toMatch(/^forbid\[0\] keeps p-FullAWSAccess off ou-a1b2-r8n2qv4j/);
  });

  it('calls an attachment no forbid rule names UNPROTECTED, quietly', () => {
    const event: Envelope = withRequest(attached(), { targetId: SampleIds.prodOu });

    const incident = classifyKind(event, sampleRules(), scpNamed('FullAWSAccess'));

    expect(incident).toMatchObject({ verdict: Verdict.UNPROTECTED, kind: Kind.FORBIDDEN_ATTACHED, notify: false, reason: `no forbid rule keeps p-FullAWSAccess off ${SampleIds.prodOu}` });
  });

  it('takes the mode from the forbid rule', () => {
    const rules = sampleRules({ forbid: [{ policyId: SampleIds.fullAwsAccess, targets: [SampleIds.regulatedOu], mode: 'approval' }] });

    const incident = classifyKind(attached(), rules, scpNamed('FullAWSAccess'));

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: Mode.APPROVAL, forbid: { index: 0 } });
  });
});

describe('classify: DETACHED, beside the other kinds', () => {
  it("calls the guard's own reattachment-side DetachPolicy IGNORED_ACTOR without coveredPair, though the pair is protected", () => {
    const event = asRole(sampleEvent(DETACHED_SAMPLE), GUARD_ROLE);

    const incident = classifyKind(event);

    expect(incident).toMatchObject({ kind: Kind.DETACHED, verdict: Verdict.IGNORED_ACTOR, notify: false });
    expect(incident.coveredPair).toBeUndefined();
  });

  it('still releases a protected pair the pipeline detached (coveredPair)', () => {
    const incident = classifyKind(sampleEvent(SampleEvent.detached));

    expect(incident).toMatchObject({ kind: Kind.DETACHED, verdict: Verdict.IGNORED_ACTOR, coveredPair: true });
  });
});

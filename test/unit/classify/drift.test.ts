import { createClassifyHandler } from '../../../functions/classify/handler';
import { driftEnvelope, driftIncidentId, type DriftDetail } from '../../../functions/shared/drift';
import { silentLog } from '../../../functions/shared/log';
import { Kind, Source, Verdict } from '../../../functions/shared/vocabulary';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { classifyRules, CLASSIFY_INPUT, Ids } from './classify-support';

/** A drift the sweep found, as classify reads it (functions/shared/drift.ts). */
describe('classify: drift from the sweep', () => {
  const classify = (rules = classifyRules()) =>
    createClassifyHandler({ rules, organizations: new OrganizationsClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }), enrichmentTimeoutMs: 50, log: () => silentLog });
  const drift = (overrides: Partial<DriftDetail> = {}): DriftDetail => ({
    kind: Kind.DRIFT,
    incidentId: driftIncidentId(Kind.DRIFT, Ids.denyLeave, Ids.sandboxAccount, '2026-11-30T10:00:00.000Z'),
    policyId: Ids.denyLeave,
    targetId: Ids.sandboxAccount,
    reason: 'desired since 2026-11-30T10:00:00.000Z, not attached',
    lastDesiredAt: '2026-11-30T10:00:00.000Z',
    ...overrides,
  });
  const run = (detail: DriftDetail, rules = classifyRules()) => classify(rules)({ event: driftEnvelope(detail, new Date('2026-12-01T10:00:00Z')), ...CLASSIFY_INPUT });

  it('opens a DRIFT incident from the sweep under the drift id, protected by the rule that covers the pair', async () => {
    const { incident } = await run(drift());

    expect(incident).toMatchObject({ incidentId: drift().incidentId, kind: Kind.DRIFT, source: Source.SWEEP, verdict: Verdict.PROTECTED, mode: 'auto', actor: { type: 'Unknown' } });
    expect(incident.reason).toMatch(/^found by the sweep: desired since 2026-11-30T10:00:00.000Z, not attached; /);
  });

  it('names the actor and the CloudTrail event when the event history had the detach', async () => {
    const found = {
      eventId: '3d0c5f7a-1b2e-4c3d-9e8f-7a6b5c4d3e2f',
      eventTime: '2026-11-30T11:00:00Z',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/mallory', accountId: '111122223333' },
    };

    const { incident } = await run(drift({ incidentId: found.eventId, found }));

    expect(incident).toMatchObject({ incidentId: found.eventId, eventId: found.eventId, eventTime: found.eventTime, actor: { type: 'IAMUser', principalArn: 'arn:aws:iam::111122223333:user/mallory' } });
  });

  it("does not restore a pair the event history shows an ignored principal detached", async () => {
    const found = {
      eventId: '3d0c5f7a-1b2e-4c3d-9e8f-7a6b5c4d3e30',
      eventTime: '2026-11-30T11:00:00Z',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/OrgPipelineRole/deploy', sessionContext: { sessionIssuer: { type: 'Role', arn: Ids.pipelineRole } } },
    };

    const { incident } = await run(drift({ incidentId: found.eventId, found }));

    expect(incident).toMatchObject({ verdict: Verdict.IGNORED_ACTOR, kind: Kind.DRIFT, source: Source.SWEEP });
  });

  it('records the FAILED incident a drift follows', async () => {
    const { incident } = await run(drift({ follows: 'drift-0123456789abcdef0123456789abcdef' }));

    expect(incident.follows).toBe('drift-0123456789abcdef0123456789abcdef');
  });

  it('calls a drift event with a malformed pair INVALID, saying what is wrong', async () => {
    const { incident } = await run(drift({ policyId: 'deny-leave' }));

    expect(incident.verdict).toBe(Verdict.INVALID);
    expect(incident.invalid?.problem).toBe('a drift event from the sweep: detail.policyId is missing or not a policy id');
  });

  it('gives two sweeps of one drift the same id, and a drift after a FAILED incident another', () => {
    const once = driftIncidentId(Kind.DRIFT, Ids.denyLeave, Ids.sandboxAccount, '2026-11-30T10:00:00.000Z');

    expect(driftIncidentId(Kind.DRIFT, Ids.denyLeave, Ids.sandboxAccount, '2026-11-30T10:00:00.000Z')).toBe(once);
    expect(driftIncidentId(Kind.DRIFT, Ids.denyLeave, Ids.sandboxAccount, '2026-11-30T10:00:00.000Z', once)).not.toBe(once);
  });

  describe('of another kind than a missing pair', () => {
    const kindDrift = (driftOf: DriftDetail['driftOf'], overrides: Partial<DriftDetail>): DriftDetail => ({
      kind: Kind.DRIFT,
      driftOf,
      incidentId: driftIncidentId(Kind.DRIFT, overrides.policyId, overrides.targetId, '2026-11-30T10:00:00.000Z', undefined, driftOf),
      reason: `the sweep found ${driftOf}`,
      lastDesiredAt: '2026-11-30T10:00:00.000Z',
      ...overrides,
    });
    const HASH = 'a'.repeat(64);

    it('classifies a disabled protected type PROTECTED in policyTypeDisabled.mode, carrying disabledType and driftOf', async () => {
      const detail = kindDrift(Kind.POLICY_TYPE_DISABLED, { targetId: Ids.root, disabledType: { rootId: Ids.root, policyType: 'SERVICE_CONTROL_POLICY' } });

      const { incident } = await run(detail, classifyRules({ policyTypeDisabled: { mode: 'approval' } }));

      expect(incident).toMatchObject({ kind: Kind.DRIFT, driftOf: Kind.POLICY_TYPE_DISABLED, source: Source.SWEEP, verdict: Verdict.PROTECTED, mode: 'approval', target: { id: Ids.root }, disabledType: { rootId: Ids.root, policyType: 'SERVICE_CONTROL_POLICY' } });
      expect(incident.approval).toBeDefined();
    });

    it('classifies a move PROTECTED in accountMoves.mode (approval by default), carrying move', async () => {
      const move = { accountId: Ids.prodAccount, sourceParentId: Ids.prodOu, destinationParentId: Ids.sandboxOu };

      const { incident } = await run(kindDrift(Kind.ACCOUNT_MOVED, { targetId: Ids.prodAccount, move }));

      expect(incident).toMatchObject({ driftOf: Kind.ACCOUNT_MOVED, verdict: Verdict.PROTECTED, mode: 'approval', target: { id: Ids.prodAccount }, move });
    });

    it('classifies changed content auto when policyContent.restore is false, and in policyContent.mode when it restores', async () => {
      const detail = kindDrift(Kind.POLICY_CHANGED, { policyId: Ids.denyLeave, change: { content: '{}', contentHash: HASH } });

      const reported = (await run(detail)).incident;
      const restored = (await run(detail, classifyRules({ policyContent: { mode: 'approval', restore: true } }))).incident;

      expect(reported).toMatchObject({ driftOf: Kind.POLICY_CHANGED, verdict: Verdict.PROTECTED, mode: 'auto', policy: { id: Ids.denyLeave }, change: { content: '{}', contentHash: HASH } });
      expect(restored.mode).toBe('approval');
    });

    it('classifies a deleted protected policy PROTECTED, auto and critical', async () => {
      const { incident } = await run(kindDrift(Kind.POLICY_DELETED, { policyId: Ids.protectCloudTrail }));

      expect(incident).toMatchObject({ driftOf: Kind.POLICY_DELETED, verdict: Verdict.PROTECTED, mode: 'auto', priority: 'critical' });
    });

    it("classifies a forbidden attachment PROTECTED in its forbid rule's mode, carrying forbid", async () => {
      const rules = classifyRules({ forbid: [{ policyId: 'p-FullAWSAccess', targets: [Ids.sandboxOu], mode: 'approval', description: 'allow-list OU' }] });

      const { incident } = await run(kindDrift(Kind.FORBIDDEN_ATTACHED, { policyId: 'p-FullAWSAccess', targetId: Ids.sandboxOu, forbid: { index: 0 } }), rules);

      expect(incident).toMatchObject({ driftOf: Kind.FORBIDDEN_ATTACHED, verdict: Verdict.PROTECTED, mode: 'approval', forbid: { index: 0, description: 'allow-list OU' } });
    });

    it('calls a kind drift without its field INVALID', async () => {
      const { incident } = await run(kindDrift(Kind.ACCOUNT_MOVED, { targetId: Ids.prodAccount }));

      expect(incident.verdict).toBe(Verdict.INVALID);
    });

    it('gives a kind drift another id than a missing pair of the same policy, target and time', () => {
      expect(driftIncidentId(Kind.DRIFT, undefined, Ids.root, '2026-11-30T10:00:00.000Z', undefined, Kind.POLICY_TYPE_DISABLED)).not.toBe(driftIncidentId(Kind.DRIFT, undefined, Ids.root, '2026-11-30T10:00:00.000Z'));
    });
  });
});

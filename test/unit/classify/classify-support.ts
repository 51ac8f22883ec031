import { completeClassification, preclassify, type Enrichment } from '../../../functions/classify/classify';
import type { Incident } from '../../../functions/shared/incident';
import { parseProtectionRules } from '../../../config/load';
import type { ProtectionRules } from '../../../functions/shared/rules/protection-rules';

/** Ids of samples/organization.json that the classify tests name. */
export const Ids = {
  root: 'r-a1b2',
  prodOu: 'ou-a1b2-7hq4vz2n',
  sandboxOu: 'ou-a1b2-m5t8wd6c',
  prodAccount: '333344445555',
  sandboxAccount: '444455556666',
  denyLeave: 'p-denyleave1',
  denyRegion: 'p-denyregion',
  protectCloudTrail: 'p-protectct',
  tagPolicy: 'p-tagpolicy1',
  pipelineRole: 'arn:aws:iam::111122223333:role/OrgPipelineRole',
} as const;

/** Rules with one rule of each precedence, so every fixture has a documented verdict. */
export const classifyRules = (overrides: Record<string, unknown> = {}): ProtectionRules =>
  parseProtectionRules({
    protect: [
      { policyId: Ids.denyLeave, targets: '*', mode: 'auto' },
      { policyId: Ids.protectCloudTrail, targets: [Ids.sandboxOu, Ids.prodOu], mode: 'approval' },
      { targetId: Ids.prodOu, policies: '*', mode: 'auto' },
      { policyId: Ids.denyRegion, targets: [Ids.prodAccount], mode: 'auto' },
    ],
    ignorePrincipals: [Ids.pipelineRole],
    ...overrides,
  });

/** What Organizations says about an SCP that exists. */
export const scp = (name = 'SomeScp'): Enrichment => ({ policy: { name, type: 'SERVICE_CONTROL_POLICY' }, target: { name: 'SomeTarget' }, errors: [] });

export const CLASSIFY_INPUT = {
  executionId: 'arn:aws:states:us-east-1:111122223333:execution:ScpGuardianRemediation:3d0c5f7a-1b2e-4c3d-9e8f-7a6b5c4d3e2f',
  receivedAt: '2026-11-21T09:00:00.000Z',
} as const;

/** The pure classification, as the handler runs it, with a given Organizations answer. */
export function classifyPure(event: unknown, rules: ProtectionRules = classifyRules(), enrichment: Enrichment = scp()): Incident {
  const first = preclassify({ event, ...CLASSIFY_INPUT }, rules);
  return 'final' in first ? first.final : completeClassification(first.pending, enrichment, rules);
}

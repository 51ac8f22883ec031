import { DescribeOrganizationalUnitCommand, DescribePolicyCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { completeClassification, preclassify, type Enrichment } from '../../../functions/classify/classify';
import { createClassifyHandler } from '../../../functions/classify/handler';
import type { Incident } from '../../../functions/shared/incident';
import { silentLog } from '../../../functions/shared/log';
import { parseProtectionRules } from '../../../config/load';
import type { ProtectionRules } from '../../../functions/shared/rules/protection-rules';
import { Mode, Source, Verdict } from '../../../functions/shared/vocabulary';

/** The canary function's role in the fixtures, as the CDK names it. */
export const CANARY_ROLE = 'arn:aws:iam::111122223333:role/ScpGuardian-CanaryRole9950A1F8-Q2W3E4R5T6Y7';
const CANARY = { policyId: 'p-canary01', targetId: 'ou-a1b2-canary01' };
const INPUT = { executionId: 'arn:aws:states:us-east-1:111122223333:execution:ScpGuardianRemediation:0b1c2d3e', receivedAt: '2026-11-21T06:30:09.000Z' };
const SCP: Enrichment = { policy: { name: 'ScpGuardianCanary', type: 'SERVICE_CONTROL_POLICY' }, target: { name: 'ScpGuardianCanary' }, errors: [] };

const fixture = (name: string): unknown => (JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8')) as { event: unknown }).event;

const canaryRules = (overrides: Record<string, unknown> = {}): ProtectionRules =>
  parseProtectionRules({
    protect: [{ policyId: 'p-denyleave1', targets: '*', mode: 'auto' }],
    ignorePrincipals: ['arn:aws:iam::111122223333:role/OrgPipelineRole'],
    canary: CANARY,
    ...overrides,
  });

/** The pure classification, with the canary role known, as the classify handler runs it. */
function classify(event: unknown, rules: ProtectionRules = canaryRules(), known: { canaryRoleArn?: string } = { canaryRoleArn: CANARY_ROLE }): Incident {
  const first = preclassify({ event, ...INPUT }, rules, known.canaryRoleArn);
  return 'final' in first ? first.final : completeClassification(first.pending, SCP, rules);
}

describe('classify: the canary', () => {
  it("calls the canary role's detachment of the canary pair the canary: protected, auto, source canary", () => {
    const incident = classify(fixture('canary-detachpolicy-by-canary-role.json'));

    expect(incident).toMatchObject({ source: Source.CANARY, verdict: Verdict.PROTECTED, mode: Mode.AUTO, notify: true });
    expect(incident.reason).toMatch(/^the daily canary: the canary function's role detached the canary pair/);
  });

  it('gives anyone else who detaches the canary pair an ordinary protected incident', () => {
    const incident = classify(fixture('canary-detachpolicy-by-person.json'));

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: Mode.AUTO, notify: true });
    expect(incident.source).toBeUndefined();
    expect(incident.reason).toMatch(/detached by someone other than the canary function's role/);
  });

  it.each([
    ['a role whose name only starts like the canary role', 'canary-detachpolicy-lookalike-role-prefix.json'],
    ["the canary role's name under another path", 'canary-detachpolicy-lookalike-role-other-path.json'],
    ["another role in a session named after the canary's", 'canary-detachpolicy-session-named-like-canary.json'],
  ])('does not take %s for the canary', (_who, name) => {
    const incident = classify(fixture(name));

    expect(incident.source).toBeUndefined();
    expect(incident.verdict).toBe(Verdict.PROTECTED);
  });

  it('does not call the canary role detaching another pair a canary', () => {
    const incident = classify(fixture('canary-role-detaches-another-pair.json'));

    expect(incident.source).toBeUndefined();
    expect(incident.reason).toMatch(/^protect\[0\] protects p-denyleave1/);
  });

  it('knows no canary when the role ARN was not given (the classify function was not told it)', () => {
    const incident = classify(fixture('canary-detachpolicy-by-canary-role.json'), canaryRules(), {});

    expect(incident.source).toBeUndefined();
    expect(incident.verdict).toBe(Verdict.PROTECTED);
  });

  it('reattaches the canary pair at once even when a rule names it in approval mode', () => {
    const rules = canaryRules({ protect: [{ targetId: CANARY.targetId, policies: '*', mode: 'approval' }], approval: { approvers: ['U0123ABCD'] } });

    const incident = classify(fixture('canary-detachpolicy-by-person.json'), rules);

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: Mode.AUTO });
    expect(incident.approval).toBeUndefined();
    expect(incident.reason).toMatch(/protect\[0\] says "approval", but the canary pair is always auto/);
  });

  it('never ignores the canary, even with its role in ignorePrincipals', () => {
    const rules = canaryRules({ ignorePrincipals: [CANARY_ROLE] });

    const incident = classify(fixture('canary-detachpolicy-by-canary-role.json'), rules);

    expect(incident).toMatchObject({ source: Source.CANARY, verdict: Verdict.PROTECTED });
  });

  it('protects the canary pair when the rules do not name it at all', () => {
    const incident = classify(fixture('canary-detachpolicy-by-person.json'), canaryRules({ protect: [] }));

    expect(incident).toMatchObject({ verdict: Verdict.PROTECTED, mode: Mode.AUTO });
  });

  it('leaves the pair an ordinary one when the rules have no canary', () => {
    const rules = parseProtectionRules({ protect: [] });

    const incident = classify(fixture('canary-detachpolicy-by-canary-role.json'), rules);

    expect(incident).toMatchObject({ verdict: Verdict.UNPROTECTED });
    expect(incident.source).toBeUndefined();
  });
});

describe('the classify handler: the canary', () => {
  it('records source canary for the canary role it was told, and source event for anyone else', async () => {
    const organizations = new OrganizationsClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const mock = mockClient(organizations);
    mock.on(DescribePolicyCommand).resolves({ Policy: { PolicySummary: { Id: CANARY.policyId, Name: 'ScpGuardianCanary', Type: 'SERVICE_CONTROL_POLICY' } } });
    mock.on(DescribeOrganizationalUnitCommand).resolves({ OrganizationalUnit: { Id: CANARY.targetId, Name: 'ScpGuardianCanary' } });
    const handler = createClassifyHandler({ rules: canaryRules(), organizations, canaryRoleArn: CANARY_ROLE, log: () => silentLog });

    const canary = await handler({ event: fixture('canary-detachpolicy-by-canary-role.json'), ...INPUT });
    const person = await handler({ event: fixture('canary-detachpolicy-by-person.json'), ...INPUT });

    expect(canary.incident).toMatchObject({ source: Source.CANARY, verdict: Verdict.PROTECTED, mode: Mode.AUTO, kind: 'DETACHED', policy: { type: 'SERVICE_CONTROL_POLICY' } });
    expect(person.incident).toMatchObject({ source: Source.EVENT, verdict: Verdict.PROTECTED, mode: Mode.AUTO });
  });
});

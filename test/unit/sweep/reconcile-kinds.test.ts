import { formatReconcile } from '../../../cli/commands/reconcile';
import { Kind } from '../../../functions/shared/vocabulary';
import type { SweepDrift, SweepResult } from '../../../functions/sweep/result';
import { Org } from '../../support/local-harness';

const REGULATED_OU = 'ou-a1b2-r8n2qv4j';
const SCP = 'SERVICE_CONTROL_POLICY';

const result = (drift: SweepDrift[], explained: SweepResult['explained'] = []): SweepResult => ({
  dryRun: false,
  startedAt: '2026-12-01T10:00:00.000Z',
  drift,
  incidents: drift.map((d) => d.incidentId),
  explained,
  declaredNotAttached: [],
  changes: [],
  desiredPairs: 7,
  warnings: [],
  notes: [],
  errors: [],
  calls: { total: 20, byOperation: {}, attempts: 20 },
  seconds: 0.4,
});

const id = (n: number) => `drift-${String(n).repeat(32).slice(0, 32)}`;
const drift = (n: number, fields: Partial<SweepDrift>): SweepDrift => ({
  kind: Kind.DRIFT,
  policyId: '',
  targetId: '',
  reason: 'a reason',
  incidentId: id(n),
  lastDesiredAt: '2026-12-01T09:00:00.000Z',
  status: 'started',
  ...fields,
});

/** `scp-guardian reconcile` prints each kind's drift in words, never as empty policy and target columns. */
describe('reconcile prints drifts of every kind in words', () => {
  const kinds = [
    drift(1, { driftOf: Kind.POLICY_TYPE_DISABLED, targetId: Org.root, disabledType: { rootId: Org.root, policyType: SCP } }),
    drift(2, { driftOf: Kind.ACCOUNT_MOVED, targetId: '333344445555', move: { accountId: '333344445555', sourceParentId: Org.prodOu, destinationParentId: Org.sandboxOu } }),
    drift(3, { driftOf: Kind.POLICY_CHANGED, policyId: Org.denyLeave, change: { contentHash: 'a'.repeat(64), previousHash: 'b'.repeat(64) } }),
    drift(4, { driftOf: Kind.POLICY_DELETED, policyId: Org.denyRegion }),
    drift(5, { driftOf: Kind.FORBIDDEN_ATTACHED, policyId: Org.fullAccess, targetId: REGULATED_OU, forbid: { index: 0 } }),
  ];
  const text = formatReconcile(result([drift(6, { policyId: Org.denyLeave, targetId: Org.root }), ...kinds]));
  const lines = text.split('\n');

  it('keeps the missing pair under "desired, not attached", alone', () => {
    const heading = lines.findIndex((line) => line.startsWith('Drift (1): desired, not attached'));
    expect(heading).toBeGreaterThan(-1);
    expect(lines[heading + 1]).toMatch(new RegExp(`^  ${Org.denyLeave}\\s+${Org.root}\\s+${id(6)}$`));
  });

  it('says what happened for each other kind, with its incident', () => {
    expect(text).toContain('Drift (5): protection weakened otherwise, no open incident; incidents started:');
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(`${id(1)} drift:disabled SCPs found disabled for the whole organization (the root ${Org.root})`);
    expect(flat).toContain(`${id(2)} drift:moved Account 333344445555 found moved out of OU ${Org.prodOu} to OU ${Org.sandboxOu}`);
    expect(flat).toContain(`${id(3)} drift:rewritten Policy ${Org.denyLeave} found rewritten`);
    expect(flat).toContain(`${id(4)} drift:deleted Policy ${Org.denyRegion} found deleted`);
    expect(flat).toContain(`${id(5)} drift:forbidden Policy ${Org.fullAccess} found attached to OU ${REGULATED_OU}, which a forbid rule keeps it off`);
  });

  it('prints no line with empty policy and target columns, and fits 80 columns', () => {
    // Before, each of these printed as two empty padded columns and the incident id.
    for (const d of kinds) expect(lines.filter((line) => line.includes(d.incidentId))).toEqual([expect.stringMatching(new RegExp(`^  ${d.incidentId}  drift:[a-z]+  \\S`))]);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
  });

  it('says an explained weakening of another kind in words too', () => {
    const explained = formatReconcile(result([], [{ policyId: '', targetId: '333344445555', incidentId: 'e-1', driftOf: Kind.ACCOUNT_MOVED }, { policyId: Org.denyLeave, targetId: Org.root, incidentId: 'e-2' }]));

    expect(explained).toContain('Weakened otherwise, an open incident restoring it (1):\n  e-1  drift:moved  Account 333344445555 found moved');
    expect(explained).toContain(`Missing, an open incident restoring it (1):\n  ${Org.denyLeave}  ${Org.root}  e-2`);
  });
});

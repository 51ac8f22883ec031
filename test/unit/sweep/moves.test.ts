import type { PairEntry, ParentEntry } from '../../../functions/shared/desired/desired-state';
import { moves } from '../../../functions/sweep/kinds';

const AT = '2026-12-01T10:00:00.000Z';
const pair = (policyId: string, targetId: string): PairEntry => ({ policyId, targetId, desired: true, reason: 'seen-attached', at: AT });

/**
 * root ─ Workloads (p-protect) ─ Prod ─ 333344445555 (recorded)
 *      └ Sandbox                       (the account is here now)
 */
const tree = { parents: new Map([['333344445555', 'ou-sandbox']]), ouParents: new Map([['ou-workloads', 'r-1'], ['ou-prod', 'ou-workloads'], ['ou-sandbox', 'r-1']]) };
const recorded = new Map<string, ParentEntry>([['333344445555', { accountId: '333344445555', parentId: 'ou-prod', at: AT }]]);

describe("the sweep's moves(): the same rule as classify's lostAttachments", () => {
  it('finds a move that left a protected policy behind', () => {
    const { findings } = moves(recorded, tree, [pair('p-protect', 'ou-workloads')], () => []);

    expect(findings).toEqual([expect.objectContaining({ targetId: '333344445555', detail: { move: expect.objectContaining({ lostPolicies: ['p-protect'] }) } })]);
  });

  it('finds nothing lost when the destination chain still gives the policy (attached to a left ancestor and to the destination)', () => {
    const attachedOn = (targetId: string) => (targetId === 'ou-sandbox' ? ['p-protect'] : []);

    expect(moves(recorded, tree, [pair('p-protect', 'ou-workloads')], attachedOn)).toEqual({ findings: [], harmless: ['333344445555'] });
  });
});

import { CanaryErrorName, type CanaryRun } from '../../../functions/canary/canary';
import { formatCanary } from '../../../cli/local/canary-text';
import type { LocalCanarySummary } from '../../../local/canary';

const ROLE = 'arn:aws:iam::111122223333:role/scp-guardian/ScpGuardian-CanaryRole';
const PAIR = { policyId: 'p-canary0001', targetId: 'ou-a1b2-canary01', roleArn: ROLE };

const RUN: CanaryRun = { policyId: PAIR.policyId, targetId: PAIR.targetId, policyType: 'SERVICE_CONTROL_POLICY', detachedAt: '2026-12-01T17:40:21.000Z', deadline: '2026-12-01T17:55:21.000Z' };

/** A canary that detached, and the workflow put the pair back. */
const passed: LocalCanarySummary = {
  ...PAIR,
  run: RUN,
  incidentId: '6b1f0e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b',
  outcome: 'REATTACHED',
  passed: true,
  pairAttached: true,
  emailsToPeople: 0,
  postedToSlack: false,
};

describe('the canary\'s lines of `local --canary`', () => {
  it('says the canary passed, then each fact under its label', () => {
    const text = formatCanary(passed);

    expect(text).toBe(
      [
        'canary: PASSED (p-canary0001 on ou-a1b2-canary01)',
        '  detached:      2026-12-01T17:40:21.000Z',
        `  by:            ${ROLE}`,
        '  incident:      6b1f0e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b -> REATTACHED',
        '  CanaryPassed:  emitted',
        '  pair attached: yes',
        '  to people:     0 email(s), nothing in Slack',
      ].join('\n'),
    );
  });

  it('says the canary is missing when the workflow did not confirm the pair, and why the pair state is unknown', () => {
    const missing: LocalCanarySummary = { ...passed, run: { ...RUN, answerLost: true }, outcome: null, passed: false, pairAttached: null, emailsToPeople: 1, postedToSlack: true };

    const text = formatCanary(missing);

    expect(text.split('\n')).toEqual([
      'canary: MISSING (p-canary0001 on ou-a1b2-canary01)',
      '  detached:      2026-12-01T17:40:21.000Z (answer lost, policy gone)',
      `  by:            ${ROLE}`,
      '  incident:      6b1f0e2a-8c3d-4e5f-9a0b-1c2d3e4f5a6b -> not closed',
      '  CanaryPassed:  not emitted (in AWS, CanaryMissing would fire)',
      '  pair attached: unknown (another Organizations endpoint)',
      '  to people:     1 email(s), posted in Slack',
    ]);
  });

  it('says a refused canary did not start, its reason wrapped within 80 columns under two spaces', () => {
    const refused: LocalCanarySummary = {
      ...PAIR,
      refused: {
        error: CanaryErrorName.DETACH_REFUSED,
        message:
          'Organizations refused to detach p-canary0001 from ou-a1b2-canary01 (You cannot remove the last policy attached to this target.): attach FullAWSAccess to the canary OU too, so the canary SCP is never its last one; nothing was detached',
      },
      passed: false,
      pairAttached: null,
      emailsToPeople: 0,
      postedToSlack: false,
    };

    const text = formatCanary(refused);

    expect(text.split('\n')).toEqual([
      'canary: NOT STARTED (p-canary0001 on ou-a1b2-canary01): CanaryDetachRefused',
      '  Organizations refused to detach p-canary0001 from ou-a1b2-canary01 (You cannot',
      '  remove the last policy attached to this target.): attach FullAWSAccess to the',
      '  canary OU too, so the canary SCP is never its last one; nothing was detached',
    ]);
  });

  it('cuts a word of the reason longer than a line (an ARN) rather than run past 80 columns', () => {
    const arn = `arn:aws:organizations::111122223333:policy/o-a1b2c3d4e5/service_control_policy/${'p-canary0001'.repeat(5)}`;
    const refused: LocalCanarySummary = { ...PAIR, refused: { error: CanaryErrorName.POLICY_NOT_ATTACHED, message: `${arn} is not attached` }, passed: false, pairAttached: null, emailsToPeople: 0, postedToSlack: false };

    const lines = formatCanary(refused).split('\n');

    expect(lines.every((line) => line.length <= 80)).toBe(true);
    expect(lines.slice(1).map((line) => line.slice(2)).join('')).toBe(`${arn} is not attached`);
  });

  it("escapes control characters in the reason, which comes from an AWS error's message", () => {
    const refused: LocalCanarySummary = { ...PAIR, refused: { error: CanaryErrorName.DETACH_REFUSED, message: 'refused \u001b[31mred\u001b[0m' }, passed: false, pairAttached: null, emailsToPeople: 0, postedToSlack: false };

    const text = formatCanary(refused);

    expect(text).not.toContain('\u001b');
    expect(text.split('\n')[1]).toBe('  refused ?[31mred?[0m');
  });
});

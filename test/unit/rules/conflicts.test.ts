import { join } from 'node:path';
import { describeRules } from '../../../cli/config/describe';
import { InvalidRulesError, loadProtectionRules, parseProtectionRules, ruleWarnings } from '../../../config/load';
import { FIXTURES } from '../../support/paths';
import { PROJECT_ROOT } from '../../../cli/project-root';

const RULES_FIXTURES = join(FIXTURES, 'rules');
const P = 'p-protectct';
const PROD = 'ou-a1b2-7hq4vz2n';
const SANDBOX = 'ou-a1b2-m5t8wd6c';

function problemsOf(protect: Record<string, unknown>[]): string[] {
  try {
    parseProtectionRules({ protect });
    return [];
  } catch (error) {
    if (error instanceof InvalidRulesError) return error.problems;
    throw error;
  }
}

describe('conflicting rules', () => {
  it('refuses two rules naming the same pair with different modes, naming both rules and the pair', () => {
    let error: unknown;

    try {
      loadProtectionRules(join(RULES_FIXTURES, 'conflicting-modes.json'));
    } catch (e) {
      error = e;
    }

    expect((error as InvalidRulesError).problems).toEqual([
      `protect[1]: conflicts with protect[0] for ${P} on ${SANDBOX}: both have the same precedence (names the policy and the target) but protect[0] says "approval" and protect[1] says "auto"; keep one rule for these pairs`,
    ]);
  });

  it('refuses the same policy listed twice with "targets": "*" and different modes', () => {
    const problems = problemsOf([
      { policyId: P, targets: '*', mode: 'auto' },
      { policyId: P, targets: '*', mode: 'approval' },
    ]);

    expect(problems).toEqual([
      `protect[1]: conflicts with protect[0] for ${P} on every target: both have the same precedence (a policy rule with "targets": "*") but protect[0] says "auto" and protect[1] says "approval"; keep one rule for these pairs`,
    ]);
  });

  it('refuses the same target listed twice with "policies": "*" and different modes', () => {
    const problems = problemsOf([
      { targetId: PROD, policies: '*', mode: 'auto' },
      { targetId: PROD, policies: '*', mode: 'approval' },
    ]);

    expect(problems).toEqual([expect.stringMatching(/^protect\[1\]: conflicts with protect\[0\] for every policy on ou-a1b2-7hq4vz2n:/)]);
  });

  it('names only the shared targets when two lists of the same policy overlap in part', () => {
    const problems = problemsOf([
      { policyId: P, targets: [PROD, SANDBOX], mode: 'auto' },
      { policyId: P, targets: [SANDBOX, '333344445555'], mode: 'approval' },
    ]);

    expect(problems).toEqual([expect.stringContaining(`for ${P} on ${SANDBOX}:`)]);
  });

  it('accepts a target rule and a policy rule that overlap with different modes: precedence decides', () => {
    const protect = [
      { policyId: P, targets: '*', mode: 'approval' },
      { targetId: PROD, policies: '*', mode: 'auto' },
    ];

    const problems = problemsOf(protect);

    expect(problems).toEqual([]);
  });

  it('accepts rules of the same policy on different targets', () => {
    const problems = problemsOf([
      { policyId: P, targets: [PROD], mode: 'auto' },
      { policyId: P, targets: [SANDBOX], mode: 'approval' },
    ]);

    expect(problems).toEqual([]);
  });
});

describe('repeated rules', () => {
  it('accepts the same policy listed twice with the same mode, with a warning that the second never applies', () => {
    const rules = loadProtectionRules(join(RULES_FIXTURES, 'repeated-rule.json'));

    const warnings = ruleWarnings(rules);

    expect(warnings).toEqual(['protect[2]: repeats protect[0] for p-denyleave1 on every target (same precedence, same mode "auto"), so it never applies there']);
  });

  it('warns about nothing in the sample rules', () => {
    const rules = loadProtectionRules(join(PROJECT_ROOT, 'samples/protection-rules.json'));

    const warnings = ruleWarnings(rules);

    expect(warnings).toEqual([]);
  });
});

describe('describeRules', () => {
  it('says which rule applies where a target rule and a policy rule disagree', () => {
    const rules = loadProtectionRules(join(RULES_FIXTURES, 'resource-control-policies.json'));

    const lines = describeRules(rules);

    expect(lines).toEqual([
      'protect[0]: p-denyleave1 detached from any root, OU or account: reattached at once.',
      'protect[1]: every SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY detached from r-a1b2 itself (not from what is inside it): reattached once an approver agrees; with no decision within 15 min, reattached.',
      '  precedence: p-denyleave1 on r-a1b2: protect[1] ("approval", a target rule with "policies": "*") applies, not protect[0] ("auto", a policy rule with "targets": "*")',
      'SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY disabled on the root (DisablePolicyType): re-enabled and every protected attachment restored at once',
      'an account moved out from under a protected attachment (MoveAccount): moved back once an approver agrees; with no decision within 15 min, moved back',
      'a protected policy rewritten (UpdatePolicy): reported with a diff of the statements, not restored (policyContent.restore is false)',
      'a protected policy deleted (DeletePolicy): a critical notice with its last known content and every target it was on (it cannot return under its id)',
      'policy types: SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY; a detached policy of another type is recorded as NOT_SCP and left detached',
      'ignored principals: none',
      'approvers: none in Slack; approval-mode incidents can be decided with `scp-guardian decide` or time out',
      'notify: nobody: no Slack channel and no email (notify.emails is empty: the rules subscribe no address to the SNS topic); unprotected detachments are not notified; a protected pair detached by an ignored principal is told at low priority',
    ]);
  });
});

import { join } from 'node:path';
import { parseCompiledRules } from '../../../functions/shared/rules/compiled-rules';
import { describeRules } from '../../../cli/config/describe';
import { InvalidRulesError, loadProtectionRules, parseProtectionRules } from '../../../config/load';
import { PROJECT_ROOT } from '../../../cli/project-root';

const CANARY_RULES = join(PROJECT_ROOT, 'samples/canary/protection-rules.json');
const CANARY = { policyId: 'p-canary01', targetId: 'ou-a1b2-canary01' };
const base = { protect: [{ policyId: 'p-denyleave1', targets: '*', mode: 'auto' }] };

function problemsOf(json: unknown): string[] {
  try {
    parseProtectionRules(json);
    return [];
  } catch (error) {
    if (error instanceof InvalidRulesError) return error.problems;
    throw error;
  }
}

describe('protection rules: canary', () => {
  it('accepts the canary sample, with its pair', () => {
    const rules = loadProtectionRules(CANARY_RULES);

    expect(rules.canary).toEqual(CANARY);
  });

  it('leaves the canary out when the file has none', () => {
    const rules = parseProtectionRules(base);

    expect(rules.canary).toBeUndefined();
  });

  it.each([
    ['the root', 'r-a1b2'],
    ['an account', '111122223333'],
    ['a malformed OU id', 'ou-canary'],
  ])('refuses %s as the canary target, naming canary.targetId', (_what, targetId) => {
    const problems = problemsOf({ ...base, canary: { ...CANARY, targetId } });

    expect(problems).toEqual([expect.stringMatching(/^canary\.targetId: expected ou-\[0-9a-z\]\{4,32\}-\[a-z0-9\]\{8,32\} \(an OU id\): the canary OU, which holds no account/)]);
  });

  it('refuses FullAWSAccess as the canary policy, naming canary.policyId', () => {
    const problems = problemsOf({ ...base, canary: { ...CANARY, policyId: 'p-FullAWSAccess' } });

    expect(problems).toEqual([expect.stringMatching(/^canary\.policyId: expected a policy of your own/)]);
  });

  it('refuses an unknown key in the canary, and a canary without its target', () => {
    const problems = problemsOf({ ...base, canary: { policyId: CANARY.policyId, target: CANARY.targetId } });

    expect(problems).toEqual(expect.arrayContaining(['canary: unknown key "target"', expect.stringMatching(/^canary\.targetId: missing; /)]));
  });

  it('lets the Lambda side read a compiled canary, and refuses a malformed one', () => {
    const rules = parseProtectionRules({ ...base, canary: CANARY });

    expect(parseCompiledRules(JSON.stringify(rules)).canary).toEqual(CANARY);
    expect(() => parseCompiledRules(JSON.stringify({ ...rules, canary: { policyId: 7 } }))).toThrow(/canary/);
  });
});

describe('config check: canary', () => {
  it('says the canary pair is always reattached at once and never emailed', () => {
    const lines = describeRules(parseProtectionRules({ ...base, canary: CANARY }));

    expect(lines).toContain(
      'canary: p-canary01 detached from ou-a1b2-canary01 daily by the canary function and reattached at once (auto), whatever protect says; ' +
        'its routine notices go to no inbox; not back within 30 min raises CanaryMissing; the OU must hold no account (checked before each detachment)',
    );
  });

  it('says which approval rule the canary pair overrules', () => {
    const rules = parseProtectionRules({
      protect: [{ targetId: CANARY.targetId, policies: '*', mode: 'approval' }],
      approval: { approvers: ['U0123ABCD'] },
      canary: CANARY,
    });

    const lines = describeRules(rules);

    expect(lines).toContain('  canary: protect[0] ("approval") matches p-canary01 on ou-a1b2-canary01, but does not apply there: the canary pair is always auto');
  });

  it('says nothing of a canary when the rules have none', () => {
    const lines = describeRules(parseProtectionRules(base));

    expect(lines.filter((line) => line.includes('canary'))).toEqual([]);
  });
});

import { program } from '../../../cli/main';
import { ExplainArgumentError, explainPair, type Explanation } from '../../../cli/explain/explain';
import { formatExplanation } from '../../../cli/explain/text';
import { parseProtectionRules } from '../../../config/load';
import type { Kind } from '../../../functions/shared/vocabulary';

const P = 'p-protectct';
const OTHER = 'p-denyregion';
const OU = 'ou-a1b2-7hq4vz2n';
const ROOT = 'r-a1b2';
const ACCOUNT = '333344445555';

const explain = (json: Record<string, unknown>, policyId = P, targetId = OU) => explainPair(parseProtectionRules(json), policyId, targetId, 'rules.json');
const change = (explanation: Explanation, kind: Kind) => {
  const found = explanation.changes.find((c) => c.kind === kind);
  if (found === undefined) throw new Error(`no ${kind} in the explanation`);
  return found;
};

const exactApproval = { policyId: P, targets: [OU], mode: 'approval' };

describe('explain: what the guard does for each kind of change of a protected pair', () => {
  const explanation = explain({ protect: [exactApproval] });

  it('reattaches a detached pair once an approver agrees, in config check\'s words', () => {
    expect(change(explanation, 'DETACHED')).toEqual({
      kind: 'DETACHED',
      call: 'DetachPolicy',
      change: `${P} detached from ${OU}`,
      applies: true,
      verdict: 'PROTECTED',
      mode: 'approval',
      notify: true,
      does: 'reattached once an approver agrees; with no decision within 15 min, reattached',
      outcomes: [
        { decision: 'APPROVE', outcome: 'REATTACHED' },
        { decision: 'OVERRIDE', outcome: 'OVERRIDDEN' },
        { decision: 'TIMEOUT', outcome: 'REATTACHED' },
      ],
    });
  });

  it('re-enables a disabled policy type at once and restores this pair with the others', () => {
    expect(change(explanation, 'POLICY_TYPE_DISABLED')).toMatchObject({
      call: 'DisablePolicyType',
      verdict: 'PROTECTED',
      mode: 'auto',
      does: 're-enabled and every protected attachment restored at once; this pair among them',
      outcomes: [{ decision: 'AUTO', outcome: 'RESTORED' }],
    });
  });

  it('moves back an account that left the OU, in accountMoves.mode', () => {
    expect(change(explanation, 'ACCOUNT_MOVED')).toMatchObject({
      call: 'MoveAccount',
      change: `an account moved out of ${OU}, losing the ${P} it inherited`,
      verdict: 'PROTECTED',
      mode: 'approval',
      does: 'moved back once an approver agrees; with no decision within 15 min, moved back',
    });
  });

  it('reports a rewritten policy with a diff and does not restore it by default', () => {
    expect(change(explanation, 'POLICY_CHANGED')).toMatchObject({
      call: 'UpdatePolicy',
      verdict: 'PROTECTED',
      mode: 'auto',
      does: `reported with a diff of the statements, not restored (policyContent.restore is false); wherever it is attached, since protect[0] names ${P}`,
      outcomes: [{ decision: 'AUTO', outcome: 'OBSERVED' }],
    });
  });

  it('raises a critical notice for a deleted policy, which ends FAILED', () => {
    expect(change(explanation, 'POLICY_DELETED')).toMatchObject({
      call: 'DeletePolicy',
      verdict: 'PROTECTED',
      mode: 'auto',
      does: expect.stringMatching(/^a critical notice with its last known content and every target it was on \(it cannot return under its id\)/),
      outcomes: [{ decision: 'AUTO', outcome: 'FAILED' }],
    });
  });

  it('says an attachment of a protected pair is nothing to undo', () => {
    expect(change(explanation, 'FORBIDDEN_ATTACHED')).toMatchObject({ call: 'AttachPolicy', applies: false, outcomes: [] });
    expect(change(explanation, 'FORBIDDEN_ATTACHED').verdict).toBeUndefined();
  });
});

describe('explain: the other settings of each kind', () => {
  it('restores a rewritten policy once approved, when policyContent.restore is on', () => {
    const explanation = explain({ protect: [exactApproval], policyContent: { restore: true, mode: 'approval' } });

    expect(change(explanation, 'POLICY_CHANGED')).toMatchObject({
      mode: 'approval',
      does: `restored to its last known content once an approver agrees; with no decision within 15 min, restored to its last known content, with a diff of the statements; wherever it is attached, since protect[0] names ${P}`,
      outcomes: [
        { decision: 'APPROVE', outcome: 'RESTORED' },
        { decision: 'OVERRIDE', outcome: 'OVERRIDDEN' },
        { decision: 'TIMEOUT', outcome: 'RESTORED' },
      ],
    });
  });

  it('leaves the pair detached after the window when onTimeout is keep-detached', () => {
    const explanation = explain({ protect: [exactApproval], approval: { onTimeout: 'keep-detached', timeoutMinutes: 30 } });

    expect(change(explanation, 'DETACHED')).toMatchObject({
      does: 'reattached once an approver agrees; with no decision within 30 min, left detached',
      outcomes: [
        { decision: 'APPROVE', outcome: 'REATTACHED' },
        { decision: 'OVERRIDE', outcome: 'OVERRIDDEN' },
        { decision: 'TIMEOUT', outcome: 'OVERRIDDEN' },
      ],
    });
  });

  it('asks before re-enabling a policy type when policyTypeDisabled.mode is approval, and moves accounts back at once in auto', () => {
    const explanation = explain({ protect: [exactApproval], policyTypeDisabled: { mode: 'approval' }, accountMoves: { mode: 'auto' } });

    expect(change(explanation, 'POLICY_TYPE_DISABLED').mode).toBe('approval');
    expect(change(explanation, 'ACCOUNT_MOVED')).toMatchObject({ mode: 'auto', does: 'moved back at once', outcomes: [{ decision: 'AUTO', outcome: 'RESTORED' }] });
  });

  it('says no move takes a pair on the root away', () => {
    const explanation = explain({ protect: [{ policyId: P, targets: [ROOT], mode: 'auto' }] }, P, ROOT);

    expect(change(explanation, 'ACCOUNT_MOVED')).toMatchObject({ applies: false, does: 'Does not apply: every account stays under the root', outcomes: [] });
  });

  it('says a pair on an account moves with the account', () => {
    const explanation = explain({ protect: [{ policyId: P, targets: [ACCOUNT], mode: 'auto' }] }, P, ACCOUNT);

    expect(change(explanation, 'ACCOUNT_MOVED')).toMatchObject({ applies: false, does: expect.stringContaining('a policy attached to the account itself moves with it') });
  });

  it('detaches a forbidden policy again, in the forbid rule\'s mode', () => {
    const explanation = explain({ protect: [], forbid: [{ policyId: 'p-FullAWSAccess', targets: [OU], mode: 'approval', description: 'allow-list OU' }] }, 'p-FullAWSAccess', OU);

    expect(explanation.forbiddenBy).toEqual({ rule: 'forbid[0]', index: 0, mode: 'approval', description: 'allow-list OU' });
    expect(change(explanation, 'FORBIDDEN_ATTACHED')).toMatchObject({
      verdict: 'PROTECTED',
      mode: 'approval',
      does: 'detached once an approver agrees; with no decision within 15 min, detached (forbid[0])',
      outcomes: [
        { decision: 'APPROVE', outcome: 'RESTORED' },
        { decision: 'OVERRIDE', outcome: 'OVERRIDDEN' },
        { decision: 'TIMEOUT', outcome: 'RESTORED' },
      ],
    });
  });

  it('says a re-enabled policy type brings FullAWSAccess back, and the guard takes it off a target a forbid rule names', () => {
    const explanation = explain({ protect: [], forbid: [{ policyId: 'p-FullAWSAccess', targets: [OU] }] }, 'p-FullAWSAccess', OU);

    expect(change(explanation, 'POLICY_TYPE_DISABLED').does).toBe(
      `re-enabled and every protected attachment restored at once; re-enabling the type attaches p-FullAWSAccess everywhere, and the guard detaches it again from ${OU} (forbid[0])`,
    );
  });

  it('assumes the policy is an SCP when policyTypes lists SCPs after another type', () => {
    const explanation = explain({ protect: [exactApproval], policyTypes: ['RESOURCE_CONTROL_POLICY', 'SERVICE_CONTROL_POLICY'] });

    expect(explanation.assumes).toBe(`${P} is a SERVICE_CONTROL_POLICY (or another type policyTypes lists), attached to ${OU}; explain reads the rules, not the organization`);
    expect(change(explanation, 'POLICY_TYPE_DISABLED').change).toBe(`RESOURCE_CONTROL_POLICY or SERVICE_CONTROL_POLICY (whichever ${P} is) disabled on the root`);
  });

  it('says an AttachPolicy of a policy no forbid rule names is not watched at all', () => {
    const explanation = explain({ protect: [], forbid: [{ policyId: 'p-FullAWSAccess', targets: [OU] }] }, OTHER, OU);

    expect(change(explanation, 'FORBIDDEN_ATTACHED')).toMatchObject({ applies: true, does: expect.stringMatching(/^Not watched: no forbid rule names p-denyregion/), outcomes: [] });
    expect(change(explanation, 'FORBIDDEN_ATTACHED').verdict).toBeUndefined();
  });

  it('records, not undoes, an AttachPolicy of a forbidden policy on a target its rule does not name', () => {
    const explanation = explain({ protect: [], forbid: [{ policyId: 'p-FullAWSAccess', targets: [OU] }] }, 'p-FullAWSAccess', ROOT);

    expect(change(explanation, 'FORBIDDEN_ATTACHED')).toMatchObject({ verdict: 'UNPROTECTED', notify: false, outcomes: [{ outcome: 'OBSERVED' }] });
  });

  it('keeps the canary pair in auto mode even where a protect rule says approval', () => {
    const explanation = explain({ protect: [{ policyId: 'p-canary01', targets: ['ou-a1b2-canary01'], mode: 'approval' }], canary: { policyId: 'p-canary01', targetId: 'ou-a1b2-canary01' } }, 'p-canary01', 'ou-a1b2-canary01');

    expect(explanation.canary).toBe(true);
    expect(change(explanation, 'DETACHED')).toMatchObject({
      verdict: 'PROTECTED',
      mode: 'auto',
      does: 'reattached at once (the canary pair, always auto: protect[0]\'s "approval" does not apply)',
      outcomes: [{ decision: 'AUTO', outcome: 'REATTACHED' }],
    });
  });
});

describe('explain: precedence between overlapping rules', () => {
  const overlapping = {
    protect: [
      { policyId: P, targets: '*', mode: 'approval' },
      { targetId: OU, policies: '*', mode: 'auto', description: 'nothing comes off Prod' },
      { policyId: P, targets: [OU], mode: 'approval', description: 'the migration needs a say' },
    ],
  };

  it('lets the rule naming the policy and the target decide, wherever it is in the file, over both wildcard rules', () => {
    const explanation = explain(overlapping);

    expect(explanation.decidedBy).toEqual({
      rule: 'protect[2]',
      index: 2,
      specificity: 'exact',
      precedence: 'names the policy and the target',
      mode: 'approval',
      description: 'the migration needs a say',
      explanation: `protect[2] names ${P} on ${OU}; protect[2] takes precedence over protect[1] (less specific), protect[0] (less specific)`,
    });
    expect(explanation.outranks.map(({ rule, specificity, mode, why }) => ({ rule, specificity, mode, why }))).toEqual([
      { rule: 'protect[1]', specificity: 'target', mode: 'auto', why: 'less specific' },
      { rule: 'protect[0]', specificity: 'policy', mode: 'approval', why: 'less specific' },
    ]);
    expect(change(explanation, 'DETACHED').mode).toBe('approval');
  });

  it('lets a target rule decide over a policy rule with "targets": "*" for a policy the exact rule does not name', () => {
    const explanation = explain(overlapping, P, 'ou-a1b2-m5t8wd6c');

    expect(explanation.decidedBy).toMatchObject({ rule: 'protect[0]', specificity: 'policy' });
    expect(explanation.outranks).toEqual([]);
  });

  it('names a repeated rule of the same precedence as outranked by the first in the file', () => {
    const explanation = explain({ protect: [{ policyId: P, targets: '*', mode: 'auto' }, { policyId: P, targets: '*', mode: 'auto', description: 'again' }] });

    expect(explanation.decidedBy?.rule).toBe('protect[0]');
    expect(explanation.outranks).toMatchObject([{ rule: 'protect[1]', why: 'same precedence, later in the file' }]);
  });

  it('prints the deciding rule and why each other rule does not decide', () => {
    const text = formatExplanation(explain(overlapping));

    expect(text).toContain('Decided by protect[2] ("approval", names the policy and the target).\n  "the migration needs a say"\n');
    expect(text).toContain('Outranks:\n  protect[1] ("auto", a target rule with "policies": "*"): less specific.\n');
    expect(text).toContain('  protect[0] ("approval", a policy rule with "targets": "*"): less specific; the\n    same mode, so it changes nothing here.\n');
  });
});

describe('explain: a pair no rule covers', () => {
  const rules = { protect: [{ policyId: P, targets: [OU], mode: 'auto' }], notify: { unprotected: true } };

  it('says no rule decides, and that a detachment is recorded and told, not undone', () => {
    const explanation = explain(rules, OTHER, ACCOUNT);

    expect(explanation.decidedBy).toBeUndefined();
    expect(explanation.outranks).toEqual([]);
    expect(change(explanation, 'DETACHED')).toMatchObject({
      verdict: 'UNPROTECTED',
      notify: true,
      does: 'recorded, not reattached: no rule covers the pair; told (notify.unprotected is true)',
      outcomes: [{ outcome: 'OBSERVED' }],
    });
  });

  it('says a disabled policy type comes back without this pair', () => {
    const explanation = explain(rules, OTHER, ACCOUNT);

    expect(change(explanation, 'POLICY_TYPE_DISABLED').does).toBe(
      're-enabled and every protected attachment restored at once, but not this pair, which no rule covers: re-enabling the type attaches only FullAWSAccess',
    );
  });

  it('says plainly that no rule names the policy or the target', () => {
    const text = formatExplanation(explain(rules, OTHER, ACCOUNT));

    expect(text).toContain(`No protect rule covers ${OTHER} on ${ACCOUNT}.\nNo rule names ${OTHER}.\nNo rule names ${ACCOUNT}.\n`);
  });

  it('says where the rules do name a policy they do not protect on this target', () => {
    const explanation = explain(rules, P, ROOT);

    expect(explanation.named).toEqual({ policy: ['protect[0]'], target: [] });
    expect(formatExplanation(explanation)).toContain(`${P} is named by protect[0], not for this pair.\nNo rule names ${ROOT}.\n`);
  });

  it('still protects the content of a policy a rule names for another target', () => {
    const explanation = explain(rules, P, ROOT);

    expect(change(explanation, 'POLICY_CHANGED')).toMatchObject({ verdict: 'PROTECTED' });
    expect(change(explanation, 'DETACHED')).toMatchObject({ verdict: 'UNPROTECTED' });
  });
});

describe('explain: arguments', () => {
  const rules = parseProtectionRules({ protect: [] });

  it('refuses a policy id that is not one, naming it', () => {
    expect(() => explainPair(rules, 'DenyLeaveOrganization', OU, 'rules.json')).toThrow(
      new ExplainArgumentError('POLICY_ID "DenyLeaveOrganization" is not a policy id (p-[0-9a-zA-Z_]{8,128})'),
    );
  });

  it('refuses a target id that is not a root, OU or account id', () => {
    expect(() => explainPair(rules, P, 'ou-a1b2', 'rules.json')).toThrow(new ExplainArgumentError('TARGET_ID "ou-a1b2" is not a root (r-…), OU (ou-…-…) or account (12 digits) id'));
  });
});

/** The command as `scp-guardian explain ...` runs it, in this process: what it prints and its exit code. */
async function run(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(String(chunk));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(write(out));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(write(err));
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await program().exitOverride().parseAsync(['node', 'scp-guardian', 'explain', ...args]);
    return { stdout: out.join(''), stderr: err.join(''), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.exitCode = before;
  }
}

describe('scp-guardian explain', () => {
  it('explains a pair of the sample rules by default, in lines that fit 80 columns', async () => {
    const { stdout, exitCode } = await run('p-protectct', 'ou-a1b2-7hq4vz2n');

    expect(exitCode).toBe(0);
    expect(stdout.split('\n').slice(0, 10)).toEqual([
      'p-protectct on OU ou-a1b2-7hq4vz2n (rules: samples/protection-rules.json)',
      'Assumed: p-protectct is a SERVICE_CONTROL_POLICY, attached to ou-a1b2-7hq4vz2n;',
      '  explain reads the rules, not the organization.',
      '',
      'Decided by protect[1] ("approval", names the policy and the target).',
      '  "CloudTrail protection on workload OUs; platform team may lift it for a',
      '    migration."',
      'Outranks:',
      '  protect[2] ("auto", a target rule with "policies": "*"): less specific.',
      '',
    ]);
    expect(stdout).toContain(
      [
        '  DETACHED: p-protectct detached from ou-a1b2-7hq4vz2n (DetachPolicy)',
        '    PROTECTED, approval: reattached once an approver agrees; with no decision',
        '      within 15 min, reattached.',
        '    outcome: REATTACHED on APPROVE or TIMEOUT, OVERRIDDEN on OVERRIDE',
      ].join('\n'),
    );
    expect(stdout.split('\n').filter((line) => line.length > 80)).toEqual([]);
  });

  it('prints one JSON document with --json, every kind in it', async () => {
    const { stdout, exitCode } = await run('p-protectct', 'ou-a1b2-7hq4vz2n', '--json');

    const document = JSON.parse(stdout) as Explanation;
    expect(exitCode).toBe(0);
    expect(document).toMatchObject({ policyId: 'p-protectct', targetId: 'ou-a1b2-7hq4vz2n', targetType: 'ORGANIZATIONAL_UNIT', decidedBy: { rule: 'protect[1]' } });
    expect(document.changes.map((c) => c.kind)).toEqual(['DETACHED', 'POLICY_TYPE_DISABLED', 'ACCOUNT_MOVED', 'POLICY_CHANGED', 'POLICY_DELETED', 'FORBIDDEN_ATTACHED']);
  });

  it('exits 0 for a pair no rule covers, and says so', async () => {
    const { stdout, exitCode } = await run('p-nothing1', '123456789012');

    expect(exitCode).toBe(0);
    expect(stdout).toContain('No protect rule covers p-nothing1 on 123456789012.\nNo rule names p-nothing1.\nNo rule names 123456789012.\n');
  });

  it('exits 1 with one line naming a malformed id', async () => {
    const { stdout, stderr, exitCode } = await run('DenyLeave', 'r-a1b2');

    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('scp-guardian explain: POLICY_ID "DenyLeave" is not a policy id (p-[0-9a-zA-Z_]{8,128})\n');
  });

  it('exits 1 naming a rules file that is not valid, with config check\'s messages', async () => {
    const { stderr, exitCode } = await run('p-protectct', 'r-a1b2', '--config', 'test/support/fixtures/rules/several-mistakes.json');

    expect(exitCode).toBe(1);
    expect(stderr.split('\n')[0]).toBe('scp-guardian explain: test/support/fixtures/rules/several-mistakes.json is not a valid protection rules file:');
    expect(stderr).toContain('  - protect[2]: unknown key "target"; did you mean "targets"?\n');
  });
});

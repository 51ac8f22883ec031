import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../cli/project-root';

const ROOT = PROJECT_ROOT;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `scp-guardian config check FILE`, as a user runs it. */
function configCheck(file: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('node', ['bin/scp-guardian.js', 'config', 'check', file], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('scp-guardian config check', () => {
  const runs: Record<string, Run> = {};

  // One process per file, started together: each pays tsx's start-up once.
  beforeAll(async () => {
    const files = {
      sample: 'samples/protection-rules.json',
      mistakes: 'test/support/fixtures/rules/several-mistakes.json',
      conflict: 'test/support/fixtures/rules/conflicting-modes.json',
      repeated: 'test/support/fixtures/rules/repeated-rule.json',
      notJson: 'test/support/fixtures/rules/not-json.json',
    };
    const results = await Promise.all(Object.values(files).map(configCheck));
    Object.keys(files).forEach((name, i) => (runs[name] = results[i]));
  }, 90_000);

  it('says rule by rule, in plain words, what the sample file protects, and exits 0', () => {
    const { code, stdout } = runs.sample;

    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      'samples/protection-rules.json is valid.',
      '  protect[0]: p-denyleave1 detached from any root, OU or account: reattached at once. "Member accounts must never be able to leave the organization."',
      '  protect[1]: p-protectct detached from ou-a1b2-7hq4vz2n or ou-a1b2-m5t8wd6c: reattached once an approver agrees; with no decision within 15 min, reattached. "CloudTrail protection on workload OUs; platform team may lift it for a migration."',
      '  protect[2]: every SERVICE_CONTROL_POLICY detached from ou-a1b2-7hq4vz2n itself (not from what is inside it): reattached at once. "Nothing comes off Prod without a change in git."',
      '    precedence: p-protectct on ou-a1b2-7hq4vz2n: protect[1] ("approval", names the policy and the target) applies, not protect[2] ("auto", a target rule with "policies": "*")',
      '  protect[3]: p-allowlist1 detached from ou-a1b2-r8n2qv4j: reattached at once. "The Regulated OU runs on an allow-list; without it the OU would have no SCP but FullAWSAccess."',
      '  SERVICE_CONTROL_POLICY disabled on the root (DisablePolicyType): re-enabled and every protected attachment restored at once',
      '  an account moved out from under a protected attachment (MoveAccount): moved back once an approver agrees; with no decision within 15 min, moved back',
      '  a protected policy rewritten (UpdatePolicy): reported with a diff of the statements, not restored (policyContent.restore is false)',
      '  a protected policy deleted (DeletePolicy): a critical notice with its last known content and every target it was on (it cannot return under its id)',
      '  forbid[0]: p-FullAWSAccess attached to ou-a1b2-r8n2qv4j: detached at once. "Regulated uses an allow-list SCP; FullAWSAccess on the OU would undo it."',
      '  policy types: SERVICE_CONTROL_POLICY; a detached policy of another type is recorded as NOT_SCP and left detached',
      '  ignored principals (the exact ARN, nothing that merely starts the same): arn:aws:iam::111122223333:role/OrgPipelineRole',
      '  approvers (Slack user ids of workspace T0123ABCD): U0123ABCD; decisions only from Slack app A0123ABCD in channel C0123ABCD',
      '  notify: Slack channel C0123ABCD only; no email (notify.emails is empty: the rules subscribe no address to the SNS topic); unprotected detachments are notified; a protected pair detached by an ignored principal is told at low priority',
      '',
    ]);
  });

  it('warns on stderr, exit code still 0, that the sample subscribes no email address', () => {
    const { code, stderr } = runs.sample;

    expect(code).toBe(0);
    expect(stderr).toBe(
      'warning: notify.emails is empty: the rules subscribe no email address to the SNS topic, so notices reach Slack channel C0123ABCD only (unless someone subscribes to the topic outside the rules)\n',
    );
  });

  it('exits 1 with every mistake of a bad file on stderr, each naming its field, its bad value and the key a typo meant', () => {
    const { code, stdout, stderr } = runs.mistakes;

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n')).toEqual([
      'scp-guardian config check: test/support/fixtures/rules/several-mistakes.json is not a valid protection rules file:',
      '  - protect[1].policyId: "p-abc" is not a policy id (p-[0-9a-zA-Z_]{8,128})',
      '  - protect[2].targets: missing; expected "*" or a list of target ids',
      '  - protect[2]: unknown key "target"; did you mean "targets"?',
      '  - protect[3].targetId: "ou-a1b2" is not a root (r-…), OU (ou-…-…) or account (12 digits) id',
      '  - protect[3].mode: "sometimes" is not "auto" or "approval"',
      '  - policyTypes[0]: "SCP" is not one of SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY, CHATBOT_POLICY, DECLARATIVE_POLICY_EC2',
      '  - ignorePrincipals[0]: "arn:aws:iam::111122223333:role/OrgPipeline*": wildcards are not allowed: principals are matched exactly',
      '  - approval.timeoutMinutes: 0 is not a whole number of minutes from 1 to 10080',
      '  - (top level): unknown key "notfy"; did you mean "notify"?',
      '',
    ]);
  });

  it('exits 1 on a file that is not JSON, naming the line and column', () => {
    const { code, stdout, stderr } = runs.notJson;

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe('scp-guardian config check: test/support/fixtures/rules/not-json.json:1:79: not valid JSON: expected "," or "]" after an array element, found the end of the file');
  });

  it('exits 1 on conflicting rules, naming both', () => {
    const { code, stderr } = runs.conflict;

    expect(code).toBe(1);
    expect(stderr).toContain('  - protect[1]: conflicts with protect[0] for p-protectct on ou-a1b2-m5t8wd6c');
  });

  it('exits 0 on a repeated rule, with a warning on stderr', () => {
    const { code, stdout, stderr } = runs.repeated;

    expect(code).toBe(0);
    expect(stdout).toContain('test/support/fixtures/rules/repeated-rule.json is valid.');
    expect(stderr.split('\n')[0]).toBe('warning: protect[2]: repeats protect[0] for p-denyleave1 on every target (same precedence, same mode "auto"), so it never applies there');
  });
  it('says where deeply nested JSON stops, instead of running out of stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-check-'));
    try {
      const file = join(dir, 'deep.json');
      writeFileSync(file, `${'['.repeat(3000)}\n`);

      const { code, stderr } = await configCheck(file);

      expect(code).toBe(1);
      expect(stderr.split('\n')[0]).toBe(`scp-guardian config check: ${file}:2:1: not valid JSON: expected a value (an object, array, string, number, true, false or null), found the end of the file`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

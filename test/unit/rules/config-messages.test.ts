import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRules } from '../../../cli/commands/config';

/** `config check` as a person at a terminal reads it: stdout, stderr, exit code. */
let dir: string;
let count = 0;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'scp-guardian-config-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function check(text: string) {
  const file = join(dir, `rules-${++count}.json`);
  writeFileSync(file, text);
  return { file, ...checkRules(file) };
}

const checkJson = (json: unknown) => check(JSON.stringify(json, null, 2));
const valid = { protect: [{ policyId: 'p-denyleave1', targets: '*', mode: 'auto' }], notify: { emails: ['secops@example.com'] } };

describe('config check: a bad value is repeated', () => {
  it('echoes a policy id that is not one, and says what a policy id looks like', () => {
    const { stderr, exitCode } = checkJson({ protect: [{ policyId: 'DenyLeaveOrganization', targets: '*', mode: 'auto' }] });

    expect(exitCode).toBe(1);
    expect(stderr).toContain('  - protect[0].policyId: "DenyLeaveOrganization" is not a policy id (p-[0-9a-zA-Z_]{8,128})\n');
  });

  it('echoes a number out of range', () => {
    const { stderr } = checkJson({ ...valid, approval: { timeoutMinutes: 0 } });

    expect(stderr).toContain('  - approval.timeoutMinutes: 0 is not a whole number of minutes from 1 to 10080\n');
  });

  it('echoes a mode that is not one', () => {
    const { stderr } = checkJson({ protect: [{ policyId: 'p-denyleave1', targets: '*', mode: 'sometimes' }] });

    expect(stderr).toContain('  - protect[0].mode: "sometimes" is not "auto" or "approval"\n');
  });

  it('echoes a value before a message that is not an "expected" phrase', () => {
    const { stderr } = checkJson({ ...valid, ignorePrincipals: ['arn:aws:iam::111122223333:role/OrgPipeline*'] });

    expect(stderr).toContain('  - ignorePrincipals[0]: "arn:aws:iam::111122223333:role/OrgPipeline*": wildcards are not allowed: principals are matched exactly\n');
  });

  it('shows a long value by its two ends and its length', () => {
    const { stderr } = checkJson({ protect: [{ policyId: 'p-denyleave1', targets: '*', mode: 'auto', description: `start${'x'.repeat(600)}end` }] });

    expect(stderr).toMatch(/ {2}- protect\[0\]\.description: "startx+…x+end" \(608 characters\): expected at most 500 characters\n/);
  });

  it('says a missing field is missing, with no value to echo', () => {
    const { stderr } = checkJson({ protect: [{ policyId: 'p-denyleave1', targets: '*' }] });

    expect(stderr).toContain('  - protect[0].mode: missing; expected "auto" or "approval"\n');
  });

  it('names a repeated id once, as the message already quotes it', () => {
    const { stderr } = checkJson({ protect: [{ policyId: 'p-denyleave1', targets: ['r-a1b2', 'r-a1b2'], mode: 'auto' }] });

    expect(stderr).toContain('  - protect[0].targets[1]: "r-a1b2" is listed twice (first at [0])\n');
  });
});

describe('config check: an unknown key gets the nearest known key', () => {
  it('suggests "mode" for "mdoe" in a rule', () => {
    const { stderr, exitCode } = checkJson({ protect: [{ policyId: 'p-denyleave1', targets: '*', mdoe: 'auto' }] });

    expect(exitCode).toBe(1);
    expect(stderr).toContain('  - protect[0]: unknown key "mdoe"; did you mean "mode"?\n');
  });

  it('suggests "targets" for "target" in a policy rule, and "policies" for "polices" in a target rule', () => {
    const { stderr } = checkJson({
      protect: [
        { policyId: 'p-denyleave1', target: '*', mode: 'auto' },
        { targetId: 'r-a1b2', polices: '*', mode: 'auto' },
      ],
    });

    expect(stderr).toContain('  - protect[0]: unknown key "target"; did you mean "targets"?\n');
    expect(stderr).toContain('  - protect[1]: unknown key "polices"; did you mean "policies"?\n');
  });

  it('suggests top-level keys, each for its own typo', () => {
    const { stderr } = checkJson({ protect: valid.protect, polcyTypes: ['SERVICE_CONTROL_POLICY'], notfy: {} });

    expect(stderr).toContain('  - (top level): unknown keys "polcyTypes", "notfy"; did you mean "policyTypes" for "polcyTypes", "notify" for "notfy"?\n');
  });

  it('finds keys nested under defaults, such as remediation.admission', () => {
    const { stderr } = checkJson({ ...valid, remediation: { admission: { expectedRat: 5 } } });

    expect(stderr).toContain('  - remediation.admission: unknown key "expectedRat"; did you mean "expectedRate"?\n');
  });

  it('suggests the key a shortened one starts', () => {
    const { stderr } = checkJson({ ...valid, notify: { emails: valid.notify.emails, slack: 'C0123ABCD' } });

    expect(stderr).toContain('  - notify: unknown key "slack"; did you mean "slackChannel"?\n');
  });

  it('suggests nothing for a key far from every known one', () => {
    const { stderr } = checkJson({ ...valid, approval: { colour: 'red' } });

    expect(stderr).toContain('  - approval: unknown key "colour"\n');
  });

  it('does not suggest a key the object already has', () => {
    const { stderr } = checkJson({ protect: [{ policyId: 'p-denyleave1', targets: '*', mode: 'auto', modes: 'auto' }] });

    expect(stderr).toContain('  - protect[0]: unknown key "modes"\n');
  });
});

describe('config check: JSON mistakes by line and column', () => {
  it('names the line and column of a missing comma, and points at it', () => {
    const { file, stderr, exitCode } = check('{\n  "protect": [\n    { "policyId": "p-denyleave1" "targets": "*", "mode": "auto" }\n  ]\n}\n');

    expect(exitCode).toBe(1);
    expect(stderr).toBe(
      `scp-guardian config check: ${file}:3:34: not valid JSON: a comma is missing before this property\n` +
        '        { "policyId": "p-denyleave1" "targets": "*", "mode": "auto" }\n' +
        '                                     ^\n',
    );
  });

  it('names a trailing comma as such', () => {
    const { file, stderr } = check('{\n  "protect": [\n    { "policyId": "p-denyleave1", "targets": "*", "mode": "auto" },\n  ]\n}\n');

    expect(stderr.split('\n')[0]).toBe(`scp-guardian config check: ${file}:3:67: not valid JSON: a comma before "]": JSON allows no trailing comma`);
  });

  it('says where a file that stops early ends', () => {
    const { file, stderr } = check('{ "protect": [\n');

    expect(stderr.split('\n')[0]).toBe(`scp-guardian config check: ${file}:2:1: not valid JSON: expected a value (an object, array, string, number, true, false or null), found the end of the file`);
  });

  it('says comments are not JSON', () => {
    const { file, stderr } = check('{\n  // the guard\n  "protect": []\n}\n');

    expect(stderr.split('\n')[0]).toBe(`scp-guardian config check: ${file}:2:3: not valid JSON: comments are not allowed in JSON`);
  });

  it('says strings take double quotes', () => {
    const { file, stderr } = check("{ 'protect': [] }");

    expect(stderr.split('\n')[0]).toBe(`scp-guardian config check: ${file}:1:3: not valid JSON: JSON strings take double quotes, not single quotes`);
  });

  it('names a file that cannot be read, without a stack or an errno', () => {
    const { stderr, exitCode } = checkRules(join(dir, 'absent.json'));

    expect(exitCode).toBe(1);
    expect(stderr).toBe(`scp-guardian config check: cannot read ${join(dir, 'absent.json')}: no such file\n`);
  });
});

describe('config check: warnings, with exit code 0', () => {
  it('warns that an empty protect protects nothing', () => {
    const { stderr, exitCode } = checkJson({ ...valid, protect: [] });

    expect(exitCode).toBe(0);
    expect(stderr).toBe('warning: protect is empty: no rule keeps a policy attached, so every detachment is only recorded\n');
  });

  it('warns when policyTypes leaves out service control policies', () => {
    const { stderr, exitCode } = checkJson({ ...valid, policyTypes: ['RESOURCE_CONTROL_POLICY'] });

    expect(exitCode).toBe(0);
    expect(stderr).toBe(
      'warning: policyTypes lists RESOURCE_CONTROL_POLICY but not SERVICE_CONTROL_POLICY: no SCP is protected; a detached SCP is recorded as NOT_SCP and left detached\n',
    );
  });

  it('warns that with no emails and no Slack channel nobody is told', () => {
    const { stderr, exitCode } = checkJson({ protect: valid.protect });

    expect(exitCode).toBe(0);
    expect(stderr).toBe(
      'warning: notify.emails is empty: the rules subscribe no email address to the SNS topic, and with no notify.slackChannel nobody is told (unless someone subscribes to the topic outside the rules)\n',
    );
  });

  it('warns that with no emails only the Slack channel is told', () => {
    const { stderr } = checkJson({ protect: valid.protect, notify: { slackChannel: 'C0123ABCD', slackTeamId: 'T0123ABCD', slackAppId: 'A0123ABCD' } });

    expect(stderr).toBe(
      'warning: notify.emails is empty: the rules subscribe no email address to the SNS topic, so notices reach Slack channel C0123ABCD only (unless someone subscribes to the topic outside the rules)\n',
    );
  });

  it('prints no warning for a file with rules, SCPs and an email address', () => {
    const { stdout, stderr, exitCode } = checkJson(valid);

    expect(exitCode).toBe(0);
    expect(stdout).toContain('is valid.\n');
    expect(stderr).toBe('');
  });
});

describe('config check: the notify line says who the notices reach', () => {
  const notifyLine = (stdout: string) => stdout.split('\n').find((line) => line.startsWith('  notify: '));

  it('claims no email when the rules have no email address, and says the Slack channel alone is told', () => {
    const { stdout } = checkJson({ protect: valid.protect, notify: { slackChannel: 'C0123ABCD', slackTeamId: 'T0123ABCD', slackAppId: 'A0123ABCD' } });

    expect(notifyLine(stdout)).toMatch(/^ {2}notify: Slack channel C0123ABCD only; no email \(notify\.emails is empty: the rules subscribe no address to the SNS topic\); /);
  });

  it('says nobody is told when there is neither an email address nor a Slack channel', () => {
    const { stdout } = checkJson({ protect: valid.protect });

    expect(notifyLine(stdout)).toMatch(/^ {2}notify: nobody: no Slack channel and no email /);
  });

  it('names the email addresses when there are some', () => {
    const { stdout } = checkJson(valid);

    expect(notifyLine(stdout)).toMatch(/^ {2}notify: email via SNS to secops@example\.com; /);
  });
});

import { join } from 'node:path';
import { InvalidRulesError, loadProtectionRules, parseProtectionRules } from '../../../config/load';
import { FIXTURES } from '../../support/paths';
import { PROJECT_ROOT } from '../../../cli/project-root';

const RULES_FIXTURES = join(FIXTURES, 'rules');
const SAMPLE_RULES = join(PROJECT_ROOT, 'samples/protection-rules.json');

/** The problems a rules document is refused with, or [] when it is accepted. */
function problemsOf(json: unknown): string[] {
  try {
    parseProtectionRules(json);
    return [];
  } catch (error) {
    if (error instanceof InvalidRulesError) return error.problems;
    throw error;
  }
}

const rule = (fields: Record<string, unknown>) => ({ protect: [fields] });
const policyRule = { policyId: 'p-denyleave1', targets: '*', mode: 'auto' };

describe('protection rules: what a valid file means', () => {
  it('accepts the sample file', () => {
    const rules = loadProtectionRules(SAMPLE_RULES);

    expect(rules.protect).toHaveLength(4);
  });

  it('protects only service control policies when policyTypes is left out', () => {
    const rules = parseProtectionRules({ protect: [policyRule] });

    expect(rules.policyTypes).toEqual(['SERVICE_CONTROL_POLICY']);
  });

  it('lets resource control policies be opted in', () => {
    const rules = loadProtectionRules(join(RULES_FIXTURES, 'resource-control-policies.json'));

    expect(rules.policyTypes).toEqual(['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY']);
  });

  it.each([
    ['a role with a path', 'arn:aws:iam::111122223333:role/pipelines/OrgPipelineRole'],
    ['an IAM user', 'arn:aws:iam::111122223333:user/terraform'],
    ['the root user', 'arn:aws:iam::111122223333:root'],
    ['a role in another partition', 'arn:aws-us-gov:iam::111122223333:role/OrgPipelineRole'],
  ])('accepts %s in ignorePrincipals', (_, arn) => {
    const problems = problemsOf({ protect: [], ignorePrincipals: [arn] });

    expect(problems).toEqual([]);
  });

  it('accepts the AWS-managed FullAWSAccess policy id and every kind of target id', () => {
    const problems = problemsOf(rule({ policyId: 'p-FullAWSAccess', targets: ['r-a1b2', 'ou-a1b2-7hq4vz2n', '333344445555'], mode: 'approval' }));

    expect(problems).toEqual([]);
  });
});

describe('protection rules: each kind of mistake gets the documented message', () => {
  it.each<[string, unknown, string]>([
    ['a policy id in the wrong format', rule({ ...policyRule, policyId: 'p-abc' }), 'protect[0].policyId: expected p-[0-9a-zA-Z_]{8,128} (a policy id)'],
    ['a policy id that is not a string', rule({ ...policyRule, policyId: 12345678 }), 'protect[0].policyId: expected p-[0-9a-zA-Z_]{8,128} (a policy id)'],
    ['an OU id without its second part', rule({ ...policyRule, targets: ['ou-a1b2'] }), 'protect[0].targets[0]: expected a root (r-…), OU (ou-…-…) or account (12 digits) id'],
    ['an account id of 11 digits', rule({ ...policyRule, targets: ['12345678901'] }), 'protect[0].targets[0]: expected a root (r-…), OU (ou-…-…) or account (12 digits) id'],
    ['a root id in capitals', rule({ targetId: 'r-A1B2', policies: '*', mode: 'auto' }), 'protect[0].targetId: expected a root (r-…), OU (ou-…-…) or account (12 digits) id'],
    ['a policy id in a target rule', rule({ targetId: 'r-a1b2', policies: ['p-denyleave1', 'deny-leave'], mode: 'auto' }), 'protect[0].policies[1]: expected p-[0-9a-zA-Z_]{8,128} (a policy id)'],
    ['an unknown key at the top', { protect: [], polcyTypes: [] }, '(top level): unknown key "polcyTypes"'],
    ['an unknown key in a rule', rule({ ...policyRule, mdoe: 'auto' }), 'protect[0]: unknown key "mdoe"'],
    ['an unknown key in approval', { protect: [], approval: { timeout: 15 } }, 'approval: unknown key "timeout"'],
    ['a missing mode', rule({ policyId: 'p-denyleave1', targets: '*' }), 'protect[0].mode: missing; expected "auto" or "approval"'],
    ['an unknown mode', rule({ ...policyRule, mode: 'sometimes' }), 'protect[0].mode: expected "auto" or "approval"'],
    ['missing targets', rule({ policyId: 'p-denyleave1', mode: 'auto' }), 'protect[0].targets: missing; expected "*" or a list of target ids'],
    ['targets that are neither "*" nor a list', rule({ ...policyRule, targets: 'all' }), 'protect[0].targets: expected "*" or a list of target ids'],
    ['an empty target list', rule({ ...policyRule, targets: [] }), 'protect[0].targets: expected at least one target id'],
    ['a target listed twice', rule({ ...policyRule, targets: ['r-a1b2', 'r-a1b2'] }), 'protect[0].targets[1]: "r-a1b2" is listed twice (first at [0])'],
    [
      'a rule with both policyId and targetId',
      rule({ policyId: 'p-denyleave1', targetId: 'r-a1b2', mode: 'auto' }),
      'protect[0]: a rule names both "policyId" and "targetId": expected {"policyId", "targets", "mode"} or {"targetId", "policies", "mode"}',
    ],
    [
      'a rule with neither',
      rule({ mode: 'auto' }),
      'protect[0]: a rule names neither "policyId" nor "targetId": expected {"policyId", "targets", "mode"} or {"targetId", "policies", "mode"}',
    ],
    ['a rule that is not an object', { protect: ['p-denyleave1'] }, 'protect[0]: expected a rule: {"policyId", "targets", "mode"} or {"targetId", "policies", "mode"}'],
    [
      'an assumed-role session, whose name its caller chose',
      { protect: [], ignorePrincipals: ['arn:aws:sts::111122223333:assumed-role/OrgPipelineRole/terraform-apply'] },
      'ignorePrincipals[0]: a session ARN (sts::…:assumed-role/… or federated-user/…) names a session its caller chose: list the IAM role or user instead (arn:aws:iam::111122223333:role/OrgPipelineRole)',
    ],
    [
      'a federated user, whose name its caller chose',
      { protect: [], ignorePrincipals: ['arn:aws:sts::111122223333:federated-user/carol'] },
      'ignorePrincipals[0]: a session ARN (sts::…:assumed-role/… or federated-user/…) names a session its caller chose: list the IAM role or user instead (arn:aws:iam::111122223333:role/OrgPipelineRole)',
    ],
    ['a Slack channel without the workspace and app it belongs to', { protect: [], notify: { slackChannel: 'C0SECURITY', slackAppId: 'A0TESTAPP' } }, 'notify.slackTeamId: missing; expected a Slack workspace (team) id such as T0123ABCD, or an Enterprise Grid id such as E0123ABCD: required with slackChannel, since a Slack user id names a person only within one workspace'],
    ['a wildcard principal', { protect: [], ignorePrincipals: ['arn:aws:iam::111122223333:role/OrgPipeline*'] }, 'ignorePrincipals[0]: wildcards are not allowed: principals are matched exactly'],
    [
      'a role name instead of an ARN',
      { protect: [], ignorePrincipals: ['OrgPipelineRole'] },
      "ignorePrincipals[0]: expected the ARN of an IAM role or user (arn:aws:iam::111122223333:role/OrgPipelineRole, with the role's path if it has one) or the root user",
    ],
    [
      'an ARN that names no principal',
      { protect: [], ignorePrincipals: ['arn:aws:iam::111122223333:policy/OrgPipelinePolicy'] },
      "ignorePrincipals[0]: expected the ARN of an IAM role or user (arn:aws:iam::111122223333:role/OrgPipelineRole, with the role's path if it has one) or the root user",
    ],
    [
      'an unknown policy type',
      { protect: [], policyTypes: ['SCP'] },
      'policyTypes[0]: expected one of SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY, CHATBOT_POLICY, DECLARATIVE_POLICY_EC2',
    ],
    ['no policy type at all', { protect: [], policyTypes: [] }, 'policyTypes: expected at least one policy type'],
    ['an approval window of zero', { protect: [], approval: { timeoutMinutes: 0 } }, 'approval.timeoutMinutes: expected a whole number of minutes from 1 to 10080'],
    ['an approval window in fractions', { protect: [], approval: { timeoutMinutes: 1.5 } }, 'approval.timeoutMinutes: expected a whole number of minutes from 1 to 10080'],
    ['an unknown onTimeout', { protect: [], approval: { onTimeout: 'retry' } }, 'approval.onTimeout: expected "reattach" or "keep-detached"'],
    ['an approver that is not a Slack user id', { protect: [], approval: { approvers: ['alice'] } }, 'approval.approvers[0]: expected a Slack user id such as U0123ABCD'],
    ['an email listed twice', { protect: [], notify: { emails: ['secops@example.com', 'secops@example.com'] } }, 'notify.emails[1]: "secops@example.com" is listed twice (first at [0])'],
    ['no protect list', { policyTypes: ['SERVICE_CONTROL_POLICY'] }, 'protect: missing; expected a list of rules'],
    ['a list instead of an object', [policyRule], '(top level): expected a JSON object with "protect"'],
  ])('refuses %s', (_, json, message) => {
    const problems = problemsOf(json);

    expect(problems).toEqual([message]);
  });

  it('reports every mistake in a file at once, each with its field', () => {
    let error: unknown;

    try {
      loadProtectionRules(join(RULES_FIXTURES, 'several-mistakes.json'));
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(InvalidRulesError);
    expect((error as InvalidRulesError).problems).toEqual([
      'protect[1].policyId: expected p-[0-9a-zA-Z_]{8,128} (a policy id)',
      'protect[2].targets: missing; expected "*" or a list of target ids',
      'protect[2]: unknown key "target"',
      'protect[3].targetId: expected a root (r-…), OU (ou-…-…) or account (12 digits) id',
      'protect[3].mode: expected "auto" or "approval"',
      'policyTypes[0]: expected one of SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY, CHATBOT_POLICY, DECLARATIVE_POLICY_EC2',
      'ignorePrincipals[0]: wildcards are not allowed: principals are matched exactly',
      'approval.timeoutMinutes: expected a whole number of minutes from 1 to 10080',
      '(top level): unknown key "notfy"',
    ]);
  });

  it('says a file that is not JSON is not JSON', () => {
    const load = () => loadProtectionRules(join(RULES_FIXTURES, 'not-json.json'));

    expect(load).toThrow(/not-json\.json is not a valid protection rules file:\n {2}- not valid JSON: /);
  });

  it('says a file that cannot be read cannot be read', () => {
    const load = () => loadProtectionRules(join(RULES_FIXTURES, 'no-such-file.json'));

    expect(load).toThrow(/no-such-file\.json is not a valid protection rules file:\n {2}- cannot read the file: ENOENT/);
  });
});

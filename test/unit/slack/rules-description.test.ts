import { describeRules } from '../../../cli/config/describe';
import { parseProtectionRules } from '../../../config/load';

const approvalRule = { policyId: 'p-12345678', targets: '*', mode: 'approval' };

describe('the rules description (config check) of Slack decisions', () => {
  it('names the workspace the approvers belong to, and the app and channel decisions come from', () => {
    const rules = parseProtectionRules({
      protect: [approvalRule],
      approval: { approvers: ['U0123ABCD'] },
      notify: { slackChannel: 'C0123ABCD', slackTeamId: 'T0123ABCD', slackAppId: 'A0123ABCD' },
    });

    const lines = describeRules(rules);

    expect(lines).toContain('approvers (Slack user ids of workspace T0123ABCD): U0123ABCD; decisions only from Slack app A0123ABCD in channel C0123ABCD');
  });

  it('calls an E… id an Enterprise Grid organization', () => {
    const rules = parseProtectionRules({
      protect: [approvalRule],
      approval: { approvers: ['W0123ABCD'] },
      notify: { slackChannel: 'C0123ABCD', slackTeamId: 'E0123ABCD', slackAppId: 'A0123ABCD' },
    });

    const lines = describeRules(rules);

    expect(lines).toContainEqual(expect.stringMatching(/^approvers \(Slack user ids of Enterprise Grid organization E0123ABCD\): W0123ABCD;/));
  });

  it('says that, with approvers but no Slack channel, every Slack click is refused', () => {
    const rules = parseProtectionRules({ protect: [approvalRule], approval: { approvers: ['U0123ABCD'] } });

    const lines = describeRules(rules);

    expect(lines).toContain('approvers (Slack user ids): U0123ABCD; no notify.slackChannel, so every Slack click is refused: decide with `scp-guardian decide`');
  });
});

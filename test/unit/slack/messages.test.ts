import type { ActionsBlock, Button, KnownBlock, SectionBlock } from '@slack/web-api';
import {
  OverrideModal,
  SlackActionId,
  SlackLimit,
  escapeMrkdwn,
  formatDecider,
  incidentMessage,
  overrideModal,
  readOverrideModalMetadata,
  type IncidentMessageState,
  type SlackMessage,
} from '../../../functions/shared/slack/messages';
import { protectedIncident } from './incident-fixture';

const awaiting: IncidentMessageState = { kind: 'awaiting-decision', decisionId: 'k3j5h2g7f6d4s2a1', deadline: '2024-05-01T10:15:05.000Z' };

/** Every text a reader can see: the fallback and every `text` string anywhere in the blocks. */
function visibleText(message: SlackMessage): string {
  const texts: string[] = [message.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') texts.push(value);
        else walk(value);
      }
    }
  };
  walk(message.blocks);
  return texts.join('\n');
}

function blockTexts(message: SlackMessage): string {
  return visibleText({ text: '', blocks: message.blocks });
}

function actionsOf(blocks: KnownBlock[]): ActionsBlock[] {
  return blocks.filter((b): b is ActionsBlock => b.type === 'actions');
}

function buttons(message: SlackMessage): Button[] {
  return actionsOf(message.blocks).flatMap((b) => b.elements as Button[]);
}

describe('incidentMessage', () => {
  const everyState: IncidentMessageState[] = [
    { kind: 'detected' },
    awaiting,
    { kind: 'decided', decision: 'APPROVE', by: 'U0123ABCD', at: '2024-05-01T10:02:00.000Z' },
    { kind: 'closed', outcome: 'REATTACHED', timeToRemediateSeconds: 130 },
  ];

  it.each(everyState.map((state) => [state.kind, state] as const))('says what, from what, by whom, from where, when, rule and verdict when %s', (_kind, state) => {
    const text = blockTexts(incidentMessage(protectedIncident(), state));

    for (const needed of [
      'DenyLeaveOrg',
      'p-12345678',
      'OU',
      'Prod',
      'ou-ab12-11111111',
      'AssumedRole',
      'arn:aws:iam::111122223333:role/AdminRole',
      '203.0.113.7',
      'console',
      'MFA: yes',
      '2024-05-01T10:00:00Z',
      'protect[0] names p-12345678 on ou-ab12-11111111',
      'PROTECTED',
    ]) {
      expect(text).toContain(needed);
    }
  });

  it('names the policy, target and actor in the notification fallback text', () => {
    const { text } = incidentMessage(protectedIncident(), awaiting);

    expect(text).toContain('DenyLeaveOrg (p-12345678)');
    expect(text).toContain('Prod (ou-ab12-11111111)');
    expect(text).toContain('arn:aws:iam::111122223333:role/AdminRole');
    expect(text).toContain('decide by 2024-05-01T10:15:05.000Z');
  });

  it('says an auto-mode detach is being reattached now', () => {
    const message = incidentMessage(protectedIncident({ mode: 'auto' }), { kind: 'detected' });

    expect(visibleText(message)).toContain('reattaching now');
    expect(buttons(message)).toEqual([]);
  });

  it('says an unprotected detach is only observed', () => {
    const incident = protectedIncident({ verdict: 'UNPROTECTED', mode: undefined, rule: undefined, reason: 'no rule protects p-12345678 on ou-ab12-11111111' });

    const text = visibleText(incidentMessage(incident, { kind: 'detected' }));

    expect(text).toContain('observed, no change');
    expect(text).toContain('UNPROTECTED');
    expect(text).toContain('no protection rule matched');
  });

  it('says when a console session had no MFA and when the call did not come from the console', () => {
    const incident = protectedIncident();
    const text = blockTexts(incidentMessage({ ...incident, actor: { ...incident.actor, console: false, mfa: false } }, { kind: 'detected' }));

    expect(text).toContain('not console');
    expect(text).toContain('MFA: no');
  });

  it('gives the decision deadline and what happens if nobody decides', () => {
    const text = blockTexts(incidentMessage(protectedIncident(), awaiting));

    expect(text).toContain('2024-05-01T10:15:05.000Z');
    expect(text).toContain('the policy is *reattached*');
  });

  it('says a keep-detached timeout leaves the policy detached', () => {
    const text = blockTexts(incidentMessage(protectedIncident({ approval: { timeoutSeconds: 900, onTimeout: 'keep-detached' } }), awaiting));

    expect(text).toContain('the policy *stays detached*');
  });

  it('offers "Reattach now" and "Keep detached" buttons that carry only the decision id', () => {
    const [approve, override] = buttons(incidentMessage(protectedIncident(), awaiting));

    expect(approve).toMatchObject({ action_id: SlackActionId.APPROVE, style: 'primary', value: 'k3j5h2g7f6d4s2a1', text: { text: 'Reattach now' } });
    expect(override).toMatchObject({ action_id: SlackActionId.OVERRIDE, style: 'danger', value: 'k3j5h2g7f6d4s2a1', text: { text: 'Keep detached' } });
  });

  it('asks for confirmation before "Keep detached" and not before "Reattach now"', () => {
    const [approve, override] = buttons(incidentMessage(protectedIncident(), awaiting));

    expect(approve.confirm).toBeUndefined();
    expect(override.confirm).toMatchObject({ title: { type: 'plain_text' }, confirm: { type: 'plain_text' }, deny: { type: 'plain_text' }, style: 'danger' });
    expect((override.confirm?.text.text ?? '').length).toBeLessThanOrEqual(SlackLimit.CONFIRM_TEXT);
  });

  it('removes the buttons once decided and names who decided, when, why and what', () => {
    const state: IncidentMessageState = { kind: 'decided', decision: 'OVERRIDE', by: 'U0123ABCD', at: '2024-05-01T10:02:00.000Z', reason: 'planned change CHG-42' };

    const message = incidentMessage(protectedIncident(), state);
    const text = blockTexts(message);

    expect(actionsOf(message.blocks)).toEqual([]);
    expect(text).toContain('<@U0123ABCD>');
    expect(text).toContain('2024-05-01T10:02:00.000Z');
    expect(text).toContain('planned change CHG-42');
    expect(text).toContain('OVERRIDE');
  });

  it('names a CLI decider by IAM ARN rather than as a Slack mention', () => {
    const state: IncidentMessageState = { kind: 'decided', decision: 'APPROVE', by: 'arn:aws:iam::111122223333:user/bob', at: '2024-05-01T10:02:00.000Z' };

    const text = blockTexts(incidentMessage(protectedIncident(), state));

    expect(text).toContain('`arn:aws:iam::111122223333:user/bob`');
    expect(text).not.toContain('<@arn');
  });

  it('says a decision was taken with `scp-guardian decide` when it came from the command line', () => {
    const state: IncidentMessageState = { kind: 'decided', decision: 'APPROVE', by: 'arn:aws:iam::111122223333:user/bob', at: '2024-05-01T10:02:00.000Z', via: 'cli' };

    const text = blockTexts(incidentMessage(protectedIncident(), state));

    expect(text).toContain('approved reattaching the policy at 2024-05-01T10:02:00.000Z (with `scp-guardian decide`).');
  });

  it.each([
    ['reattach', '✅ Policy reattached (no decision in time)', 'REATTACHED'],
    ['keep-detached', '✋ Policy kept detached (no decision in time)', 'OVERRIDDEN'],
  ] as const)('says nobody decided and that onTimeout %s applied when the window closed', (onTimeout, header, outcome) => {
    const incident = protectedIncident({ approval: { timeoutSeconds: 900, onTimeout } });
    const state: IncidentMessageState = { kind: 'closed', outcome, decision: { decision: 'TIMEOUT', by: 'scp-guardian', at: '2024-05-01T10:15:06.000Z' } };

    const text = blockTexts(incidentMessage(incident, state));

    expect(text).toContain(header);
    expect(text).toContain(`*TIMEOUT*: nobody decided by the deadline at 2024-05-01T10:15:06.000Z, so onTimeout (${onTimeout}) applied`);
    expect(text).not.toContain('scp-guardian approved');
  });

  it('keeps who decided, when and why in the message once the outcome is known', () => {
    const state: IncidentMessageState = {
      kind: 'closed',
      outcome: 'OVERRIDDEN',
      decision: { decision: 'OVERRIDE', by: 'U0123ABCD', at: '2024-05-01T10:02:00.000Z', reason: 'planned change CHG-42' },
    };

    const text = blockTexts(incidentMessage(protectedIncident(), state));

    expect(text).toContain('✋ Policy kept detached (override)');
    expect(text).toContain('<@U0123ABCD> chose to keep the policy detached at 2024-05-01T10:02:00.000Z');
    expect(text).toContain('planned change CHG-42');
  });

  it('gives the cause when the reattachment failed', () => {
    const state: IncidentMessageState = { kind: 'closed', outcome: 'FAILED', cause: 'Organizations.PolicyNotFoundException: the policy was deleted' };

    const message = incidentMessage(protectedIncident(), state);

    expect(blockTexts(message)).toContain('FAILED');
    expect(blockTexts(message)).toContain('Organizations.PolicyNotFoundException: the policy was deleted');
    expect(actionsOf(message.blocks)).toEqual([]);
  });

  it('gives the time to remediate when the policy was reattached', () => {
    const text = blockTexts(incidentMessage(protectedIncident(), { kind: 'closed', outcome: 'REATTACHED', timeToRemediateSeconds: 42.3 }));

    expect(text).toContain('REATTACHED');
    expect(text).toContain('42.3 s');
  });

  it('escapes &, < and > in names, ARNs and reasons so nobody can ping @channel or forge links', () => {
    const incident = protectedIncident({ policy: { id: 'p-12345678', name: '<!channel> Deny & <http://evil.example|click>' } });
    const state: IncidentMessageState = { kind: 'decided', decision: 'OVERRIDE', by: 'U0123ABCD', reason: 'because <!here> & >' };

    const message = incidentMessage(incident, state);
    const all = JSON.stringify(message);

    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<!here>');
    expect(all).not.toContain('<http://evil');
    expect(visibleText(message)).toContain('&lt;!channel&gt; Deny &amp; &lt;http://evil.example|click&gt;');
    expect(visibleText(message)).toContain('because &lt;!here&gt; &amp; &gt;');
  });

  it("keeps every text within Slack's limits, however long the input", () => {
    const long = 'x&'.repeat(5000);
    const incident = protectedIncident({ policy: { id: 'p-12345678', name: long }, reason: long });
    const state: IncidentMessageState = { kind: 'decided', decision: 'OVERRIDE', by: 'U0123ABCD', reason: long };

    const message = incidentMessage(incident, state);
    const sections = message.blocks.filter((b): b is SectionBlock => b.type === 'section');

    expect(message.text.length).toBeLessThanOrEqual(SlackLimit.FALLBACK_TEXT);
    for (const section of sections) {
      expect(section.text?.text.length ?? 0).toBeLessThanOrEqual(SlackLimit.SECTION_TEXT);
      for (const field of section.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(SlackLimit.SECTION_FIELD);
    }
    expect(JSON.stringify(message)).not.toMatch(/&(a|am|amp)?…/);
  });
});

describe('overrideModal', () => {
  const context = { decisionId: 'k3j5h2g7f6d4s2a1', channel: 'C0SECURITY', messageTs: '1700000000.000100' };

  it('asks for a required multi-line reason', () => {
    const modal = overrideModal(context, protectedIncident());
    const input = modal.blocks.find((b) => b.type === 'input');

    expect(modal).toMatchObject({ type: 'modal', callback_id: OverrideModal.CALLBACK_ID });
    expect(modal.submit).toBeDefined();
    expect(modal.title.text.length).toBeLessThanOrEqual(SlackLimit.MODAL_TITLE);
    expect(input).toMatchObject({
      block_id: 'reason',
      element: { type: 'plain_text_input', action_id: 'reason', multiline: true, min_length: 1 },
    });
    expect(input).not.toHaveProperty('optional', true);
  });

  it('binds itself in private_metadata to the decision, and to the channel and message whose button opened it', () => {
    const modal = overrideModal(context, protectedIncident());

    expect(readOverrideModalMetadata(modal.private_metadata ?? '')).toEqual(context);
  });

  /** The duration menu of a modal: the values offered, and the one chosen when it opens. */
  function durationMenu(modal: ReturnType<typeof overrideModal>) {
    const block = modal.blocks.find((b) => b.block_id === OverrideModal.DURATION_BLOCK_ID) as { element: { type: string; action_id: string; options: { value: string; text: { text: string } }[]; initial_option: { value: string; text: { text: string } } } } | undefined;
    return block?.element;
  }

  it('offers only durations up to overrides.maxHours, with overrides.defaultHours chosen', () => {
    const menu = durationMenu(overrideModal(context, protectedIncident(), { defaultHours: 8, maxHours: 36 }));

    expect(menu).toMatchObject({ type: 'static_select', action_id: OverrideModal.DURATION_ACTION_ID });
    expect(menu?.options.map((o) => o.value)).toEqual(['1h', '4h', '8h', '1d', '36h']);
    expect(menu?.initial_option).toEqual(menu?.options.find((o) => o.value === '8h'));
    expect(menu?.initial_option.text.text).toBe('8 hours (default)');
  });

  it('offers a default that is not one of the usual durations', () => {
    const menu = durationMenu(overrideModal(context, protectedIncident(), { defaultHours: 2, maxHours: 168 }));

    expect(menu?.options.map((o) => o.value)).toEqual(['1h', '2h', '4h', '8h', '1d', '3d', '7d']);
    expect(menu?.initial_option.value).toBe('2h');
  });

  it('names the policy and the target being kept detached', () => {
    const text = JSON.stringify(overrideModal(context, protectedIncident()));

    expect(text).toContain('DenyLeaveOrg');
    expect(text).toContain('ou-ab12-11111111');
  });
});

describe('an override\'s end in the incident message', () => {
  it('says in the decided message until when the policy stays detached', () => {
    const text = blockTexts(incidentMessage(protectedIncident(), { kind: 'decided', decision: 'OVERRIDE', by: 'U0APPROVER', reason: 'CHG-1', until: '2024-05-01T14:15:05.000Z' }));

    expect(text).toContain('chose to keep the policy detached, until *2024-05-01T14:15:05.000Z*');
  });

  it('says in the closing message until when the policy stays detached, and what happens then', () => {
    const closed: IncidentMessageState = { kind: 'closed', outcome: 'OVERRIDDEN', decision: { decision: 'OVERRIDE', by: 'U0APPROVER' }, overriddenUntil: '2024-05-01T14:15:05.000Z' };

    const text = blockTexts(incidentMessage(protectedIncident(), closed));

    expect(text).toContain("*Kept detached until:* 2024-05-01T14:15:05.000Z; then it is restored in its rule's mode (an approval rule asks again).");
  });
});

describe('helpers', () => {
  it('escapes only the three mrkdwn control characters', () => {
    expect(escapeMrkdwn('a & b < c > d *e* _f_')).toBe('a &amp; b &lt; c &gt; d *e* _f_');
  });

  it('mentions a Slack user id and shows anything else as code', () => {
    expect(formatDecider('U0123ABCD')).toBe('<@U0123ABCD>');
    expect(formatDecider('arn:aws:iam::1:user/<x>')).toBe('`arn:aws:iam::1:user/&lt;x&gt;`');
  });
});

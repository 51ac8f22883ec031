import type { Button, HeaderBlock, KnownBlock } from '@slack/web-api';
import type { Closure, Incident } from '../../../functions/shared/incident';
import { emailSubject } from '../../../functions/shared/notifications/email';
import { headline } from '../../../functions/shared/notifications/notice';
import { incidentMessage, overrideModal, SlackLimit, type IncidentMessageState, type SlackMessage } from '../../../functions/shared/slack/messages';
import {
  accountMoved,
  changeReported,
  CHANGE_DIFF,
  deletedReported,
  forbiddenAttached,
  forbiddenDetached,
  movedBack,
  policyChanged,
  policyDeleted,
  typeDisabled,
  typeRestored,
  typeRestoredActions,
} from '../notifications/kind-fixtures';
import { protectedIncident } from './incident-fixture';

const awaiting: IncidentMessageState = { kind: 'awaiting-decision', decisionId: 'k3j5h2g7f6d4s2a1', deadline: '2024-05-01T10:15:05.000Z' };

function closedState(c: Closure): IncidentMessageState {
  return {
    kind: 'closed',
    outcome: c.outcome,
    cause: c.cause,
    actions: c.actions,
    report: c.report,
    decision: c.decision === undefined ? undefined : { decision: c.decision, by: c.decidedBy, at: c.closedAt },
  };
}

/** Every text in the blocks. */
function blockTexts(message: SlackMessage): string {
  const texts: string[] = [];
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

const header = (message: SlackMessage) => (message.blocks.find((b): b is HeaderBlock => b.type === 'header') as HeaderBlock).text.text;
const buttons = (blocks: KnownBlock[]) => blocks.flatMap((b) => (b.type === 'actions' ? (b.elements as Button[]) : []));

describe('Slack messages per kind', () => {
  it.each([
    ['a disabled type', typeDisabled, typeRestored],
    ['a moved account', accountMoved, movedBack],
    ['a rewritten policy', policyChanged, changeReported],
    ['a deleted policy', policyDeleted, deletedReported],
    ['a forbidden attachment', forbiddenAttached, forbiddenDetached],
  ] as const)('heads the message of %s with the words of the email, open and closed', (_what, incident, ending) => {
    const closedNotice = { phase: 'closed' as const, incident, closure: ending };

    const open = header(incidentMessage(incident, { kind: 'detected' }));
    const closed = header(incidentMessage(incident, closedState(ending)));

    expect(open).toContain(headline({ phase: 'opened', incident }));
    expect(closed).toContain(headline(closedNotice));
    expect(emailSubject(closedNotice).split(':')[0].length).toBeGreaterThan(0);
  });

  it('says SCPs were disabled for the whole organization, and once closed how many attachments came back, with every action', () => {
    const open = incidentMessage(typeDisabled, { kind: 'detected' });
    const closed = incidentMessage(typeDisabled, closedState(typeRestored));

    expect(header(open)).toBe('🚨 SCPs were disabled for the whole organization: re-enabling and restoring every protected attachment');
    expect(blockTexts(open)).toContain('*Disabled by*');
    expect(blockTexts(open)).toContain('Re-enabling and restoring every protected attachment now (auto mode).');
    expect(header(closed)).toBe('✅ SCPs were disabled for the whole organization: re-enabled on r-ab12 and 37 attachments restored');
    expect(blockTexts(closed)).toContain('*Outcome:* RESTORED. Re-enabled on r-ab12 and 37 attachments restored.');
    expect(blockTexts(closed)).toContain('*Actions (39 actions: 39 done):*\n• EnablePolicyType on r-ab12: done\n• AttachPolicy p-12345678 to ou-ab12-00000000: done');
    expect(blockTexts(closed)).toContain(`… and ${typeRestoredActions.length - 19} more`);
  });

  it('lists the failed actions first when there are too many to list', () => {
    const actions = [...typeRestoredActions, { call: 'AttachPolicy', policyId: 'p-12345678', targetId: 'ou-ab12-99999999', result: 'failed' as const, detail: 'ConstraintViolationException' }];

    const text = blockTexts(incidentMessage(typeDisabled, closedState({ ...typeRestored, outcome: 'FAILED', actions })));

    expect(text).toContain('1 FAILED');
    expect(text).toMatch(/:\*\n• AttachPolicy p-12345678 to ou-ab12-99999999: FAILED \(ConstraintViolationException\)/);
  });

  it('asks to move a moved account back, with buttons in the words of the move', () => {
    const message = incidentMessage(accountMoved, awaiting);
    const [approve, keep] = buttons(message.blocks);

    expect(header(message)).toBe('🚨 Account prod-app (111111111111) moved out of OU ou-ab12-11111111 to OU ou-ab12-22222222: decision needed');
    expect(blockTexts(message)).toContain('If nobody decides by then, the account is *moved back* (onTimeout: reattach).');
    expect(blockTexts(message)).toContain('*Moved from:* OU ou-ab12-11111111');
    expect([approve.text.text, keep.text.text]).toEqual(['Move back now', 'Leave it there']);
    expect(keep.confirm?.title?.text).toBe('Leave the account where it is?');
  });

  it('says who approved moving the account back, and what was done', () => {
    const decided = blockTexts(incidentMessage(accountMoved, { kind: 'decided', decision: 'APPROVE', by: 'U0APPROVER', at: '2024-05-01T10:02:00.000Z' }));
    const closed = blockTexts(incidentMessage(accountMoved, closedState(movedBack)));

    expect(decided).toContain('<@U0APPROVER> approved moving the account back at 2024-05-01T10:02:00.000Z.');
    expect(decided).toContain('Moving the account back now.');
    expect(closed).toContain('• MoveAccount 111111111111: done (from ou-ab12-22222222 to ou-ab12-11111111)');
  });

  it('shows the diff of a rewritten policy and its last known content as code, and that it was not restored', () => {
    const text = blockTexts(incidentMessage(policyChanged, closedState(changeReported)));

    expect(text).toContain(`*What changed:*\n\`\`\`${CHANGE_DIFF.join('\n')}\`\`\``);
    expect(text).toContain('*Last known content:*\n```{\n  "Version": "2012-10-17"');
    expect(text).toContain('reported, not restored (policyContent.restore is false)');
  });

  it('tells a deleted policy as critical, with every target it protected and its last known content', () => {
    const message = incidentMessage(policyDeleted, closedState(deletedReported));
    const text = blockTexts(message);

    expect(header(message)).toBe('🔥 CRITICAL: SCP DenyLeaveOrg (p-12345678) was deleted: it protected 3 targets; its last known content is below');
    expect(text).toContain('*It protected 3 targets:* `r-ab12`, `ou-ab12-11111111`, `222222222222`');
    expect(text).toContain('"Sid": "NoLeaving"');
  });

  it('says a forbidden policy is being detached, with the forbid rule', () => {
    const message = incidentMessage(forbiddenAttached, { kind: 'detected' });
    const text = blockTexts(message);

    expect(header(message)).toBe('🚨 SCP FullAWSAccess (p-FullAWSAccess) was attached to OU Regulated (ou-ab12-33333333), which a forbid rule keeps it off: detaching it');
    expect(text).toContain('SCP *FullAWSAccess* (`p-FullAWSAccess`) was attached to OU *Regulated* (`ou-ab12-33333333`), which a forbid rule keeps it off.');
    expect(text).toContain('*Forbid rule:* forbid[0] keeps it off: Regulated runs on an allow-list; FullAWSAccess would undo it');
    expect(text).toContain('Detaching it now (auto mode).');
  });

  it('keeps a long content within what a Slack section holds', () => {
    const huge = JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: 400 }, (_, i) => ({ Sid: `S${i}`, Effect: 'Deny', Action: '*', Resource: '*' })) });

    const message = incidentMessage(policyDeleted, closedState({ ...deletedReported, report: { lastKnownContent: huge, desiredTargets: [] } }));

    for (const block of message.blocks) if (block.type === 'section' && block.text !== undefined) expect(block.text.text.length).toBeLessThanOrEqual(SlackLimit.SECTION_TEXT);
  });

  it('titles the override dialog in the words of the kind, within Slack\'s 24 characters', () => {
    const incidents: Incident[] = [typeDisabled, accountMoved, policyChanged, forbiddenAttached];

    const titles = incidents.map((incident) => overrideModal({ decisionId: 'k3j5h2g7f6d4s2a1', channel: 'C0SECURITY' }, incident).title.text);

    expect(titles).toEqual(['Keep the type disabled', 'Leave the account there', 'Keep the new content', 'Keep policy attached']);
    expect(titles.every((title) => title.length <= SlackLimit.MODAL_TITLE)).toBe(true);
  });
});

describe('Slack time to remediate', () => {
  it('says a replay counts from when the replay applied the change, and a real event does not', () => {
    const replayed = protectedIncident({ mode: 'auto', approval: undefined });
    const state: IncidentMessageState = { kind: 'closed', outcome: 'REATTACHED', timeToRemediateSeconds: 0.4 };

    const replay = blockTexts(incidentMessage({ ...replayed, replayAppliedAt: '2026-12-01T17:40:21.000Z' }, state));
    const real = blockTexts(incidentMessage(replayed, state));

    expect(replay).toContain('*Time to remediate:* 0.4 s (from when the replay applied it)');
    expect(real).toMatch(/\*Time to remediate:\* 0\.4 s$/m);
  });
});

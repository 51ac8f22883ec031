import { parseInteractionPayload } from '../../functions/shared/slack/interaction-payload';
import { buttonClick, interactionBody, reasonSubmission } from '../helpers/slack-signing';

describe('parseInteractionPayload', () => {
  it('reads a button click: who, which button, which decision, where', () => {
    const body = interactionBody(buttonClick({ userId: 'U0123ABCD', actionId: 'scp_guardian_approve', value: 'd1', channel: 'C1', messageTs: '1700000000.000100', triggerId: 't1' }));

    expect(parseInteractionPayload(body)).toEqual({
      ok: true,
      interaction: {
        type: 'block_actions',
        user: { id: 'U0123ABCD', name: 'user-u0123abcd' },
        actionId: 'scp_guardian_approve',
        value: 'd1',
        triggerId: 't1',
        channelId: 'C1',
        messageTs: '1700000000.000100',
        responseUrl: 'https://hooks.slack.com/actions/T00000001/1/abc',
      },
    });
  });

  it('reads the reason and decision id of a modal submission', () => {
    const body = interactionBody(reasonSubmission({ userId: 'U0123ABCD', decisionId: 'd1', reason: 'planned change' }));

    expect(parseInteractionPayload(body)).toMatchObject({
      ok: true,
      interaction: { type: 'view_submission', user: { id: 'U0123ABCD' }, callbackId: 'scp_guardian_override_reason', privateMetadata: 'd1', reason: 'planned change' },
    });
  });

  it('reads an empty reason field (null) as no reason', () => {
    const body = interactionBody(reasonSubmission({ userId: 'U0123ABCD', decisionId: 'd1', reason: null }));

    expect(parseInteractionPayload(body)).toMatchObject({ ok: true, interaction: { reason: undefined } });
  });

  it('says when the form has no payload field', () => {
    expect(parseInteractionPayload('token=abc')).toEqual({ ok: false, error: 'no payload field in the form body' });
  });

  it('says when the payload is not JSON', () => {
    expect(parseInteractionPayload('payload=%7Bnope')).toEqual({ ok: false, error: 'payload is not valid JSON' });
  });

  it('names an interaction type it does not handle', () => {
    expect(parseInteractionPayload(interactionBody({ type: 'view_closed' }))).toEqual({ ok: false, error: 'unsupported interaction type "view_closed"' });
  });

  it('names the missing field of a malformed click', () => {
    const click = buttonClick({ userId: 'U1', actionId: 'a', channel: 'C1', messageTs: '1' });
    const { user: _user, ...withoutUser } = click;

    const result = parseInteractionPayload(interactionBody(withoutUser));

    expect(result).toEqual({ ok: false, error: expect.stringContaining('user') });
  });

  it('refuses a click without any action', () => {
    const click = { ...buttonClick({ userId: 'U1', actionId: 'a', channel: 'C1', messageTs: '1' }), actions: [] };

    expect(parseInteractionPayload(interactionBody(click))).toEqual({ ok: false, error: expect.stringContaining('actions') });
  });
});

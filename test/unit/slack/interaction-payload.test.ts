import { parseInteractionPayload } from '../../../functions/slack-interactions/interaction-payload';
import { TEST_SLACK } from '../../support/local-harness';
import { buttonClick, interactionBody, reasonSubmission } from '../../support/slack-signing';

describe('parseInteractionPayload', () => {
  it('reads a button click: who (team and user), which button, which decision, from which app and channel', () => {
    const body = interactionBody(buttonClick({ userId: 'U0123ABCD', actionId: 'scp_guardian_approve', value: 'd1', channel: 'C1', messageTs: '1700000000.000100', triggerId: 't1' }));

    expect(parseInteractionPayload(body)).toEqual({
      ok: true,
      interaction: {
        type: 'block_actions',
        user: { id: 'U0123ABCD', teamId: TEST_SLACK.teamId, name: 'user-u0123abcd' },
        origin: { teamId: TEST_SLACK.teamId, appId: TEST_SLACK.appId, channelId: 'C1' },
        actionId: 'scp_guardian_approve',
        value: 'd1',
        triggerId: 't1',
        channelId: 'C1',
        messageTs: '1700000000.000100',
        responseUrl: `https://hooks.slack.com/actions/${TEST_SLACK.teamId}/1/abc`,
      },
    });
  });

  it('reads the Enterprise Grid organization of a click, where Slack reports it', () => {
    const body = interactionBody(buttonClick({ userId: 'W0123ABCD', actionId: 'a', channel: 'C1', messageTs: '1', enterpriseId: 'E0ORG', userTeamId: 'E0ORG' }));

    expect(parseInteractionPayload(body)).toMatchObject({
      ok: true,
      interaction: { user: { id: 'W0123ABCD', teamId: 'E0ORG' }, origin: { teamId: TEST_SLACK.teamId, enterpriseId: 'E0ORG', teamEnterpriseId: 'E0ORG' } },
    });
  });

  it('reads a click of an org-wide install, whose team is null', () => {
    const click = { ...buttonClick({ userId: 'W0123ABCD', actionId: 'a', channel: 'C1', messageTs: '1', enterpriseId: 'E0ORG' }), team: null };

    expect(parseInteractionPayload(interactionBody(click))).toMatchObject({ ok: true, interaction: { origin: { teamId: undefined, enterpriseId: 'E0ORG' } } });
  });

  it('reads the reason, and the decision and channel the modal was opened for, from a modal submission', () => {
    const body = interactionBody(reasonSubmission({ userId: 'U0123ABCD', decisionId: 'd1', reason: 'planned change', channel: 'C1', messageTs: '1700000000.000100' }));

    expect(parseInteractionPayload(body)).toMatchObject({
      ok: true,
      interaction: {
        type: 'view_submission',
        user: { id: 'U0123ABCD', teamId: TEST_SLACK.teamId },
        origin: { teamId: TEST_SLACK.teamId, appId: TEST_SLACK.appId, channelId: 'C1' },
        viewAppId: TEST_SLACK.appId,
        callbackId: 'scp_guardian_override_reason',
        decisionId: 'd1',
        messageTs: '1700000000.000100',
        reason: 'planned change',
      },
    });
  });

  it('reads the bare decision id of a modal opened before the metadata named a channel, with no channel', () => {
    const body = interactionBody(reasonSubmission({ userId: 'U0123ABCD', decisionId: 'k3j5h2g7f6d4s2a1', reason: 'r', privateMetadata: 'k3j5h2g7f6d4s2a1' }));

    expect(parseInteractionPayload(body)).toMatchObject({ ok: true, interaction: { decisionId: 'k3j5h2g7f6d4s2a1', origin: { channelId: undefined } } });
  });

  it('reads no decision and no channel from metadata it did not write', () => {
    const body = interactionBody(reasonSubmission({ userId: 'U0123ABCD', decisionId: 'd1', reason: 'r', privateMetadata: '["not", "ours"]' }));

    expect(parseInteractionPayload(body)).toMatchObject({ ok: true, interaction: { decisionId: undefined, origin: { channelId: undefined } } });
  });

  it('reads an empty reason field (null) as no reason', () => {
    const body = interactionBody(reasonSubmission({ userId: 'U0123ABCD', decisionId: 'd1', reason: null }));

    expect(parseInteractionPayload(body)).toMatchObject({ ok: true, interaction: { reason: undefined } });
  });

  it('reads the duration chosen in the modal\'s menu', () => {
    const body = interactionBody(reasonSubmission({ userId: 'U0123ABCD', decisionId: 'd1', reason: 'r', duration: '8h' }));

    expect(parseInteractionPayload(body)).toMatchObject({ ok: true, interaction: { reason: 'r', duration: '8h' } });
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

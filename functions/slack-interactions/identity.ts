import type { Interaction, InteractionOrigin } from './interaction-payload';

/**
 * Where Slack decisions may come from: the rules' `notify.slackChannel`, `slackTeamId` and
 * `slackAppId` (the rules' `notify` object fits as is). Without a channel, none may.
 */
export interface SlackIdentityRules {
  slackChannel?: string;
  slackTeamId?: string;
  slackAppId?: string;
}

/** Why an interaction's origin was refused; each has its own words for the person. */
export const OriginRefusal = {
  NOT_CONFIGURED: 'not-configured',
  OTHER_APP: 'other-app',
  OTHER_WORKSPACE: 'other-workspace',
  OTHER_CHANNEL: 'other-channel',
} as const;
export type OriginRefusal = (typeof OriginRefusal)[keyof typeof OriginRefusal];

/**
 * The origin is the configured one (`team`: the workspace the user was verified in, `channel`:
 * the channel they acted in), or why not.
 */
export type OriginCheck = { ok: true; team: string; channel: string } | { ok: false; refusal: OriginRefusal; why: string };

const refuse = (refusal: OriginRefusal, why: string): OriginCheck => ({ ok: false, refusal, why });
const shown = (id: string | undefined) => id ?? '(none)';

/**
 * Whether the payload's workspace is the configured one. A T… id is one workspace: `team.id`
 * must be it, and `user.team_id` it too (or, under Enterprise Grid, where Slack reports the
 * user's organization there, that workspace's organization). An E… id is an Enterprise Grid
 * organization: the payload's organization must be it, and the user must belong to it.
 */
function workspaceRefusal(origin: InteractionOrigin, userTeamId: string | undefined, expected: string): string | undefined {
  const organizations = [...new Set([origin.enterpriseId, origin.teamEnterpriseId].filter((id): id is string => id !== undefined))];
  if (organizations.length > 1) return `the payload names two Enterprise Grid organizations (${organizations.join(', ')})`;
  const [organization] = organizations;
  if (expected.startsWith('E')) {
    if (organization !== expected) return `from organization ${shown(organization)}, not ${expected}`;
    const inWorkspaceOfOrganization = userTeamId !== undefined && userTeamId === origin.teamId && origin.teamEnterpriseId === expected;
    if (userTeamId !== undefined && userTeamId !== expected && !inWorkspaceOfOrganization) return `by a user of ${userTeamId}, not of organization ${expected}`;
    return undefined;
  }
  if (origin.teamId !== expected) return `from workspace ${shown(origin.teamId)}, not ${expected}`;
  const ofThisOrganization = organization !== undefined && userTeamId === organization;
  if (userTeamId !== undefined && userTeamId !== expected && !ofThisOrganization) return `by a user of ${userTeamId}, not of workspace ${expected}`;
  return undefined;
}

/**
 * Checks that a (signed) interaction comes from the configured app, workspace and channel.
 * A view submission's channel is the one its modal's private_metadata names.
 */
export function checkOrigin(interaction: Interaction, rules: SlackIdentityRules): OriginCheck {
  const { slackChannel: channel, slackTeamId: team, slackAppId: app } = rules;
  if (channel === undefined || team === undefined || app === undefined) {
    return refuse(OriginRefusal.NOT_CONFIGURED, 'Slack decisions are not configured: the rules name no notify.slackChannel, slackTeamId and slackAppId');
  }
  const { origin, user } = interaction;
  if (origin.appId !== app) return refuse(OriginRefusal.OTHER_APP, `sent to app ${shown(origin.appId)}, not ${app}`);
  if (interaction.type === 'view_submission' && interaction.viewAppId !== undefined && interaction.viewAppId !== app) {
    return refuse(OriginRefusal.OTHER_APP, `a dialog of app ${interaction.viewAppId}, not ${app}`);
  }
  const workspace = workspaceRefusal(origin, user.teamId, team);
  if (workspace !== undefined) return refuse(OriginRefusal.OTHER_WORKSPACE, workspace);
  if (origin.channelId !== channel) {
    const where = interaction.type === 'view_submission' ? `a dialog opened for channel ${shown(origin.channelId)}` : `in channel ${shown(origin.channelId)}`;
    return refuse(OriginRefusal.OTHER_CHANNEL, `${where}, not ${channel}`);
  }
  return { ok: true, team, channel };
}

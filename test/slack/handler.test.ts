import { dependenciesFromEnv } from '../../functions/slack-interactions/handler';

const rules = JSON.stringify({ protect: [{ policyId: 'p-12345678', targets: '*', mode: 'approval' }], approval: { approvers: ['U0123ABCD'] } });
const env = { SCP_GUARDIAN_RULES: rules, TABLE_NAME: 'audit', SIGNING_SECRET_ARN: 'arn:signing', BOT_TOKEN_ARN: 'arn:bot' };

describe('slack-interactions handler wiring', () => {
  it('builds its dependencies from a complete environment without calling AWS', () => {
    expect(dependenciesFromEnv(env)).toMatchObject({ signingSecret: expect.any(Function), decide: expect.any(Function) });
  });

  it.each(['SCP_GUARDIAN_RULES', 'TABLE_NAME', 'SIGNING_SECRET_ARN', 'BOT_TOKEN_ARN'])('refuses to start without %s', (name) => {
    expect(() => dependenciesFromEnv({ ...env, [name]: undefined })).toThrow(name);
  });

  it('refuses protection rules that do not validate, naming the field', () => {
    expect(() => dependenciesFromEnv({ ...env, SCP_GUARDIAN_RULES: JSON.stringify({ protect: [{ policyId: 'nope', targets: '*', mode: 'auto' }] }) })).toThrow(/protect\[0\]\.policyId/);
  });
});

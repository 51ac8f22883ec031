import { parseProtectionRules } from '../../../config/load';

describe('rules compiled into a Lambda bundle', () => {
  const original = process.env.SCP_GUARDIAN_RULES;
  afterEach(() => {
    process.env.SCP_GUARDIAN_RULES = original;
    jest.resetModules();
  });

  const load = () => (jest.requireActual('../../../functions/shared/runtime') as typeof import('../../../functions/shared/runtime')).rulesFromEnvironment();

  it('are the rules the CDK validated and normalised, defaults included', () => {
    const validated = parseProtectionRules({ protect: [{ policyId: 'p-12345678', targets: '*', mode: 'auto' }] });
    process.env.SCP_GUARDIAN_RULES = JSON.stringify(validated);

    expect(load()).toEqual(validated);
  });

  it('refuse to start a handler without them', () => {
    delete process.env.SCP_GUARDIAN_RULES;

    expect(load).toThrow(/SCP_GUARDIAN_RULES/);
  });

  it('refuse rules that were not normalised by the schema', () => {
    process.env.SCP_GUARDIAN_RULES = JSON.stringify({ protect: [{ policyId: 'p-12345678', targets: '*', mode: 'auto' }] });

    expect(load).toThrow(/normalised/);
  });
});

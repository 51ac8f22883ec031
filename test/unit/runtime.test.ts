describe('rules compiled into a Lambda bundle', () => {
  const original = process.env.SCP_GUARDIAN_RULES;
  afterEach(() => {
    process.env.SCP_GUARDIAN_RULES = original;
    jest.resetModules();
  });

  const load = () => (jest.requireActual('../../functions/shared/runtime') as typeof import('../../functions/shared/runtime')).rulesFromEnvironment();

  it('are read and validated once', () => {
    process.env.SCP_GUARDIAN_RULES = JSON.stringify({ protect: [{ policyId: 'p-12345678', targets: '*', mode: 'auto' }] });

    expect(load().protect).toHaveLength(1);
  });

  it('refuse to start a handler without them', () => {
    delete process.env.SCP_GUARDIAN_RULES;

    expect(load).toThrow(/SCP_GUARDIAN_RULES/);
  });

  it('refuse rules that do not validate, naming the field', () => {
    process.env.SCP_GUARDIAN_RULES = JSON.stringify({ protect: [{ policyId: 'nope', targets: '*', mode: 'auto' }] });

    expect(load).toThrow(/protect\[0\]\.policyId/);
  });
});

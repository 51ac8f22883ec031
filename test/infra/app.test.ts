import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { InvalidRulesError } from '../../config/load';
import { buildApp, DEFAULT_RULES_FILE, RULES_FILE_CONTEXT } from '../../infra/app';
import { ScpGuardianStack } from '../../infra/stack';
import { cdkJson, NO_BUNDLING, rulesFileFromSample, SAMPLE_RULES_FILE, withRulesFile } from './support';
import { PROJECT_ROOT } from '../../cli/project-root';

// These tests are about the app, not the functions: bundling is skipped.
const context = (extra: Record<string, unknown> = {}) => ({ ...cdkJson().context, ...NO_BUNDLING, ...extra });
const badModeRules = () =>
  rulesFileFromSample((rules) => {
    rules.protect[1].mode = 'sometimes';
  });

describe('cdk.json', () => {
  it('runs the app with tsx and names the sample rules file', () => {
    const json = cdkJson();

    expect(json.app).toBe('npx tsx infra/app.ts');
    expect(json.context[RULES_FILE_CONTEXT]).toBe(DEFAULT_RULES_FILE);
  });

  it('sets every feature flag the pinned aws-cdk-lib recommends for a new app, as `cdk init` writes them', () => {
    const recommended = JSON.parse(readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8')) as Record<string, unknown>;

    const { context: configured } = cdkJson();

    const differing = Object.entries(recommended).filter(([flag, value]) => JSON.stringify(configured[flag]) !== JSON.stringify(value));
    expect(differing).toEqual([]);
  });
});

describe('region', () => {
  it('refuses to synthesize for another region, saying Organizations events arrive only in us-east-1', () => {
    expect(() => buildApp({ context: context({ region: 'eu-west-1' }), env: {} })).toThrow(/must be deployed in us-east-1, not eu-west-1.*only in us-east-1/s);
  });

  it("deploys to us-east-1 whatever the profile's default region is", () => {
    const { stack } = buildApp({ context: context(), env: { CDK_DEFAULT_REGION: 'eu-central-1' } });

    expect(stack.region).toBe('us-east-1');
  });

  it('pins the stack to us-east-1 with the account of the credentials, if any', () => {
    const { stack } = buildApp({ context: context(), env: { CDK_DEFAULT_ACCOUNT: '111122223333' } });

    expect([stack.region, stack.account]).toEqual(['us-east-1', '111122223333']);
  });

  it('is refused by the stack itself when built for another region', () => {
    const rules = buildApp({ context: context(), env: {} }).rules;

    expect(() => new ScpGuardianStack(new App({ context: NO_BUNDLING }), 'Elsewhere', { rules, env: { region: 'ap-southeast-2' } })).toThrow(/us-east-1/);
  });
});

describe('protection rules', () => {
  it('reads the rules file named in context, relative to the project root', () => {
    const { rulesFile, rules } = buildApp({ context: context(), env: {} });

    expect(rulesFile).toBe(SAMPLE_RULES_FILE);
    expect(rules.protect.length).toBeGreaterThan(0);
  });

  it('fails with the field named when the rules file is invalid', () => {
    let error: unknown;
    try {
      buildApp({ context: context(withRulesFile(badModeRules())), env: {} });
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(InvalidRulesError);
    expect((error as InvalidRulesError).problems.join('\n')).toMatch(/protect\[1\]\.mode/);
  });

  it('makes `cdk synth` exit non-zero with the field named and no stack trace', () => {
    const result = spawnSync('npx', ['tsx', 'infra/app.ts'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(withRulesFile(badModeRules())), CDK_DEFAULT_REGION: 'us-east-1' },
      timeout: 60_000,
    });

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/protect\[1\]\.mode/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

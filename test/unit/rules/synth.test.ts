import { join } from 'node:path';
import { InvalidRulesError } from '../../../config/load';
import { buildApp, RULES_FILE_CONTEXT } from '../../../infra/app';
import { cdkJson, NO_BUNDLING } from '../../infra/support';
import { FIXTURES } from '../../support/paths';

const RULES_FIXTURES = join(FIXTURES, 'rules');
// About the rules check, not the functions: bundling is skipped.
const withRules = (file: string) => ({ ...cdkJson().context, ...NO_BUNDLING, [RULES_FILE_CONTEXT]: join(RULES_FIXTURES, file) });

describe('cdk synth runs the rules check', () => {
  it('fails on conflicting rules with the same message as config check', () => {
    let error: unknown;

    try {
      buildApp({ context: withRules('conflicting-modes.json'), env: {} });
    } catch (e) {
      error = e;
    }

    expect(error).toBeInstanceOf(InvalidRulesError);
    expect((error as InvalidRulesError).problems).toEqual([expect.stringMatching(/^protect\[1\]: conflicts with protect\[0\] for p-protectct on ou-a1b2-m5t8wd6c/)]);
  });

  it('synthesizes a repeated rule with a warning on the stack', () => {
    const { stack } = buildApp({ context: withRules('repeated-rule.json'), env: {} });

    const warnings = stack.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => String(entry.data));

    expect(warnings).toEqual([expect.stringContaining('repeated-rule.json: protect[2]: repeats protect[0] for p-denyleave1 on every target')]);
  });
});

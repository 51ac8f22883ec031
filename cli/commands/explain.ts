import { Command } from 'commander';
import { relative, resolve } from 'node:path';
import { readRulesFile, RulesFileError } from '../config/rules-file';
import { ExplainArgumentError, explainPair } from '../explain/explain';
import { formatExplanation } from '../explain/text';
import { DEFAULT_RULES_FILE } from './config';

interface ExplainOptions {
  config: string;
  json?: boolean;
  wide?: boolean;
}

/** The file as a person would type it: relative to where they are, when it is below it. */
function shown(path: string): string {
  const fromHere = relative(process.cwd(), resolve(path));
  return fromHere === '' || fromHere.startsWith('..') ? path : fromHere;
}

/** `scp-guardian explain POLICY_ID TARGET_ID [--config RULES.json] [--json]` (contract: DESIGN.md, "The command"). */
export function explainCommand(): Command {
  return new Command('explain')
    .description('say which rule decides for a (policy, target) pair, and what the guard does for each kind of change of it')
    .argument('<policy-id>', 'the policy (p-…)')
    .argument('<target-id>', 'the root (r-…), OU (ou-…-…) or account (12 digits)')
    .option('--config <file>', 'protection rules', DEFAULT_RULES_FILE)
    .option('--json', 'print the explanation as one JSON document')
    .option('--wide', 'do not fit the lines to 80 columns')
    .action((policyId: string, targetId: string, options: ExplainOptions) => {
      try {
        const file = shown(options.config);
        const { rules } = readRulesFile(resolve(options.config), file);
        const explanation = explainPair(rules, policyId, targetId, file);
        process.stdout.write(options.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation, options.wide ? Number.MAX_SAFE_INTEGER : 80));
      } catch (error) {
        if (!(error instanceof ExplainArgumentError) && !(error instanceof RulesFileError)) throw error;
        const [first, ...rest] = error instanceof RulesFileError ? error.lines : [error.message];
        process.stderr.write([`scp-guardian explain: ${first}`, ...rest].map((line) => `${line}\n`).join(''));
        process.exitCode = 1;
      }
    });
}

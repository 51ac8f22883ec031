import { Command } from 'commander';
import { resolve } from 'node:path';
import { defaultRulesFile, DEFAULT_RULES_FILE_HELP, shownPath } from '../config/default-rules-file';
import { readRulesFile, RulesFileError } from '../config/rules-file';
import { ExplainArgumentError, explainPair } from '../explain/explain';
import { formatExplanation } from '../explain/text';
import { PROJECT_ROOT } from '../project-root';

interface ExplainOptions {
  config?: string;
  json?: boolean;
  wide?: boolean;
}

/** `scp-guardian explain POLICY_ID TARGET_ID [--config RULES.json] [--json]` (contract: docs/contracts.md, "`explain --json`"). */
export function explainCommand(projectRoot: string = PROJECT_ROOT): Command {
  return new Command('explain')
    .description('say which rule decides for a (policy, target) pair, and what the guard does for each kind of change of it')
    .argument('<policy-id>', 'the policy (p-…)')
    .argument('<target-id>', 'the root (r-…), OU (ou-…-…) or account (12 digits)')
    .option('--config <file>', `protection rules (default: ${DEFAULT_RULES_FILE_HELP})`)
    .option('--json', 'print the explanation as one JSON document')
    .option('--wide', 'do not fit the lines to 80 columns')
    .action((policyId: string, targetId: string, options: ExplainOptions) => {
      try {
        const path = options.config ?? defaultRulesFile(projectRoot);
        const file = shownPath(path);
        const { rules } = readRulesFile(resolve(path), file);
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

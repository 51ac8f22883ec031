import { Command } from 'commander';
import { resolve } from 'node:path';
import { describeRules } from '../../functions/shared/rules/describe';
import { InvalidRulesError, loadProtectionRules, ruleWarnings } from '../../functions/shared/rules/load';

/**
 * `scp-guardian config check FILE`: the same validation `cdk synth` runs, in words. A valid
 * file is described on stdout (warnings on stderr, exit 0); an invalid one gets its errors on
 * stderr and exit code 1.
 */
export function configCommand(): Command {
  const config = new Command('config').description('protection rules');
  config
    .command('check')
    .description('validate a protection rules file and say what it protects')
    .argument('<file>', 'the protection rules (JSON)')
    .action((file: string) => {
      try {
        const rules = loadProtectionRules(resolve(file));
        process.stdout.write(`${file} is valid.\n${describeRules(rules).map((line) => `  ${line}`).join('\n')}\n`);
        for (const warning of ruleWarnings(rules)) process.stderr.write(`warning: ${warning}\n`);
      } catch (error) {
        if (!(error instanceof InvalidRulesError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 1;
      }
    });
  return config;
}

import { Command } from 'commander';
import { resolve } from 'node:path';
import { describeRules } from '../config/describe';
import { defaultRulesFile, DEFAULT_RULES_FILE_HELP, shownPath } from '../config/default-rules-file';
import { readRulesFile, RulesFileError } from '../config/rules-file';
import { PROJECT_ROOT } from '../project-root';

/** What `config check` prints for a file: stdout, stderr and the exit code. */
export interface CheckReport {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * The same validation `cdk synth` runs, in words. A valid file is described on stdout (warnings on
 * stderr, exit 0); an invalid one gets its errors on stderr and exit code 1.
 */
export function checkRules(file: string): CheckReport {
  try {
    const { rules, warnings } = readRulesFile(resolve(file), file);
    return {
      stdout: `${file} is valid.\n${describeRules(rules).map((line) => `  ${line}`).join('\n')}\n`,
      stderr: warnings.map((warning) => `warning: ${warning}\n`).join(''),
      exitCode: 0,
    };
  } catch (error) {
    if (!(error instanceof RulesFileError)) throw error;
    const [first, ...rest] = error.lines;
    return { stdout: '', stderr: [`scp-guardian config check: ${first}`, ...rest].map((line) => `${line}\n`).join(''), exitCode: 1 };
  }
}

/** `scp-guardian config check [FILE]`. */
export function configCommand(projectRoot: string = PROJECT_ROOT): Command {
  const config = new Command('config').description('protection rules');
  config
    .command('check')
    .description('validate a protection rules file and say what it protects')
    .argument('[file]', `the protection rules (JSON; default: ${DEFAULT_RULES_FILE_HELP})`)
    .action((file: string | undefined) => {
      const report = checkRules(file ?? shownPath(defaultRulesFile(projectRoot)));
      process.stdout.write(report.stdout);
      process.stderr.write(report.stderr);
      if (report.exitCode !== 0) process.exitCode = report.exitCode;
    });
  return config;
}

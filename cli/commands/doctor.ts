import { Command } from 'commander';
import { resolve } from 'node:path';
import { DATA_DIR_ENV, resolveDataDir } from '../../local/dynamodb/local-audit-data';
import { defaultRulesFile, DEFAULT_RULES_FILE_HELP, shownPath } from '../config/default-rules-file';
import { readRulesFile, RulesFileError } from '../config/rules-file';
import { STACK_REGION } from '../decide/aws';
import { doctorReport, formatDoctorReport, type DoctorReport } from '../doctor/report';
import { DoctorCommandError, doctorOnAws, doctorOnLocal } from '../doctor/run';
import { DEFAULT_LOCAL_URL, localOption, localServerUrl } from '../local-option';

/** The stack `npx cdk deploy` creates (infra/app.ts, STACK_NAME; a test keeps the two equal). */
export const DEFAULT_STACK_NAME = 'ScpGuardian';

export interface DoctorOptions {
  local?: string | true;
  dataDir?: string;
  config?: string;
  stack: string;
  region: string;
  json?: boolean;
  wide?: boolean;
}

/** Runs every check where the options point, and gathers the report. */
export async function runDoctor(options: DoctorOptions, env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  const rulesFile = options.config === undefined ? defaultRulesFile() : resolve(options.config);
  let rules;
  try {
    ({ rules } = readRulesFile(rulesFile, shownPath(rulesFile)));
  } catch (error) {
    if (error instanceof RulesFileError) throw new DoctorCommandError(error.lines.join('\n'), { cause: error });
    throw error;
  }
  const run =
    options.local === undefined
      ? await doctorOnAws(rules, { region: options.region, stack: options.stack })
      : await doctorOnLocal(rules, { url: localServerUrl(options.local), dataDir: resolveDataDir(options.dataDir, env), region: options.region, env });
  return doctorReport(run.target, shownPath(rulesFile), run.checks);
}

/** `scp-guardian doctor [--local [URL]] [--json]` (contract: docs/cli.md, "doctor"). */
export function doctorCommand(env: NodeJS.ProcessEnv = process.env): Command {
  return new Command('doctor')
    .description('check that the guard can guard: the organization, CloudTrail, the rules, the desired state and the stack (exit 1 when a check fails)')
    .addOption(localOption(`the server on ${DEFAULT_LOCAL_URL}`))
    .option('--data-dir <dir>', `with --local: the data folder the server was started with, which holds its token (default: $${DATA_DIR_ENV} or ./.scp-guardian)`)
    .option('--config <file>', `the protection rules to check (default: ${DEFAULT_RULES_FILE_HELP})`)
    .option('--stack <name>', 'the deployed stack\'s name', DEFAULT_STACK_NAME)
    .option('--region <region>', 'the region the stack is deployed in (CloudTrail is always read in us-east-1)', STACK_REGION)
    .option('--json', 'print one JSON document with every check')
    .option('--wide', 'do not fit the lines to 80 columns')
    .action(async (options: DoctorOptions) => {
      try {
        const report = await runDoctor(options, env);
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatDoctorReport(report, options.wide ? Number.MAX_SAFE_INTEGER : 80)}\n`);
        if (!report.ok) process.exitCode = 1;
      } catch (error) {
        if (!(error instanceof DoctorCommandError)) throw error;
        process.stderr.write(`scp-guardian doctor: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}

import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './command-errors';
import { PROJECT_ROOT } from './project-root';
import { auditCommand } from './commands/audit';
import { configCommand } from './commands/config';
import { decideCommand } from './commands/decide';
import { doctorCommand } from './commands/doctor';
import { explainCommand } from './commands/explain';
import { localCommand } from './commands/local';
import { reconcileCommand } from './commands/reconcile';

/** The version in package.json, which `--version` prints. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The `scp-guardian` command. */
export function program(): Command {
  return new Command('scp-guardian')
    .description('Keeps AWS Organizations Service Control Policies attached: detect, decide, reattach, audit.')
    .version(packageVersion(), '-V, --version', 'the version of scp-guardian')
    .showHelpAfterError()
    .addCommand(localCommand())
    .addCommand(auditCommand())
    .addCommand(configCommand())
    .addCommand(decideCommand())
    .addCommand(explainCommand())
    .addCommand(reconcileCommand())
    .addCommand(doctorCommand());
}

/** Runs the command; every error line starts with `scp-guardian <command>:` (cli/command-errors.ts). */
export async function main(argv: string[]): Promise<void> {
  await runCommand(program(), argv);
}

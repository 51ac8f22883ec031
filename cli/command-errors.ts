import { CommanderError, type Command } from 'commander';

/** "scp-guardian audit list": a command's name after its parents'. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current !== null; current = current.parent) names.unshift(current.name());
  return names.join(' ');
}

/**
 * Commander's message as one line without its `error: `: "unknown option '--formt' (Did you mean
 * --format?)".
 */
function oneLine(text: string): string {
  return text
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

export interface CommandErrorOptions {
  /** Where the lines go. @default process.stderr */
  writeErr?: (text: string) => void;
}

/**
 * Every error of `root` and of each command under it as one line that starts with the command's
 * name, `scp-guardian <command>: ` (commander's own too: an unknown option, a value not among an
 * option's choices). Returns the command whose action runs, for the errors that action throws.
 */
export function withCommandErrors(root: Command, options: CommandErrorOptions = {}): { running(): Command } {
  let running = root;
  const visit = (command: Command) => {
    command.configureOutput({
      outputError: (text, write) => write(`${commandPath(command)}: ${oneLine(text)}\n`),
      ...(options.writeErr === undefined ? {} : { writeErr: options.writeErr }),
    });
    command.commands.forEach(visit);
  };
  visit(root);
  root.hook('preAction', (_root, action) => {
    running = action;
  });
  return { running: () => running };
}

/**
 * Parses `argv` and runs the command it names. What an action throws ends as one line naming the
 * command (`scp-guardian audit list: --limit "0" must be ...`) and exit status 1.
 */
export async function runCommand(root: Command, argv: readonly string[], options: CommandErrorOptions = {}): Promise<void> {
  const writeErr = options.writeErr ?? ((text: string) => process.stderr.write(text));
  const errors = withCommandErrors(root, options);
  try {
    await root.parseAsync([...argv]);
  } catch (error) {
    // Under exitOverride (tests), commander has written its own line already.
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    writeErr(`${commandPath(errors.running())}: ${oneLine(message)}\n`);
    process.exitCode = process.exitCode || 1;
  }
}

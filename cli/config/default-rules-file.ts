import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../project-root';

/**
 * The cdk.json context key naming the rules file `cdk deploy` takes, and the sample it takes when
 * cdk.json names none (infra/app.ts, RULES_FILE_CONTEXT and DEFAULT_RULES_FILE: importing it would
 * load the CDK into every command; test/unit/rules/default-rules-file.test.ts keeps them equal).
 */
export const RULES_FILE_CONTEXT = 'scp-guardian:rulesFile';
/** The sample protection rules, relative to the project root. */
export const SAMPLE_RULES_FILE = 'samples/protection-rules.json';

/** What `--config` (or `config check`'s file) defaults to, in the commands' help. */
export const DEFAULT_RULES_FILE_HELP = `the file cdk.json names under "${RULES_FILE_CONTEXT}", as \`cdk deploy\` takes it (else ${SAMPLE_RULES_FILE})`;

/** The sample protection rules, as an absolute path. */
export function sampleRulesFile(projectRoot: string = PROJECT_ROOT): string {
  return join(projectRoot, SAMPLE_RULES_FILE);
}

/**
 * The rules file a command reads when it is given none (`explain`, `config check`, `doctor`): the
 * one the app deploys, as cdk.json names it, else the sample; an absolute path.
 */
export function defaultRulesFile(projectRoot: string = PROJECT_ROOT): string {
  let named: unknown;
  try {
    named = (JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context?.[RULES_FILE_CONTEXT];
  } catch {
    named = undefined;
  }
  return typeof named === 'string' && named !== '' ? resolve(projectRoot, named) : sampleRulesFile(projectRoot);
}

/** How a rules path prints: relative to the working folder when it is inside it, else as given. */
export function shownPath(path: string, cwd: string = process.cwd()): string {
  const inside = relative(cwd, resolve(cwd, path));
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

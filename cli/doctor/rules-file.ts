import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../project-root';

/**
 * The rules file `cdk deploy` deploys: the one cdk.json names under this context key, else the
 * sample. (infra/app.ts, RULES_FILE_CONTEXT and DEFAULT_RULES_FILE: importing it would load the
 * CDK into every command; test/doctor/command.test.ts keeps the two equal.)
 */
export const RULES_FILE_CONTEXT = 'scp-guardian:rulesFile';
export const DEFAULT_RULES_FILE = 'samples/protection-rules.json';

/** The deployed rules file, as an absolute path. */
export function deployedRulesFile(projectRoot: string = PROJECT_ROOT): string {
  let named: unknown;
  try {
    named = (JSON.parse(readFileSync(join(projectRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context?.[RULES_FILE_CONTEXT];
  } catch {
    named = undefined;
  }
  return resolve(projectRoot, typeof named === 'string' && named !== '' ? named : DEFAULT_RULES_FILE);
}

/** How a rules path prints: relative to the working folder when it is inside it. */
export function shownPath(path: string, cwd: string = process.cwd()): string {
  const inside = relative(cwd, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

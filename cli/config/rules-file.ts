import { readFileSync } from 'node:fs';
import { InvalidRulesError, parseProtectionRules } from '../../config/load';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { issueText } from './issue-text';
import { findJsonSyntaxError } from './json-syntax';
import { reviewWarnings } from './warnings';

/**
 * A rules file the command cannot use. `lines` are what to print: the first names the file and
 * what is wrong; any others (each problem, the line of a JSON mistake) follow it, indented.
 */
export class RulesFileError extends Error {
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
    this.name = 'RulesFileError';
  }
}

/** Valid rules, and what is worth a second look in them. */
export interface RulesFile {
  rules: ProtectionRules;
  warnings: string[];
}

function readText(path: string, shownAs: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory, not a file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new RulesFileError([`cannot read ${shownAs}: ${why}`]);
  }
}

/** The mistake's line under the message, a caret under the column, cut around it to fit 80 columns. */
function pointAt(lineText: string, column: number): string[] {
  const width = 70;
  const start = Math.max(0, Math.min(column - 1 - Math.floor(width / 2), lineText.length - width));
  const shown = lineText.slice(start, start + width).replace(/\t/g, ' ');
  const cut = start > 0 ? '…' : '';
  return [`    ${cut}${shown}${start + width < lineText.length ? '…' : ''}`, `    ${' '.repeat(cut.length + column - 1 - start)}^`];
}

function parseJson(text: string, shownAs: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const mistake = findJsonSyntaxError(text);
    if (mistake === undefined) throw new RulesFileError([`${shownAs}: not valid JSON: ${(error as Error).message}`]);
    throw new RulesFileError([`${shownAs}:${mistake.line}:${mistake.column}: not valid JSON: ${mistake.problem}`, ...pointAt(mistake.lineText, mistake.column)]);
  }
}

/**
 * Reads and validates a protection rules file for a person at a terminal: the same validation as
 * `cdk synth` (parseProtectionRules), with JSON mistakes by line and column, bad values repeated
 * and unknown keys matched to the key they most likely meant. `shownAs` is how messages name the
 * file. Throws RulesFileError.
 */
export function readRulesFile(path: string, shownAs = path): RulesFile {
  const json = parseJson(readText(path, shownAs), shownAs);
  let rules: ProtectionRules;
  try {
    rules = parseProtectionRules(json, shownAs);
  } catch (error) {
    if (!(error instanceof InvalidRulesError)) throw error;
    const problems = error.issues.length > 0 ? error.issues.map((issue) => issueText(issue, json)) : error.problems;
    throw new RulesFileError([`${shownAs} is not a valid protection rules file:`, ...problems.map((problem) => `  - ${problem}`)]);
  }
  return { rules, warnings: reviewWarnings(rules) };
}

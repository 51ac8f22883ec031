import type { z } from 'zod';
import { formatPath } from '../../functions/shared/format-path';
import { formatIssue } from '../../config/load';
import { truncateMiddle } from '../terminal/text';
import { nearestKey } from './nearest-key';
import { knownKeysAt } from './schema-keys';

/** Long values are shown by their two ends: enough to find them in the file. */
const ECHO_WIDTH = 60;

/** A value short enough to repeat in a message: a string, number, boolean or null. */
function echo(value: unknown): string | undefined {
  if (value !== null && typeof value === 'object') return undefined;
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return undefined;
  const text = JSON.stringify(value);
  return typeof value === 'string' && value.length > ECHO_WIDTH ? `${truncateMiddle(text, ECHO_WIDTH)} (${value.length} characters)` : text;
}

/**
 * "expected p-[0-9a-zA-Z_]{8,128} (a policy id)" as "is not a policy id (p-[0-9a-zA-Z_]{8,128})":
 * what the value should have been, said first; undefined when the message is not such a phrase.
 */
function isNot(message: string): string | undefined {
  if (!message.startsWith('expected ')) return undefined;
  const expected = message.slice('expected '.length);
  // Bounds and comparisons read wrongly after "is not" ("is not at most 500 characters").
  if (/^(at (most|least) |minRate)/.test(expected) || expected.includes(', not ')) return undefined;
  const named = /^(?!an? )([^()]+?) \((an? [^()]+)\)(.*)$/s.exec(expected);
  return named === null ? `is not ${expected}` : `is not ${named[2]} (${named[1]})${named[3]}`;
}

/** The object the issue is about, in the parsed file, to leave out the keys it already has. */
function objectAt(json: unknown, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let value = json;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function unknownKeysText(issue: z.core.$ZodIssueUnrecognizedKeys, json: unknown): string {
  const present = Object.keys(objectAt(json, issue.path) ?? {});
  const known = knownKeysAt(issue.path).filter((key) => !present.includes(key));
  const guesses = issue.keys.flatMap((key) => {
    const guess = nearestKey(key, known);
    return guess === undefined ? [] : [{ key, guess }];
  });
  if (guesses.length === 0) return formatIssue(issue);
  const words = issue.keys.length === 1 ? `"${guesses[0].guess}"` : guesses.map(({ key, guess }) => `"${guess}" for "${key}"`).join(', ');
  return `${formatIssue(issue)}; did you mean ${words}?`;
}

/**
 * One schema issue in a person's words, for `config check`: the field's path, the bad value as
 * the file has it (`protect[0].policyId: "DenyLeaveOrganization" is not a policy id (…)`), and
 * for an unknown key the known key it most likely meant (`did you mean "mode"?`). `json` is
 * the parsed file.
 */
export function issueText(issue: z.core.$ZodIssue, json: unknown): string {
  if (issue.code === 'unrecognized_keys') return unknownKeysText(issue, json);
  const value = 'input' in issue ? echo(issue.input) : undefined;
  // A message that already quotes the value ("… is listed twice") says it once.
  if (value === undefined || (typeof issue.input === 'string' && issue.message.includes(value))) return formatIssue(issue);
  const where = formatPath(issue.path) || '(top level)';
  const phrase = isNot(issue.message);
  return phrase === undefined ? `${where}: ${value}: ${issue.message}` : `${where}: ${value} ${phrase}`;
}

import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { findProtectionRule } from '../functions/shared/rules/match';
import { findOverlaps, OverlapKind } from './overlaps';
import { formatPath } from '../functions/shared/format-path';
import { protectionRulesSchema } from './schema';
import type { ProtectionRules } from '../functions/shared/rules/protection-rules';

/**
 * A protection rules file that does not validate; `problems` name the field and the rule.
 * `issues` are the schema's own, for callers that word them for a person (config check).
 */
export class InvalidRulesError extends Error {
  constructor(readonly source: string, readonly problems: string[], readonly issues: readonly z.core.$ZodIssue[] = []) {
    super(`${source} is not a valid protection rules file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidRulesError';
  }
}

/** One schema issue as a line: the field's path, then what is wrong. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `${where || '(top level)'}: unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}`;
  }
  // Parsed with reportInput, every issue carries its input: undefined means the key is absent.
  if ('input' in issue && issue.input === undefined) return `${where || '(top level)'}: missing; ${issue.message}`;
  return `${where || '(top level)'}: ${issue.message}`;
}

/**
 * Validates parsed JSON as protection rules; throws InvalidRulesError naming every problem:
 * schema errors first, then conflicting rules (two rules of the same precedence that disagree
 * on the mode for a pair they share).
 */
export function parseProtectionRules(json: unknown, source = 'protection rules'): ProtectionRules {
  const result = protectionRulesSchema.safeParse(json, { reportInput: true });
  if (!result.success) throw new InvalidRulesError(source, result.error.issues.map(formatIssue), result.error.issues);
  const conflicts = findOverlaps(result.data.protect).filter((overlap) => overlap.kind === OverlapKind.CONFLICT);
  const contradictions = forbidContradictions(result.data);
  if (conflicts.length + contradictions.length > 0) throw new InvalidRulesError(source, [...conflicts.map((conflict) => conflict.message), ...contradictions]);
  return result.data;
}

/**
 * A pair both protected and forbidden would have the guard attach and detach it in turn: the
 * file must say which it means. (The canary pair counts as protected.)
 */
function forbidContradictions(rules: ProtectionRules): string[] {
  const problems: string[] = [];
  rules.forbid.forEach((forbid, i) => {
    for (const targetId of forbid.targets) {
      const protectedBy = findProtectionRule(rules, forbid.policyId, targetId);
      const canary = rules.canary?.policyId === forbid.policyId && rules.canary.targetId === targetId;
      if (protectedBy !== undefined || canary) {
        problems.push(
          `forbid[${i}]: ${forbid.policyId} on ${targetId} is also ${canary ? 'the canary pair' : `protected by protect[${protectedBy?.index}]`}: a pair cannot be kept both on and off; remove one of the two`,
        );
      }
    }
  });
  return problems;
}

/** What is legal but worth fixing in valid rules (a rule that repeats another), one line each. */
export function ruleWarnings(rules: ProtectionRules): string[] {
  return findOverlaps(rules.protect)
    .filter((overlap) => overlap.kind === OverlapKind.DUPLICATE)
    .map((overlap) => overlap.message);
}

/** Reads and validates a protection rules file. */
export function loadProtectionRules(path: string): ProtectionRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidRulesError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidRulesError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseProtectionRules(json, path);
}


import { listOr } from '../config/describe';
import { TargetType } from '../../functions/shared/vocabulary';
import type { ChangeExplanation, OutcomeBranch } from './changes';
import type { Explanation, RuleRef } from './explain';
import { wrap as wrapLines } from '../terminal/text';

const TARGET_WORD: Record<string, string> = { [TargetType.ROOT]: 'the root', [TargetType.ORGANIZATIONAL_UNIT]: 'OU', [TargetType.ACCOUNT]: 'account' };

/** Words wrapped to `width` after `indent`, continuation lines two spaces further in. */
const wrap = (text: string, width: number, indent = '') => wrapLines(text, width, indent, `${indent}  `);

const ruleWords = (rule: RuleRef) => `${rule.rule} ("${rule.mode}", ${rule.precedence})`;
const quoted = (description: string | undefined) => (description === undefined ? [] : [`"${description}"`]);

/** "REATTACHED on APPROVE or TIMEOUT, OVERRIDDEN on OVERRIDE": each outcome with the decisions that lead to it. */
function outcomesText(outcomes: readonly OutcomeBranch[]): string {
  const groups = new Map<string, { outcome: string; when?: string; decisions: string[] }>();
  for (const { outcome, decision, when } of outcomes) {
    const key = `${outcome} ${when ?? ''}`;
    const group = groups.get(key) ?? { outcome, ...(when === undefined ? {} : { when }), decisions: [] };
    if (decision !== undefined) group.decisions.push(decision);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ outcome, when, decisions }) => `${outcome}${decisions.length === 0 ? '' : ` on ${listOr(decisions)}`}${when === undefined ? '' : ` when ${when}`}`)
    .join(', ');
}

function changeLines(change: ChangeExplanation, width: number): string[] {
  const verdict = change.verdict === undefined ? '' : `${change.verdict}${change.mode === undefined ? '' : `, ${change.mode}`}: `;
  const lines = [...wrap(`${change.kind}: ${change.change} (${change.call})`, width, '  '), ...wrap(`${verdict}${change.does}.`, width, '    ')];
  if (change.outcomes.length > 0) lines.push(...wrap(`outcome: ${outcomesText(change.outcomes)}`, width, '    '));
  return lines;
}

function ruleLines(explanation: Explanation, width: number): string[] {
  const { policyId, targetId, decidedBy, named } = explanation;
  const lines: string[] = [];
  if (decidedBy !== undefined) {
    lines.push(...wrap(`Decided by ${ruleWords(decidedBy)}.`, width));
    for (const text of quoted(decidedBy.description)) lines.push(...wrap(text, width, '  '));
    if (explanation.outranks.length > 0) lines.push('Outranks:');
    for (const other of explanation.outranks) {
      const same = other.mode === decidedBy.mode ? '; the same mode, so it changes nothing here' : '';
      lines.push(...wrap(`${ruleWords(other)}: ${other.why}${same}.`, width, '  '));
    }
  } else if (!explanation.canary) {
    lines.push(...wrap(`No protect rule covers ${policyId} on ${targetId}.`, width));
  }
  if (explanation.canary) lines.push(...wrap(`The canary pair (canary in the rules): always protected in auto mode, whatever protect says.`, width));
  if (explanation.forbiddenBy !== undefined) {
    lines.push(...wrap(`Kept off by ${explanation.forbiddenBy.rule} ("${explanation.forbiddenBy.mode}").`, width));
    for (const text of quoted(explanation.forbiddenBy.description)) lines.push(...wrap(text, width, '  '));
  }
  const covered = decidedBy !== undefined || explanation.canary || explanation.forbiddenBy !== undefined;
  const namedText = (id: string, by: string[]) => (by.length === 0 ? `No rule names ${id}${covered ? ' itself' : ''}.` : covered ? undefined : `${id} is named by ${listOr(by)}, not for this pair.`);
  for (const text of [namedText(policyId, named.policy), namedText(targetId, named.target)]) if (text !== undefined) lines.push(...wrap(text, width));
  return lines;
}

/** The explanation for a terminal, fitted to `width` columns. */
export function formatExplanation(explanation: Explanation, width = 80): string {
  const { policyId, targetId, targetType } = explanation;
  const lines = [
    ...wrap(`${policyId} on ${TARGET_WORD[targetType]} ${targetId} (rules: ${explanation.rulesFile})`, width),
    ...wrap(`Assumed: ${explanation.assumes}.`, width),
    '',
    ...ruleLines(explanation, width),
    '',
    'For each kind of change:',
    ...explanation.changes.flatMap((change) => changeLines(change, width)),
    '',
    'Notes:',
    ...explanation.notes.flatMap((note) => wrap(`- ${note}`, width, '  ')),
  ];
  return `${lines.join('\n')}\n`;
}

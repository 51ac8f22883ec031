/**
 * A readable diff of two policy documents, statement by statement (POLICY_CHANGED notices):
 * statements are matched by Sid, else by position; each removed, added or changed statement is
 * one line, its Effect, Action, Resource and Condition in short form.
 */

type Statement = Record<string, unknown>;

function statementsOf(content: string): Statement[] | undefined {
  try {
    const document = JSON.parse(content) as { Statement?: unknown };
    const statements = document.Statement;
    if (statements === undefined) return [];
    return (Array.isArray(statements) ? statements : [statements]).filter((s): s is Statement => typeof s === 'object' && s !== null);
  } catch {
    return undefined;
  }
}

const list = (value: unknown): string => (Array.isArray(value) ? value.map(String).join(', ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

/** Action, NotAction, Resource, NotResource and Condition, as each statement names them. */
const FIELDS = ['Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal'] as const;

/** One statement in a line: `Deny organizations:LeaveOrganization on *, when {...}`. */
export function describeStatement(statement: Statement): string {
  const actions = statement.Action !== undefined ? list(statement.Action) : statement.NotAction !== undefined ? `every action but ${list(statement.NotAction)}` : 'no action';
  const resources = statement.Resource !== undefined ? list(statement.Resource) : statement.NotResource !== undefined ? `every resource but ${list(statement.NotResource)}` : '*';
  const condition = statement.Condition !== undefined ? `, when ${JSON.stringify(statement.Condition)}` : '';
  return `${String(statement.Effect ?? '?')} ${actions} on ${resources}${condition}`;
}

function keyed(statements: Statement[]): Map<string, Statement> {
  return new Map(statements.map((statement, index) => [typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : `#${index + 1}`, statement]));
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The lines that tell `before` from `after`: "removed X: …", "added Y: …", "changed Z: Effect
 * Deny → Allow". A document that is not JSON is told as such; no difference is an empty list.
 */
export function statementDiff(before: string, after: string): string[] {
  const old = statementsOf(before);
  const now = statementsOf(after);
  if (old === undefined || now === undefined) return [`the ${old === undefined ? 'last known' : 'new'} content is not a JSON policy document`];
  const oldByKey = keyed(old);
  const newByKey = keyed(now);
  const lines: string[] = [];
  for (const [key, statement] of oldByKey) if (!newByKey.has(key)) lines.push(`removed ${key}: ${describeStatement(statement)}`);
  for (const [key, statement] of newByKey) if (!oldByKey.has(key)) lines.push(`added ${key}: ${describeStatement(statement)}`);
  for (const [key, statement] of newByKey) {
    const earlier = oldByKey.get(key);
    if (earlier === undefined || same(earlier, statement)) continue;
    const changes = FIELDS.filter((field) => !same(earlier[field], statement[field])).map((field) => {
      const from = earlier[field] === undefined ? '(none)' : list(earlier[field]);
      const to = statement[field] === undefined ? '(none)' : list(statement[field]);
      return `${field} ${from} → ${to}`;
    });
    lines.push(`changed ${key}: ${changes.length > 0 ? changes.join('; ') : 'other fields'}`);
  }
  return lines;
}

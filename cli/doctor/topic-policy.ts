/**
 * Whether a topic's policy lets the stack's CloudWatch alarms publish to it: the one request
 * `cloudwatch.amazonaws.com sns:Publish <topic>` from an alarm of the topic's account and region,
 * over TLS. An explicit matching Deny wins; a statement whose conditions doctor cannot evaluate
 * makes the answer unknown rather than a pass.
 */

interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export type TopicPolicyVerdict =
  | { kind: 'allowed' }
  | { kind: 'denied'; statement: string }
  | { kind: 'not allowed' }
  | { kind: 'unknown'; statement: string; why: string };

type Match = { kind: 'match' } | { kind: 'no match' } | { kind: 'unknown'; why: string };
const MATCH: Match = { kind: 'match' };
const NO_MATCH: Match = { kind: 'no match' };

const ALARMS_PRINCIPAL = 'cloudwatch.amazonaws.com';
const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

/** An IAM wildcard pattern (`*`, `?`) against a value. */
function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '').test(value);
}

function principalMatches(principal: unknown): boolean {
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null) return false;
  const entries = principal as Record<string, unknown>;
  return list(entries.AWS).includes('*') || list(entries.Service).includes(ALARMS_PRINCIPAL);
}

/** The request's condition keys: any alarm of the topic's account and region (`*` stands for "every alarm"). */
function contextOf(topicArn: string): Record<string, string> {
  const [, partition, , region, account] = topicArn.split(':');
  return {
    'aws:sourceaccount': account,
    'aws:sourcearn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*`,
    'aws:securetransport': 'true',
  };
}

const OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
  stringequals: (pattern, value) => pattern === value,
  stringequalsignorecase: (pattern, value) => pattern.toLowerCase() === value.toLowerCase(),
  stringlike: (pattern, value) => globMatches(pattern, value),
  arnequals: (pattern, value) => pattern === value,
  arnlike: (pattern, value) => globMatches(pattern, value),
  bool: (pattern, value) => pattern.toLowerCase() === value,
};
const NEGATED: Record<string, string> = { stringnotequals: 'stringequals', stringnotequalsignorecase: 'stringequalsignorecase', stringnotlike: 'stringlike', arnnotequals: 'arnequals', arnnotlike: 'arnlike' };

function conditionsMatch(conditions: PolicyStatement['Condition'], context: Record<string, string>): Match {
  for (const [operatorName, keys] of Object.entries(conditions ?? {})) {
    const operator = operatorName.toLowerCase().replace(/ifexists$/, '');
    const positive = OPERATORS[operator] ?? OPERATORS[NEGATED[operator] ?? ''];
    if (positive === undefined) return { kind: 'unknown', why: `condition operator ${operatorName}` };
    for (const [key, patterns] of Object.entries(keys ?? {})) {
      const value = context[key.toLowerCase()];
      if (value === undefined) return { kind: 'unknown', why: `condition key ${key}` };
      const any = list(patterns).some((pattern) => positive(pattern, value));
      if (any === (operator in NEGATED)) return NO_MATCH;
    }
  }
  return MATCH;
}

function statementMatches(statement: PolicyStatement, topicArn: string): Match {
  if (statement.NotPrincipal !== undefined || statement.NotAction !== undefined || statement.NotResource !== undefined) return { kind: 'unknown', why: 'NotPrincipal, NotAction or NotResource' };
  if (!principalMatches(statement.Principal)) return NO_MATCH;
  if (!list(statement.Action).some((action) => globMatches(action, 'sns:Publish', true))) return NO_MATCH;
  if (!list(statement.Resource).some((resource) => globMatches(resource, topicArn))) return NO_MATCH;
  return conditionsMatch(statement.Condition, contextOf(topicArn));
}

export function alarmsMayPublish(policy: string | undefined, topicArn: string): TopicPolicyVerdict {
  let statements: PolicyStatement[];
  try {
    const parsed = JSON.parse(policy ?? '') as { Statement?: PolicyStatement | PolicyStatement[] };
    statements = Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement === undefined ? [] : [parsed.Statement];
  } catch {
    return { kind: 'not allowed' };
  }
  const judged = statements.map((statement, index) => ({ statement, name: statement.Sid ?? `Statement[${index}]`, match: statementMatches(statement, topicArn) }));
  const denies = judged.filter((entry) => entry.statement.Effect === 'Deny');
  const allows = judged.filter((entry) => entry.statement.Effect === 'Allow');
  const denied = denies.find((entry) => entry.match.kind === 'match');
  if (denied !== undefined) return { kind: 'denied', statement: denied.name };
  for (const entry of denies) if (entry.match.kind === 'unknown') return { kind: 'unknown', statement: entry.name, why: entry.match.why };
  if (allows.some((entry) => entry.match.kind === 'match')) return { kind: 'allowed' };
  for (const entry of allows) if (entry.match.kind === 'unknown') return { kind: 'unknown', statement: entry.name, why: entry.match.why };
  return { kind: 'not allowed' };
}

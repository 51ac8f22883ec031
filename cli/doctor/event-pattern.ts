import { WATCHED_EVENT_NAMES, type WatchedEventName } from '../../functions/shared/cloudtrail';
import { INTAKE_ENVELOPE } from '../../infra/intake-pattern';

/**
 * What a deployed intake rule's event pattern is: `canonicalPattern` puts it in one form (keys and
 * arrays sorted) so that doctor compares it with the pattern the stack builds; and, to say what a
 * difference means, the pattern is matched, as EventBridge matches it, against one event per
 * watched call (functions/shared/cloudtrail.ts, WATCHED_EVENT_NAMES, which the CDK's pattern is
 * built from) and kind of caller. Those sample events cannot prove a pattern complete (only the
 * comparison does); a pattern operator doctor does not know makes the answer unknown, not a pass.
 */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const ENVELOPE = { source: INTAKE_ENVELOPE.source, 'detail-type': INTAKE_ENVELOPE.detailType } as const;

/**
 * A pattern in one form: object keys sorted, and every array sorted by its elements' own form
 * (EventBridge ORs the values of an array and the branches of $or: their order means nothing).
 */
export function canonicalPattern(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalPattern).sort().join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalPattern(value[key])}`).join(',')}}`;
  return JSON.stringify(value);
}

class UnknownOperator extends Error {}

/** An operand that must be a string: anything else is a pattern doctor does not read. */
function text(operand: unknown, operator: string): string {
  if (typeof operand !== 'string') throw new UnknownOperator(`${operator} ${JSON.stringify(operand)}`);
  return operand;
}

/**
 * prefix and suffix take a string, or {"equals-ignore-case": string} (EventBridge's "begins with
 * (ignore case)" and "ends with (ignore case)").
 */
function affix(operand: unknown, operator: 'prefix' | 'suffix'): (value: string) => boolean {
  const ignoreCase = isObject(operand) && Object.keys(operand).length === 1 && 'equals-ignore-case' in operand;
  const wanted = ignoreCase ? text(operand['equals-ignore-case'], `${operator} equals-ignore-case`) : text(operand, operator);
  const fold = (value: string) => (ignoreCase ? value.toLowerCase() : value);
  return (value) => (operator === 'prefix' ? fold(value).startsWith(fold(wanted)) : fold(value).endsWith(fold(wanted)));
}

/** A field that holds an object (or objects): comparison operators work on leaves only, but for $or and anything-but. */
const isNode = (value: unknown) => isObject(value) || (Array.isArray(value) && value.some(isObject));

function matchesValue(matcher: unknown, value: unknown): boolean {
  if (!isObject(matcher)) return value !== undefined && !isObject(value) && (Array.isArray(value) ? value.includes(matcher) : value === matcher);
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  // What EventBridge does with `exists` (or any operator) on a field that is not a leaf is not documented: not known, not a guess.
  if (isNode(value) && operator !== 'anything-but') throw new UnknownOperator(`${operator} on a field that holds an object`);
  const leaf = typeof value === 'string' ? value : undefined;
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') throw new UnknownOperator(`exists ${JSON.stringify(operand)}`);
      return operand === (value !== undefined);
    case 'anything-but': {
      if (value === undefined || isNode(value)) return false;
      if (isObject(operand)) {
        const [inner, innerOperand] = Object.entries(operand)[0] ?? [];
        if (inner === 'prefix' || inner === 'suffix') return leaf !== undefined && !affix(innerOperand, inner)(leaf);
        if (inner === 'equals-ignore-case') {
          const values = (Array.isArray(innerOperand) ? innerOperand : [innerOperand]).map((item) => text(item, 'anything-but equals-ignore-case').toLowerCase());
          return leaf !== undefined && !values.includes(leaf.toLowerCase());
        }
        throw new UnknownOperator(`anything-but ${inner}`);
      }
      return !(Array.isArray(operand) ? operand : [operand]).includes(value);
    }
    case 'prefix':
    case 'suffix':
      return leaf !== undefined && affix(operand, operator)(leaf);
    case 'equals-ignore-case':
      return leaf !== undefined && leaf.toLowerCase() === text(operand, operator).toLowerCase();
    default:
      throw new UnknownOperator(String(operator));
  }
}

function matchesFields(pattern: Json, event: unknown): boolean {
  const object = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === '$or') return Array.isArray(expected) && expected.some((branch) => isObject(branch) && matchesFields(branch, event));
    if (Array.isArray(expected)) return expected.some((matcher) => matchesValue(matcher, object[key]));
    if (isObject(expected)) return matchesFields(expected, object[key]);
    throw new UnknownOperator(`${key}: ${JSON.stringify(expected)}`);
  });
}

/** One event the guard must receive: a call, and who made it. */
export interface Probe {
  eventName: WatchedEventName;
  caller: string;
  event: Json;
}

const roleSession = (account: string, path: string, role: string) => ({
  type: 'AssumedRole',
  arn: `arn:aws:sts::${account}:assumed-role/${role}/someone`,
  sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${account}:role/${path}${role}` } },
});

/**
 * An event per watched call and kind of caller: a role session, an IAM Identity Center session
 * (its role under aws-reserved/), an IAM user and the root user (no session issuer). AttachPolicy
 * only of a policy a forbid rule names (one event per policy), as the intake rule admits it; with
 * no forbid rule, no AttachPolicy is expected.
 */
export function probes(account: string, forbiddenPolicyIds: readonly string[]): Probe[] {
  const callers = [
    { caller: 'a role session', userIdentity: roleSession(account, '', 'Admin') },
    { caller: 'an Identity Center session', userIdentity: roleSession(account, 'aws-reserved/sso.amazonaws.com/', 'AWSReservedSSO_AdministratorAccess_0123456789abcdef') },
    { caller: 'an IAM user', userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/someone` } },
    { caller: 'the root user', userIdentity: { type: 'Root', arn: `arn:aws:iam::${account}:root` } },
  ];
  type Call = { eventName: WatchedEventName; requestParameters?: Json };
  const calls = WATCHED_EVENT_NAMES.flatMap((eventName): Call[] =>
    eventName === 'AttachPolicy' ? forbiddenPolicyIds.map((policyId) => ({ eventName, requestParameters: { policyId } })) : [{ eventName }],
  );
  return calls.flatMap((call) =>
    callers.map(({ caller, userIdentity }) => ({
      eventName: call.eventName,
      caller,
      event: { ...ENVELOPE, detail: { eventSource: 'organizations.amazonaws.com', eventName: call.eventName, userIdentity, ...(call.requestParameters === undefined ? {} : { requestParameters: call.requestParameters }) } },
    })),
  );
}

export type PatternVerdict = { kind: 'covers' } | { kind: 'misses'; eventNames: WatchedEventName[]; callers: string[] } | { kind: 'unknown'; why: string };

/** Whether `pattern` (the rule's EventPattern, as JSON text) admits every probe. */
export function patternCovers(pattern: string | undefined, wanted: readonly Probe[]): PatternVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(pattern ?? '');
  } catch {
    return { kind: 'unknown', why: 'the rule has no event pattern' };
  }
  if (!isObject(parsed)) return { kind: 'unknown', why: 'the event pattern is not an object' };
  const missed = new Set<WatchedEventName>();
  const callers = new Set<string>();
  try {
    for (const probe of wanted) {
      if (matchesFields(parsed, probe.event)) continue;
      missed.add(probe.eventName);
      callers.add(probe.caller);
    }
  } catch (error) {
    if (error instanceof UnknownOperator) return { kind: 'unknown', why: `operator ${error.message}` };
    throw error;
  }
  return missed.size === 0 ? { kind: 'covers' } : { kind: 'misses', eventNames: WATCHED_EVENT_NAMES.filter((name) => missed.has(name)), callers: wanted.map((probe) => probe.caller).filter((caller, index, all) => callers.has(caller) && all.indexOf(caller) === index) };
}

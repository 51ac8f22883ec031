import { describeError } from '../../functions/shared/errors';
import type { Check, checksOf } from './check';

/**
 * The IAM permissions `scp-guardian doctor` uses against AWS: read-only, each named where its
 * call is made, and listed in docs/cli.md ("doctor") from this table (test/unit/doctor/docs.test.ts keeps them equal,
 * and checks each command cli/doctor sends against the table).
 */
export const Permission = {
  DESCRIBE_ORGANIZATION: 'organizations:DescribeOrganization',
  LIST_ROOTS: 'organizations:ListRoots',
  DESCRIBE_POLICY: 'organizations:DescribePolicy',
  DESCRIBE_OU: 'organizations:DescribeOrganizationalUnit',
  DESCRIBE_ACCOUNT: 'organizations:DescribeAccount',
  LIST_TARGETS_FOR_POLICY: 'organizations:ListTargetsForPolicy',
  LIST_POLICIES_FOR_TARGET: 'organizations:ListPoliciesForTarget',
  LIST_CHILDREN: 'organizations:ListChildren',
  LIST_PARENTS: 'organizations:ListParents',
  DESCRIBE_TRAILS: 'cloudtrail:DescribeTrails',
  GET_TRAIL_STATUS: 'cloudtrail:GetTrailStatus',
  GET_EVENT_SELECTORS: 'cloudtrail:GetEventSelectors',
  LOOKUP_EVENTS: 'cloudtrail:LookupEvents',
  DESCRIBE_STACKS: 'cloudformation:DescribeStacks',
  LIST_STACK_RESOURCES: 'cloudformation:ListStackResources',
  GET_FUNCTION_CONFIGURATION: 'lambda:GetFunctionConfiguration',
  DESCRIBE_RULE: 'events:DescribeRule',
  LIST_TARGETS_BY_RULE: 'events:ListTargetsByRule',
  GET_SCHEDULE: 'scheduler:GetSchedule',
  DESCRIBE_ALARMS: 'cloudwatch:DescribeAlarms',
  DESCRIBE_STATE_MACHINE: 'states:DescribeStateMachine',
  GET_TOPIC_ATTRIBUTES: 'sns:GetTopicAttributes',
  DESCRIBE_SECRET: 'secretsmanager:DescribeSecret',
  QUERY_TABLE: 'dynamodb:Query',
  GET_ITEM: 'dynamodb:GetItem',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

/** What the dry-run sweep behind the desired-state checks reads with (functions/sweep/sweep.ts). */
export const SWEEP_PERMISSIONS: readonly Permission[] = [
  Permission.DESCRIBE_POLICY,
  Permission.LIST_TARGETS_FOR_POLICY,
  Permission.LIST_POLICIES_FOR_TARGET,
  Permission.LIST_ROOTS,
  Permission.LIST_CHILDREN,
  Permission.LIST_PARENTS,
  Permission.LOOKUP_EVENTS,
  Permission.QUERY_TABLE,
  Permission.GET_ITEM,
];

/** A call that failed, with the permission it needs: the check that made it reports both. */
export class FailedCall extends Error {
  constructor(readonly permission: Permission, readonly cause: unknown) {
    super(`${permission}: ${describeError(cause)}`, { cause });
    this.name = 'FailedCall';
  }

  /** The call's answer, or a FailedCall naming its permission. */
  static async of<T>(permission: Permission, call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      throw new FailedCall(permission, error);
    }
  }
}

/** The names AWS services give a call the caller may not make. */
const DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'AuthorizationErrorException', 'AuthorizationError', 'UnauthorizedOperation', 'UnauthorizedException']);
/** The credentials are missing, or AWS did not take them. */
const NO_CREDENTIALS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'TokenRefreshRequired',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH']);

export const isDenied = (error: unknown): boolean => DENIED.has((error as Error | undefined)?.name ?? '');
export const isCredentialsError = (error: unknown): boolean => NO_CREDENTIALS.has((error as Error | undefined)?.name ?? '');
export const errorName = (error: unknown): string => (error as Error | undefined)?.name ?? '';

/** The permission a denial names ("... is not authorized to perform: dynamodb:Query on resource ..."), when its message names one. */
export function permissionInMessage(error: unknown): string | undefined {
  return /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9*]+)/.exec((error as Error | undefined)?.message ?? '')?.[1];
}

function networkCode(error: unknown): string | undefined {
  const found = error as (NodeJS.ErrnoException & { cause?: unknown }) | undefined;
  if (found?.code !== undefined && NETWORK_CODES.has(found.code)) return found.code;
  const named = /\b(E[A-Z]+)\b/.exec(found?.message ?? '')?.[1];
  if (named !== undefined && NETWORK_CODES.has(named)) return named;
  return found?.cause === undefined ? undefined : networkCode(found.cause);
}

export const CREDENTIALS_FIX = 'set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or run aws sso login';

/** The first line of a message: every line doctor prints is one line. */
const firstLine = (text: string) => text.split('\n')[0].trim();

/**
 * A call that failed, as the check's line: a denial names the permission the caller lacks, a
 * credentials problem says how to give some, anything else keeps its own words.
 */
export function callFailed(check: ReturnType<typeof checksOf>, name: string, error: unknown, permission: string): Check {
  if (isDenied(error)) {
    const denied = permissionInMessage(error) ?? permission;
    return check.fail(name, `access denied: the caller lacks ${denied}`, `grant ${denied} (the read-only policy in docs/cli.md, "doctor")`);
  }
  if (isCredentialsError(error)) return check.fail(name, `no usable AWS credentials (${errorName(error)})`, CREDENTIALS_FIX);
  const code = networkCode(error);
  if (code !== undefined) return check.fail(name, `${permission.split(':')[0]} did not answer (${code})`, 'check the network and the endpoint, then run doctor again');
  return check.fail(name, `${permission} failed: ${firstLine(describeError(error))}`, 'run doctor again; if it keeps failing, the message says why');
}

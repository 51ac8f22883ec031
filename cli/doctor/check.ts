/**
 * One line of `scp-guardian doctor` (contract: docs/cli.md, "doctor"): a check's status, what it
 * found and, unless it passed, what to do about it.
 */

export const CheckStatus = {
  OK: 'ok',
  /** Worth fixing; the guard still guards. */
  WARN: 'warn',
  /** The guard does not guard (or cannot be known to): doctor exits 1. */
  FAIL: 'fail',
  /** The check has no counterpart where doctor looked (a local run has no CloudTrail); never a pass in disguise. */
  SKIP: 'skip',
} as const;
export type CheckStatus = (typeof CheckStatus)[keyof typeof CheckStatus];

/** The groups, in the order doctor prints them. */
export const CheckGroup = {
  ORGANIZATION: 'organization',
  CLOUDTRAIL: 'cloudtrail',
  RULES: 'rules',
  DESIRED_STATE: 'desired state',
  STACK: 'stack',
} as const;
export type CheckGroup = (typeof CheckGroup)[keyof typeof CheckGroup];

export interface Check {
  group: CheckGroup;
  /** What is checked, a few words ("SCPs enabled on the root"). */
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do: present unless the check passed. */
  fix?: string;
}

/** Builders that keep a check's group in one place. */
export function checksOf(group: CheckGroup) {
  return {
    ok: (name: string, detail: string): Check => ({ group, name, status: CheckStatus.OK, detail }),
    warn: (name: string, detail: string, fix: string): Check => ({ group, name, status: CheckStatus.WARN, detail, fix }),
    fail: (name: string, detail: string, fix: string): Check => ({ group, name, status: CheckStatus.FAIL, detail, fix }),
    skip: (name: string, detail: string, fix?: string): Check => ({ group, name, status: CheckStatus.SKIP, detail, ...(fix === undefined ? {} : { fix }) }),
  };
}

/** Nothing failed (warnings and skips allowed): doctor exits 0. */
export const passed = (checks: readonly Check[]): boolean => checks.every((check) => check.status !== CheckStatus.FAIL);

import { z } from 'zod';
import { Mode, OnTimeout, PolicyType, valuesOf } from '../functions/shared/vocabulary';
import { FULL_AWS_ACCESS, IdFormat, TARGET_ID_TEXT, targetKindOf } from '../functions/shared/rules/id-formats';
import type { ProtectionRules } from '../functions/shared/rules/protection-rules';

/**
 * The protection rules file (a contract: docs/contracts.md, "The protection rules file"), validated with zod. Unknown keys are
 * errors, so a typo cannot silently switch protection off. Every message says what was
 * expected; load.ts puts the field's path in front of it.
 */

const expected = (text: string) => ({ message: `expected ${text}` });

const policyId = z.string(expected(IdFormat.policy.text)).regex(IdFormat.policy.pattern, expected(IdFormat.policy.text));
const targetId = z.string(expected(TARGET_ID_TEXT)).refine((id) => targetKindOf(id) !== undefined, expected(TARGET_ID_TEXT));
const mode = z.enum(valuesOf(Mode), expected(`"${Mode.AUTO}" or "${Mode.APPROVAL}"`));
const description = z.string(expected('a string')).max(500, expected('at most 500 characters')).optional();

/** An array in which every item appears once: a repeated id is a sign of a copy-paste mistake. */
function distinct<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, expected(`a list of ${what}`)).superRefine((items, ctx) => {
    items.forEach((value, index) => {
      const first = items.indexOf(value);
      if (first !== index) ctx.addIssue({ code: 'custom', path: [index], message: `${JSON.stringify(value)} is listed twice (first at [${first}])`, input: value });
    });
  });
}

/**
 * "*" or a non-empty list of distinct ids. Written as a transform rather than a union so that an
 * error inside the list keeps its own path and message (`targets[1]: expected …`).
 */
function listOrWildcard<T extends z.ZodType<string>>(item: T, what: string) {
  const list = distinct(item, what).min(1, expected(`at least one ${what.replace(/s$/, '')}`));
  const wrong = `"*" or a list of ${what}`;
  return z.unknown().transform((value, ctx): '*' | z.output<T>[] => {
    if (value === '*') return '*';
    if (!Array.isArray(value)) {
      ctx.addIssue({ code: 'invalid_type', expected: 'array', message: `expected ${wrong}`, input: value });
      return z.NEVER;
    }
    const parsed = list.safeParse(value, { reportInput: true });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
      return z.NEVER;
    }
    return parsed.data;
  });
}

/** Keep policyId attached to each of `targets` (or to every target it is detached from, with "*"). */
const policyRuleSchema = z.strictObject({ policyId, targets: listOrWildcard(targetId, 'target ids'), mode, description });

/** Keep `policies` (or every policy of a protected type, with "*") attached to targetId. */
const targetRuleSchema = z.strictObject({ targetId, policies: listOrWildcard(policyId, 'policy ids'), mode, description });

const RULE_SHAPES = '{"policyId", "targets", "mode"} or {"targetId", "policies", "mode"}';

/** A rule is either kind; which one is told by the key it names, so errors speak of that kind. */
const protectRuleSchema = z.unknown().transform((value, ctx) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: `expected a rule: ${RULE_SHAPES}`, input: value });
    return z.NEVER;
  }
  const hasPolicy = Object.hasOwn(value, 'policyId');
  const hasTarget = Object.hasOwn(value, 'targetId');
  if (hasPolicy === hasTarget) {
    const problem = hasPolicy ? 'names both "policyId" and "targetId"' : 'names neither "policyId" nor "targetId"';
    ctx.addIssue({ code: 'custom', message: `a rule ${problem}: expected ${RULE_SHAPES}`, input: value });
    return z.NEVER;
  }
  const parsed = (hasTarget ? targetRuleSchema : policyRuleSchema).safeParse(value, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  }
  return parsed.data;
});

/**
 * The object shapes a schema that picks its shape itself (a transform) validates against: tools
 * that need the keys a place in the file takes (config check's "did you mean") read them here.
 */
export const alternativeShapes: ReadonlyMap<z.ZodType, readonly z.ZodObject[]> = new Map<z.ZodType, readonly z.ZodObject[]>([[protectRuleSchema, [policyRuleSchema, targetRuleSchema]]]);

/**
 * The session name of an assumed role (and the name of a federated user) is chosen by whoever
 * starts the session, so ignoring one would let any caller of that role pick its way past the
 * guard: only IAM roles, IAM users and the root user can be ignored.
 */
const CALLER_CHOSEN_SESSION = /^arn:[^:]+:sts::\d{12}:(assumed-role|federated-user)\//;

const principalArn = z
  .string(expected(IdFormat.principalArn.text))
  .refine((arn) => !arn.includes('*') && !arn.includes('?'), { message: 'wildcards are not allowed: principals are matched exactly', abort: true })
  .refine((arn) => !CALLER_CHOSEN_SESSION.test(arn), {
    message: 'a session ARN (sts::…:assumed-role/… or federated-user/…) names a session its caller chose: list the IAM role or user instead (arn:aws:iam::111122223333:role/OrgPipelineRole)',
    abort: true,
  })
  .refine((arn) => IdFormat.principalArn.pattern.test(arn), expected(IdFormat.principalArn.text));

/** Step Functions allows task timeouts of up to a year; a week is a generous approval window. */
export const MAX_APPROVAL_MINUTES = 7 * 24 * 60;

const minutes = expected(`a whole number of minutes from 1 to ${MAX_APPROVAL_MINUTES}`);

const approvalSchema = z.strictObject({
  timeoutMinutes: z.number(minutes).int(minutes).min(1, minutes).max(MAX_APPROVAL_MINUTES, minutes).default(15),
  onTimeout: z.enum(valuesOf(OnTimeout), expected(`"${OnTimeout.REATTACH}" or "${OnTimeout.KEEP_DETACHED}"`)).default(OnTimeout.REATTACH),
  approvers: distinct(z.string(expected('a Slack user id such as U0123ABCD')).regex(/^[UW][A-Z0-9]{2,}$/, expected('a Slack user id such as U0123ABCD')), 'Slack user ids').default([]),
});

const slackTeamText = 'a Slack workspace (team) id such as T0123ABCD, or an Enterprise Grid id such as E0123ABCD';
const slackAppText = 'a Slack app id such as A0123ABCD (Slack app > Basic Information > App ID)';

const notifySchema = z
  .strictObject({
    slackChannel: z.string(expected('a Slack channel id such as C0123ABCD')).regex(/^[CGD][A-Z0-9]{2,}$/, expected('a Slack channel id such as C0123ABCD')).optional(),
    /** The workspace whose users may decide: Slack user ids are only unique within one. */
    slackTeamId: z.string(expected(slackTeamText)).regex(/^[TE][A-Z0-9]{2,}$/, expected(slackTeamText)).optional(),
    /** The one Slack app whose interactions are accepted (the payload's api_app_id). */
    slackAppId: z.string(expected(slackAppText)).regex(/^A[A-Z0-9]{2,}$/, expected(slackAppText)).optional(),
    unprotected: z.boolean(expected('true or false')).default(false),
    /** A protected pair detached by an ignored principal is not undone, but is told at low priority. */
    ignored: z.boolean(expected('true or false')).default(true),
    emails: distinct(z.email(expected('an email address')), 'email addresses').default([]),
  })
  .superRefine((notify, ctx) => {
    // Decisions arrive from Slack only where a channel is set; then identity is (team, user) in one app.
    if (notify.slackChannel === undefined) return;
    if (notify.slackTeamId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['slackTeamId'], message: `expected ${slackTeamText}: required with slackChannel, since a Slack user id names a person only within one workspace`, input: undefined });
    }
    if (notify.slackAppId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['slackAppId'], message: `expected ${slackAppText}: required with slackChannel, so that only this app's buttons decide`, input: undefined });
    }
  });

const policyType = z.enum(valuesOf(PolicyType), expected(`one of ${Object.values(PolicyType).join(', ')}`));

/**
 * The daily canary (docs: "The canary"): a policy of a protected type on an OU that holds no
 * account, detached every day by the canary function and reattached by the guard. The pair is
 * always protected in auto mode, whatever `protect` says, so the canary never waits on a person.
 */
const canarySchema = z.strictObject(
  {
    policyId: policyId.refine((id) => id !== FULL_AWS_ACCESS, {
      message: `expected a policy of your own (an SCP made for the canary), not the AWS-managed ${FULL_AWS_ACCESS}`,
    }),
    targetId: z
      .string(expected(`${IdFormat.organizationalUnit.text}: the canary OU, which holds no account`))
      .regex(IdFormat.organizationalUnit.pattern, expected(`${IdFormat.organizationalUnit.text}: the canary OU, which holds no account (never a root or an account)`)),
  },
  expected('{"policyId", "targetId"}: the canary SCP and the empty OU it is detached from daily'),
);

/**
 * Keep `policyId` off each of `targets`: an AttachPolicy of it there is undone (FORBIDDEN_ATTACHED).
 * The case in point: FullAWSAccess on an OU that runs an allow-list SCP would undo the allow-list.
 */
const forbidRuleSchema = z.strictObject({
  policyId,
  targets: distinct(targetId, 'target ids').min(1, expected('at least one target id')),
  mode: mode.default(Mode.AUTO),
  description,
});

/** How a kind of change other than a detachment is remediated, when the rules do not say. */
const modeOnly = (fallback: Mode) => z.strictObject({ mode: mode.default(fallback) });
const policyContentSchema = z.strictObject({
  mode: mode.default(Mode.APPROVAL),
  /** UpdatePolicy back to the last known content: opt-in, since a content change is often a reviewed release. */
  restore: z.boolean(expected('true or false')).default(false),
});

/** An override keeps a protection off for a bounded time: a week at most (Step Functions and people's memory alike). */
export const MAX_OVERRIDE_HOURS = 7 * 24;
const hours = expected(`a whole number of hours from 1 to ${MAX_OVERRIDE_HOURS}`);
const overridesSchema = z
  .strictObject({
    defaultHours: z.number(hours).int(hours).min(1, hours).max(MAX_OVERRIDE_HOURS, hours).default(4),
    maxHours: z.number(hours).int(hours).min(1, hours).max(MAX_OVERRIDE_HOURS, hours).default(MAX_OVERRIDE_HOURS),
  })
  .superRefine((overrides, ctx) => {
    if (overrides.defaultHours > overrides.maxHours) {
      ctx.addIssue({ code: 'custom', path: ['defaultHours'], message: `expected at most maxHours (${overrides.maxHours})`, input: overrides.defaultHours });
    }
  });

/** EventBridge Scheduler's rate expressions go down to a minute; a day is the longest a missed change may wait. */
const sweepMinutes = expected('a whole number of minutes from 1 to 1440');
const sweepSchema = z.strictObject({
  everyMinutes: z.number(sweepMinutes).int(sweepMinutes).min(1, sweepMinutes).max(1440, sweepMinutes).default(15),
});

/**
 * How long a remediation keeps retrying transient errors before it ends FAILED and the sweep
 * takes over. Six hours at most: a Standard execution keeps at most 25,000 history events, and a
 * fully throttled round of retries writes about 130 (six hours of them stay under half of that).
 */
export const MAX_DEADLINE_MINUTES = 360;
const deadlineMinutes = expected(`a whole number of minutes from 5 to ${MAX_DEADLINE_MINUTES}`);
const requestsPerSecond = expected('a number of requests per second from 0.05 to 1000');
const rate = () => z.number(requestsPerSecond).min(0.05, requestsPerSecond).max(1000, requestsPerSecond);
/**
 * The admission in front of AttachPolicy (docs/performance.md): executions share one schedule of
 * time slots whose rate starts at `expectedRate`, grows while requests succeed, up to `maxRate`
 * (default four times the expected rate), and is cut on every throttle, never below `minRate`.
 * The guard is never told the API's real limit; the expected rate is only where it starts.
 */
export const DEFAULT_EXPECTED_ATTACH_RATE = 10;
const DEFAULT_ADMISSION = { enabled: true, expectedRate: DEFAULT_EXPECTED_ATTACH_RATE, minRate: 0.2 };
const admissionSchema = z
  .strictObject({
    enabled: z.boolean(expected('true or false')).default(DEFAULT_ADMISSION.enabled),
    expectedRate: rate().default(DEFAULT_ADMISSION.expectedRate),
    maxRate: rate().optional(),
    minRate: rate().default(DEFAULT_ADMISSION.minRate),
  })
  .refine((a) => a.minRate <= a.expectedRate && (a.maxRate === undefined || a.maxRate >= a.expectedRate), {
    message: 'expected minRate <= expectedRate <= maxRate',
  });
const remediationSchema = z.strictObject({
  deadlineMinutes: z.number(deadlineMinutes).int(deadlineMinutes).min(5, deadlineMinutes).max(MAX_DEADLINE_MINUTES, deadlineMinutes).default(60),
  admission: admissionSchema.default(DEFAULT_ADMISSION),
});

export const protectionRulesSchema = z.strictObject(
  {
    protect: z.array(protectRuleSchema, expected('a list of rules')),
    policyTypes: distinct(policyType, 'policy types').min(1, expected('at least one policy type')).default([PolicyType.SERVICE_CONTROL_POLICY]),
    ignorePrincipals: distinct(principalArn, 'principal ARNs').default([]),
    approval: approvalSchema.default({ timeoutMinutes: 15, onTimeout: OnTimeout.REATTACH, approvers: [] }),
    notify: notifySchema.default({ unprotected: false, ignored: true, emails: [] }),
    canary: canarySchema.optional(),
    forbid: z.array(forbidRuleSchema, expected('a list of forbid rules: {"policyId", "targets", "mode"}')).default([]),
    accountMoves: modeOnly(Mode.APPROVAL).default({ mode: Mode.APPROVAL }),
    policyContent: policyContentSchema.default({ mode: Mode.APPROVAL, restore: false }),
    policyTypeDisabled: modeOnly(Mode.AUTO).default({ mode: Mode.AUTO }),
    overrides: overridesSchema.default({ defaultHours: 4, maxHours: MAX_OVERRIDE_HOURS }),
    sweep: sweepSchema.default({ everyMinutes: 15 }),
    remediation: remediationSchema.default({ deadlineMinutes: 60, admission: DEFAULT_ADMISSION }),
  },
  expected('a JSON object with "protect"'),
);

/** Exactly the same type, in both directions (an extra optional key on either side fails too). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
/**
 * Compile-time proof that the schema produces the shape the functions read
 * (functions/shared/rules/protection-rules.ts): change one, and tsc asks for the other.
 */
export type SchemaMatchesProtectionRules = Assert<Same<z.output<typeof protectionRulesSchema>, ProtectionRules>>;

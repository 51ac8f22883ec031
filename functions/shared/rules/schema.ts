import { z } from 'zod';
import { Mode, OnTimeout, PolicyType, valuesOf } from '../vocabulary';
import { IdFormat, TARGET_ID_TEXT, targetKindOf } from './id-formats';

/**
 * The protection rules file (a contract: see DESIGN.md), validated with zod. Unknown keys are
 * errors, so a typo cannot silently switch protection off.
 */

const policyId = z.string().regex(IdFormat.policy.pattern, { message: `expected ${IdFormat.policy.text}` });
const targetId = z.string().refine((id) => targetKindOf(id) !== undefined, { message: `expected ${TARGET_ID_TEXT}` });
const wildcard = z.literal('*', { message: 'expected "*" or a list of ids' });
const mode = z.enum(valuesOf(Mode), { message: `expected "${Mode.AUTO}" or "${Mode.APPROVAL}"` });
const description = z.string().max(500).optional();

/** Keep policyId attached to each of `targets` (or to every target it is attached to, with "*"). */
const policyRuleSchema = z
  .object({
    policyId,
    targets: z.union([wildcard, z.array(targetId).min(1, { message: 'expected at least one target id' })]),
    mode,
    description,
  })
  .strict();

/** Keep `policies` (or every policy of a protected type, with "*") attached to targetId. */
const targetRuleSchema = z
  .object({
    targetId,
    policies: z.union([wildcard, z.array(policyId).min(1, { message: 'expected at least one policy id' })]),
    mode,
    description,
  })
  .strict();

const protectRuleSchema = z.unknown().transform((value, ctx) => {
  const isTargetRule = typeof value === 'object' && value !== null && 'targetId' in value && !('policyId' in value);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (!('policyId' in value) && !isTargetRule)) {
    ctx.addIssue({ code: 'custom', message: 'expected a rule with "policyId" and "targets", or "targetId" and "policies"' });
    return z.NEVER;
  }
  const parsed = (isTargetRule ? targetRuleSchema : policyRuleSchema).safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  }
  return parsed.data;
});

const principalArn = z
  .string()
  .refine((arn) => !arn.includes('*'), { message: 'wildcards are not allowed: principals are matched exactly' })
  .refine((arn) => IdFormat.principalArn.pattern.test(arn), { message: `expected ${IdFormat.principalArn.text}` });

/** Step Functions allows task timeouts of up to a year; a week is a generous approval window. */
export const MAX_APPROVAL_MINUTES = 7 * 24 * 60;

const approvalSchema = z
  .object({
    timeoutMinutes: z.number().int({ message: 'expected a whole number of minutes' }).min(1).max(MAX_APPROVAL_MINUTES).default(15),
    onTimeout: z
      .enum(valuesOf(OnTimeout), { message: `expected "${OnTimeout.REATTACH}" or "${OnTimeout.KEEP_DETACHED}"` })
      .default(OnTimeout.REATTACH),
    approvers: z
      .array(z.string().regex(/^[UW][A-Z0-9]{2,}$/, { message: 'expected a Slack user id such as U0123ABCD' }))
      .default([]),
  })
  .strict();

const notifySchema = z
  .object({
    slackChannel: z.string().regex(/^[CGD][A-Z0-9]{2,}$/, { message: 'expected a Slack channel id such as C0123ABCD' }).optional(),
    unprotected: z.boolean().default(false),
    emails: z.array(z.email({ message: 'expected an email address' })).default([]),
  })
  .strict();

export const protectionRulesSchema = z
  .object({
    protect: z.array(protectRuleSchema),
    policyTypes: z
      .array(z.enum(valuesOf(PolicyType), { message: `expected one of ${Object.values(PolicyType).join(', ')}` }))
      .min(1, { message: 'expected at least one policy type' })
      .default([PolicyType.SERVICE_CONTROL_POLICY]),
    ignorePrincipals: z.array(principalArn).default([]),
    approval: approvalSchema.default({ timeoutMinutes: 15, onTimeout: OnTimeout.REATTACH, approvers: [] }),
    notify: notifySchema.default({ unprotected: false, emails: [] }),
  })
  .strict();

export type ProtectionRules = z.output<typeof protectionRulesSchema>;
export type PolicyRule = z.output<typeof policyRuleSchema>;
export type TargetRule = z.output<typeof targetRuleSchema>;
export type ProtectRule = PolicyRule | TargetRule;

export const isTargetRule = (rule: ProtectRule): rule is TargetRule => 'targetId' in rule;

import type { Mode, OnTimeout, PolicyType } from '../vocabulary';

/**
 * The protection rules as the functions read them: validated and given their defaults at synth
 * time by the zod schema in config/schema.ts, which is checked at compile time to produce exactly
 * this shape. Plain types here keep the schema library out of every Lambda bundle.
 */

/** Keep policyId attached to each of `targets` (or to every target it is detached from, with "*"). */
export interface PolicyRule {
  policyId: string;
  targets: '*' | string[];
  mode: Mode;
  description?: string;
}

/** Keep `policies` (or every policy of a protected type, with "*") attached to targetId. */
export interface TargetRule {
  targetId: string;
  policies: '*' | string[];
  mode: Mode;
  description?: string;
}

export type ProtectRule = PolicyRule | TargetRule;

/** The daily canary: a policy of a protected type and the empty OU it is detached from. */
export interface CanaryRule {
  policyId: string;
  targetId: string;
}

/** Keep `policyId` off each of `targets` (FORBIDDEN_ATTACHED). */
export interface ForbidRule {
  policyId: string;
  targets: string[];
  mode: Mode;
  description?: string;
}

export interface ProtectionRules {
  protect: ProtectRule[];
  policyTypes: PolicyType[];
  ignorePrincipals: string[];
  approval: { timeoutMinutes: number; onTimeout: OnTimeout; approvers: string[] };
  notify: { slackChannel?: string; slackTeamId?: string; slackAppId?: string; unprotected: boolean; ignored: boolean; emails: string[] };
  canary?: CanaryRule;
  forbid: ForbidRule[];
  accountMoves: { mode: Mode };
  policyContent: { mode: Mode; restore: boolean };
  policyTypeDisabled: { mode: Mode };
  overrides: { defaultHours: number; maxHours: number };
  sweep: { everyMinutes: number };
  remediation: { deadlineMinutes: number; admission: { enabled: boolean; expectedRate: number; maxRate?: number; minRate: number } };
}

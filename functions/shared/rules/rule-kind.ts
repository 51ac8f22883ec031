import type { ProtectRule, TargetRule } from './protection-rules';

/**
 * Whether a rule is a target rule (`targetId` + `policies`) rather than a policy rule. Kept out
 * of schema.ts so that the handlers, which read rules already validated at synth time, do not
 * bundle the schema library.
 */
export const isTargetRule = (rule: ProtectRule): rule is TargetRule => 'targetId' in rule;

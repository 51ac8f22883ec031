import { Stack } from 'aws-cdk-lib';
import type { PolicyRule, ProtectionRules } from '../functions/shared/rules/protection-rules';
import { isTargetRule } from '../functions/shared/rules/rule-kind';
import { targetKindOf } from '../functions/shared/rules/id-formats';

/** AWS-managed policies, by the only type each is of: their ARNs have the account `aws` and no organization id. */
const AWS_MANAGED: Readonly<Record<string, string>> = { 'p-FullAWSAccess': 'SERVICE_CONTROL_POLICY', 'p-RCPFullAWSAccess': 'RESOURCE_CONTROL_POLICY' };

/** Organizations ARNs; the management account and organization ids are unknown at synth time. */
function arns(stack: Stack) {
  const prefix = `arn:${stack.partition}:organizations::`;
  return {
    policy: (type: string, id: string) => (AWS_MANAGED[id] !== undefined ? `${prefix}aws:policy/${type.toLowerCase()}/${id}` : `${prefix}*:policy/o-*/${type.toLowerCase()}/${id}`),
    anyPolicy: (type: string) => [`${prefix}*:policy/o-*/${type.toLowerCase()}/p-*`, `${prefix}aws:policy/${type.toLowerCase()}/p-*`],
    target: (id: string) => {
      switch (targetKindOf(id)) {
        case 'ROOT':
          return `${prefix}*:root/o-*/${id}`;
        case 'ORGANIZATIONAL_UNIT':
          return `${prefix}*:ou/o-*/${id}`;
        default:
          return `${prefix}*:account/o-*/${id}`;
      }
    },
    anyTarget: () => [`${prefix}*:root/o-*/r-*`, `${prefix}*:ou/o-*/ou-*`, `${prefix}*:account/o-*/*`],
  };
}

/** What AttachPolicy may touch, and why each wildcard is there. */
export interface AttachScope {
  /** Policy ARNs: the policies the rules name, or every policy of a protected type where a `"policies": "*"` rule needs it. */
  policies: string[];
  /** Target ARNs: the targets the rules name, or every root, OU and account where a `"targets": "*"` rule needs it. */
  targets: string[];
  /** The rules that made a side a wildcard, for the cdk-nag acknowledgement. */
  wildcards: { policies?: string; targets?: string };
}

/**
 * AttachPolicy's resources, as narrow as the rules allow (contract: docs, "Writes to the
 * organization"). IAM checks the policy and the target of the call each against the statement's
 * resources, so the two sides narrow separately: a named policy can still be attached to any
 * named target, which the workflow never does, since it only puts back a desired pair.
 */
export function attachScope(stack: Stack, rules: ProtectionRules): AttachScope {
  const arn = arns(stack);
  const policyRules = rules.protect.filter((rule): rule is PolicyRule => !isTargetRule(rule));
  const targetRules = rules.protect.filter(isTargetRule);
  const everyPolicy = targetRules.find((rule) => rule.policies === '*');
  const everyTarget = policyRules.find((rule) => rule.targets === '*');
  const wildcards: AttachScope['wildcards'] = {};

  let policies: string[];
  if (everyPolicy !== undefined) {
    policies = rules.policyTypes.flatMap((type) => arn.anyPolicy(type));
    wildcards.policies = `protect[${rules.protect.indexOf(everyPolicy)}] keeps every policy on ${everyPolicy.targetId}`;
  } else {
    const named = new Set<string>([
      ...policyRules.map((rule) => rule.policyId),
      ...targetRules.flatMap((rule) => (rule.policies === '*' ? [] : rule.policies)),
      ...(rules.canary === undefined ? [] : [rules.canary.policyId]),
    ]);
    policies = [...named].flatMap((id) => rules.policyTypes.filter((type) => AWS_MANAGED[id] === undefined || AWS_MANAGED[id] === type).map((type) => arn.policy(type, id)));
  }

  let targets: string[];
  if (everyTarget !== undefined) {
    targets = arn.anyTarget();
    wildcards.targets = `protect[${rules.protect.indexOf(everyTarget)}] keeps ${everyTarget.policyId} on every target`;
  } else {
    const named = new Set<string>([
      ...policyRules.flatMap((rule) => (rule.targets === '*' ? [] : rule.targets)),
      ...targetRules.map((rule) => rule.targetId),
      ...(rules.canary === undefined ? [] : [rules.canary.targetId]),
    ]);
    targets = [...named].map((id) => arn.target(id));
  }
  return { policies: [...new Set(policies)], targets: [...new Set(targets)], wildcards };
}

/**
 * Why a resource of the scope is a wildcard, for its cdk-nag acknowledgement: " Every policy of a
 * protected type: <rule>." or " Every target: <rule>.", or '' for a named policy or target.
 */
export function attachWildcardReason(scope: AttachScope, resource: string): string {
  if (resource.endsWith('/p-*') && scope.wildcards.policies !== undefined) return ` Every policy of a protected type: ${scope.wildcards.policies}.`;
  if (/(\/r-\*|\/ou-\*|account\/o-\*\/\*)$/.test(resource) && scope.wildcards.targets !== undefined) return ` Every target: ${scope.wildcards.targets}.`;
  return '';
}

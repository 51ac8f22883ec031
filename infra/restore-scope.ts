import type { Stack } from 'aws-cdk-lib';
import { DesiredPartition } from '../functions/shared/audit/table-schema';
import { targetKindOf } from '../functions/shared/rules/id-formats';
import { isTargetRule } from '../functions/shared/rules/rule-kind';
import type { PolicyRule, ProtectionRules } from '../functions/shared/rules/protection-rules';
import { PolicyType } from '../functions/shared/vocabulary';
import { attachScope } from './attach-scope';

/** The AWS-managed SCP enabling SCPs attaches everywhere; its ARN has the account `aws` and no organization id. */
const FULL_AWS_ACCESS = 'p-FullAWSAccess';
const AWS_MANAGED = new Set([FULL_AWS_ACCESS, 'p-RCPFullAWSAccess']);

/** The desired-state partitions (`DESIRED#...`): never an incident, a timeline or a pending decision. */
const DESIRED_PARTITIONS = `${DesiredPartition.POLICIES.split('#')[0]}#*`;

/** One statement of the restore role, and why its resources are what they are (for cdk-nag and reviewers). */
export interface RestoreGrant {
  /** Set where the statement must stay apart: the CDK merges statements without one (minimizePolicies), which would pair one rule's policy with another's targets. */
  readonly sid?: string;
  /** Allow unless said otherwise. */
  readonly effect?: 'Deny';
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
  readonly why: string;
}

/**
 * The restore role (contract: docs, "Writes to the organization"): each write on the resources
 * the rules make it restore, as IAM's resource types for the call allow (the service
 * authorization reference: EnablePolicyType takes a root; MoveAccount an account, with the
 * source and destination root or OU; UpdatePolicy a policy; DetachPolicy and AttachPolicy a
 * policy and the target root, OU or account). IAM checks every resource of a call against one
 * statement's list, so a DetachPolicy statement per forbid rule keeps each forbidden policy to
 * its own targets. Reads: ListRoots, ListParents, DescribePolicy; on the table only GetItem and
 * Query of the desired state.
 */
export function restoreGrants(stack: Stack, rules: ProtectionRules, tableArn: string): RestoreGrant[] {
  const prefix = `arn:${stack.partition}:organizations::`;
  const types = rules.policyTypes.map((type) => type.toLowerCase());
  const scp = rules.policyTypes.includes(PolicyType.SERVICE_CONTROL_POLICY);
  const policyArns = (id: string) =>
    id === FULL_AWS_ACCESS
      ? scp
        ? [`${prefix}aws:policy/service_control_policy/${id}`]
        : []
      : AWS_MANAGED.has(id)
        ? types.filter((type) => type === 'resource_control_policy').map((type) => `${prefix}aws:policy/${type}/${id}`)
        : types.map((type) => `${prefix}*:policy/o-*/${type}/${id}`);
  const targetArn = (id: string) => {
    const kind = targetKindOf(id);
    return `${prefix}*:${kind === 'ROOT' ? 'root' : kind === 'ORGANIZATIONAL_UNIT' ? 'ou' : 'account'}/o-*/${id}`;
  };
  const anyRoot = `${prefix}*:root/o-*/r-*`;
  const anyOu = `${prefix}*:ou/o-*/ou-*`;
  const anyAccount = `${prefix}*:account/o-*/*`;

  const policyRules = rules.protect.filter((rule): rule is PolicyRule => !isTargetRule(rule));
  const targetRules = rules.protect.filter(isTargetRule);
  const everyPolicy = targetRules.some((rule) => rule.policies === '*');
  const namedPolicies = [...new Set([...policyRules.map((rule) => rule.policyId), ...targetRules.flatMap((rule) => (rule.policies === '*' ? [] : rule.policies)), ...(rules.canary ? [rules.canary.policyId] : [])])].sort();
  const namedTargets = [...new Set([...policyRules.flatMap((rule) => (rule.targets === '*' ? [] : rule.targets)), ...targetRules.map((rule) => rule.targetId)])].sort();

  const grants: RestoreGrant[] = [
    {
      actions: ['organizations:EnablePolicyType'],
      resources: [anyRoot],
      conditions: { StringEquals: { 'organizations:PolicyType': [...rules.policyTypes].sort() } },
      why: 'EnablePolicyType takes the root alone, whose id (and organization id) is unknown at synth time; only the protected policy types',
    },
  ];

  const attach = attachScope(stack, rules);
  if (attach.policies.length > 0 && attach.targets.length > 0) {
    grants.push({ actions: ['organizations:AttachPolicy'], resources: [...attach.policies, ...attach.targets], why: 'the desired pairs of a re-enabled type: scoped as the reattach function is (infra/attach-scope.ts)' });
  }

  rules.forbid.forEach((rule, index) => {
    const policies = policyArns(rule.policyId);
    if (policies.length === 0) return;
    grants.push({ sid: `DetachForbidden${index}`, actions: ['organizations:DetachPolicy'], resources: [...policies, ...rule.targets.map(targetArn)], why: `forbid[${index}]: ${rule.policyId} off its own targets` });
  });
  if (scp && namedTargets.length > 0) {
    grants.push({
      sid: 'DetachFullAwsAccessFromProtectTargets',
      actions: ['organizations:DetachPolicy'],
      resources: [...policyArns(FULL_AWS_ACCESS), ...namedTargets.map(targetArn)],
      why: 'after a re-enable of SCPs: FullAWSAccess off the explicitly named protect targets it was not attached to',
    });
  }

  // IAM authorizes a DetachPolicy's policy and its target each on their own, against every
  // statement: one rule's forbidden policy with another statement's targets is allowed too, so the
  // statements above bound the policies and the targets, not the pairs (the code pairs them). What
  // must never happen, a protected policy taken off by the guard, is denied outright.
  const forbidden = new Set(rules.forbid.map((rule) => rule.policyId));
  const neverDetached = namedPolicies.filter((id) => !forbidden.has(id) && id !== FULL_AWS_ACCESS).flatMap(policyArns);
  if (neverDetached.length > 0 && grants.some((grant) => grant.actions.includes('organizations:DetachPolicy'))) {
    grants.push({ sid: 'NeverDetachProtectedPolicies', effect: 'Deny', actions: ['organizations:DetachPolicy'], resources: neverDetached, why: 'the policies the rules protect: the guard never takes one off' });
  }

  // An account inherits a protection from a protected OU or root; its id, and the parent it was moved to, are unknown at synth time.
  const coversContainers = policyRules.some((rule) => rule.targets === '*' || rule.targets.some((id) => targetKindOf(id) !== 'ACCOUNT')) || targetRules.some((rule) => targetKindOf(rule.targetId) !== 'ACCOUNT');
  if (coversContainers) {
    grants.push(
      {
        actions: ['organizations:MoveAccount'],
        resources: [anyAccount, anyOu, anyRoot],
        why: 'MoveAccount authorises the account and both parents against one list: the accounts below protected OUs and the parent an account was moved to are known only at run time',
      },
      { actions: ['organizations:ListParents'], resources: [anyAccount], why: 'the current parent of a moved account, which MoveAccount must name as its source' },
    );
  }

  if (rules.policyContent.restore) {
    const updatable = everyPolicy ? types.map((type) => `${prefix}*:policy/o-*/${type}/p-*`) : namedPolicies.filter((id) => !AWS_MANAGED.has(id)).flatMap(policyArns);
    if (updatable.length > 0) grants.push({ actions: ['organizations:UpdatePolicy'], resources: updatable, why: everyPolicy ? 'a "policies": "*" rule protects every customer-managed policy of a protected type' : 'the protected policies (policyContent.restore is true)' });
  }

  const describable = everyPolicy
    ? types.flatMap((type) => [`${prefix}*:policy/o-*/${type}/p-*`, `${prefix}aws:policy/${type}/p-*`])
    : [...new Set([...namedPolicies, ...(scp ? [FULL_AWS_ACCESS] : [])])].flatMap(policyArns);
  grants.push(
    { actions: ['organizations:DescribePolicy'], resources: describable, why: everyPolicy ? 'a "policies": "*" rule protects whichever policy of a protected type is attached: its type and content may need reading' : 'the protected policies and FullAWSAccess: their type and current content' },
    { actions: ['organizations:ListRoots'], resources: ['*'], why: 'ListRoots supports no resource-level permissions (it has no resource type)' },
    {
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [DESIRED_PARTITIONS] } },
      why: 'reads of the desired state only, in its own partitions (DESIRED#): never an incident or a pending decision',
    },
  );
  return grants;
}

import type { Stack } from 'aws-cdk-lib';
import { AuditTable, DesiredPartition, incidentKey } from '../../functions/shared/audit/table-schema';
import { targetKindOf } from '../../functions/shared/rules/id-formats';
import { isTargetRule } from '../../functions/shared/rules/rule-kind';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';

/** The AWS-managed policy: its ARN has the account `aws` and no organization id. */
const FULL_AWS_ACCESS = 'p-FullAWSAccess';

/** The table's partitions the sweep reads: incidents (`INCIDENT#<id>`) and the desired state (`DESIRED#...`). */
const INCIDENT_PARTITIONS = `${incidentKey('').pk}*`;
const DESIRED_PARTITIONS = `${DesiredPartition.POLICIES.split('#')[0]}#*`;

/** One statement of the sweep role, and why its resources are what they are (for cdk-nag). */
export interface SweepGrant {
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
  readonly why: string;
}

/**
 * The sweep role (contract: docs, "The sweep"): read-only on Organizations, each call on the
 * resources the rules make it read; LookupEvents; StartExecution on the workflow alone; and on the
 * table only reads, plus appends of desired-state items (no Scan, no DeleteItem, no UpdateItem).
 */
export function sweepGrants(stack: Stack, rules: ProtectionRules, tableArn: string, stateMachineArn: string): SweepGrant[] {
  const prefix = `arn:${stack.partition}:organizations::`;
  const types = rules.policyTypes.map((type) => type.toLowerCase());
  const policyArns = (id: string) =>
    id === FULL_AWS_ACCESS ? types.filter((type) => type === 'service_control_policy').map((type) => `${prefix}aws:policy/${type}/${id}`) : types.map((type) => `${prefix}*:policy/o-*/${type}/${id}`);
  const targetArn = (id: string) => {
    const kind = targetKindOf(id);
    return `${prefix}*:${kind === 'ROOT' ? 'root' : kind === 'ORGANIZATIONAL_UNIT' ? 'ou' : 'account'}/o-*/${id}`;
  };

  const named = new Set<string>();
  const wildcardTargets = new Set<string>();
  for (const rule of rules.protect) {
    if (!isTargetRule(rule)) named.add(rule.policyId);
    else if (rule.policies === '*') wildcardTargets.add(rule.targetId);
    else rule.policies.forEach((id) => named.add(id));
  }
  if (rules.canary !== undefined) named.add(rules.canary.policyId);
  const namedArns = [...named].sort().flatMap(policyArns);
  const anyPolicy = types.flatMap((type) => [`${prefix}*:policy/o-*/${type}/p-*`, `${prefix}aws:policy/${type}/p-*`]);

  const grants: SweepGrant[] = [
    { actions: ['organizations:ListRoots'], resources: ['*'], why: 'ListRoots supports no resource-level permissions (it has no resource type)' },
    {
      actions: ['organizations:DescribePolicy'],
      resources: wildcardTargets.size > 0 ? anyPolicy : namedArns,
      why: wildcardTargets.size > 0 ? 'a "policies": "*" rule protects whichever policy of a protected type is attached to its target, so any policy of those types may need its content read' : 'the policies the rules name',
    },
  ];
  // FullAWSAccess's targets: the root's desired-state entry keeps where it was not attached, for the restoration of a disabled type.
  const fullAccessArns = types.includes('service_control_policy') && !named.has(FULL_AWS_ACCESS) ? policyArns(FULL_AWS_ACCESS) : [];
  const listedArns = [...namedArns, ...fullAccessArns];
  if (listedArns.length > 0) {
    grants.push({
      actions: ['organizations:ListTargetsForPolicy'],
      resources: listedArns,
      why: fullAccessArns.length > 0 ? 'the policies the rules name, and FullAWSAccess (where it is not attached is part of the desired state)' : 'the policies the rules name',
    });
  }
  const forbidTargets = new Set(rules.forbid.flatMap((rule) => rule.targets));
  const listTargets = [...new Set([...wildcardTargets, ...forbidTargets])].sort();
  if (listTargets.length > 0) {
    grants.push({
      actions: ['organizations:ListPoliciesForTarget'],
      resources: listTargets.map(targetArn),
      why: forbidTargets.size > 0 ? 'the targets of the "policies": "*" rules and of the forbid rules' : 'the targets of the "policies": "*" rules',
    });
  }
  grants.push(
    {
      actions: ['organizations:ListChildren'],
      resources: [`${prefix}*:root/o-*/r-*`, `${prefix}*:ou/o-*/ou-*`],
      why: 'the parents of accounts under protected attachments are read by walking the OUs below each protected root or OU, whose ids are unknown at synth time',
    },
    {
      actions: ['organizations:ListParents'],
      resources: [`${prefix}*:account/o-*/*`],
      why: 'the parent of an account that left the walked OUs (a move out from under a protected attachment), whose id is unknown at synth time',
    },
    { actions: ['cloudtrail:LookupEvents'], resources: ['*'], why: 'LookupEvents supports no resource-level permissions' },
    { actions: ['states:StartExecution'], resources: [stateMachineArn], why: 'the remediation workflow alone' },
    {
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [INCIDENT_PARTITIONS, DESIRED_PARTITIONS] } },
      why: 'incidents by id and the desired state, in their own partitions: never a pending decision (DECISION#, with its task token)',
    },
    {
      actions: ['dynamodb:Query'],
      resources: [`${tableArn}/index/${AuditTable.indexes.byTarget.name}`],
      why: 'the incidents of one pair on the byTarget index, whose partition key is a target id (the index holds incident items alone)',
    },
    {
      actions: ['dynamodb:Query'],
      resources: [`${tableArn}/index/${AuditTable.indexes.byPolicy.name}`],
      why: 'the incidents of one protected policy (its content changed, or it was deleted) on the byPolicy index (incident items alone)',
    },
    {
      actions: ['dynamodb:PutItem'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [DESIRED_PARTITIONS] } },
      why: 'appends to the desired state only (its partitions start DESIRED#): never an incident, a timeline or a decision',
    },
  );
  return grants;
}

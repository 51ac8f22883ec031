import { existsSync } from 'node:fs';
import path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ProtectionRules } from '../../functions/shared/rules/protection-rules';
import { ADMISSION_PK_PREFIX } from '../../functions/shared/audit/table-schema';
import { PolicyType } from '../../functions/shared/vocabulary';
import { FUNCTION_TIMEOUT_SECONDS, WORKFLOW_FUNCTIONS } from '../../functions/shared/workflow-functions';
import { attachScope, attachWildcardReason } from '../attach-scope';
import { restoreGrants } from '../restore-scope';
import { functionLogGroup, lambdaDefaults } from './lambda-defaults';

/** One Lambda function per folder under functions/, each with `handler.ts` exporting `handler`: the workflow's and Slack's. */
export const HANDLER_NAMES = [...Object.values(WORKFLOW_FUNCTIONS), 'slack-interactions', 'slack-relay'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

/** What each function is for, and whether it uses the table (T) and the topic (P); timeouts are FUNCTION_TIMEOUT_SECONDS. */
const SPECS: Record<HandlerName, [description: string, uses: '' | 'T' | 'TP' | 'A']> = {
  // A: an auto incident's admission ticket is taken in classify (the workflow's first AttachPolicy is Step Functions' own).
  classify: ['Classifies an event (read-only Organizations calls) and takes an auto reattachment\'s admission ticket', 'A'],
  claim: ['Claims an incident once per CloudTrail eventID', 'T'],
  // A: the admission items alone (ADMISSION#...), read and updated in place.
  admit: ['Hands out AttachPolicy time slots from the shared admission schedule', 'A'],
  'request-decision': ['Stores the task token and asks approvers in Slack', 'TP'],
  reattach: ['Reattaches the detached policy and confirms it (AttachPolicy, ListPoliciesForTarget)', 'T'],
  // Reads the desired state only (its grants are infra/restore-scope.ts): no TABLE_ACTIONS.
  restore: ['Restores a disabled policy type, a moved account, changed content or a forbidden attachment', ''],
  close: ['Records the outcome of an incident', 'T'],
  notify: ['Notifies SNS subscribers and Slack', 'TP'],
  'slack-interactions': ['Verifies signed Slack interactions and sends the decision', 'T'],
  'slack-relay': ["Posts and updates the workflow's Slack messages for notify and request-decision", ''],
};

/** Item-level reads and writes on the base table only: no Scan, no DeleteItem, no index access. */
const TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/**
 * Organizations ARNs embed the management account id and the organization id (`o-...`), neither
 * known at synth time (the stack reads neither from the organization at synth), so both are
 * wildcards; the resource type and, for policies, the policy type are pinned.
 */
export function organizationsArns(stack: Stack, policyTypes: readonly string[]) {
  const prefix = `arn:${stack.partition}:organizations::`;
  const types = policyTypes.map((type) => type.toLowerCase());
  return {
    policies: types.flatMap((type) => [`${prefix}*:policy/o-*/${type}/p-*`, `${prefix}aws:policy/${type}/p-*`]),
    roots: [`${prefix}*:root/o-*/r-*`],
    ous: [`${prefix}*:ou/o-*/ou-*`],
    accounts: [`${prefix}*:account/o-*/*`],
  };
}

export interface HandlersProps {
  /** The validated protection rules compiled into every bundle. */
  readonly rules: ProtectionRules;
  /** The audit trail and pending-decision table. */
  readonly table: ITable;
  /** The notification topic. */
  readonly topic: ITopic;
  /**
   * The folder holding `functions/<name>/handler.ts`.
   * @default the project root (the folder above infra/)
   */
  readonly projectRoot?: string;
  /**
   * Retention of each function's log group.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
}

/** The stack's Lambda functions, each with its own role holding only what it calls. */
export class Handlers extends Construct {
  public readonly functions: Readonly<Record<HandlerName, NodejsFunction>>;
  /** The restore function's role: the intake rule leaves its own calls (MoveAccount, DetachPolicy, UpdatePolicy) alone. */
  public readonly restoreRole: IRole;

  constructor(scope: Construct, id: string, props: HandlersProps) {
    const projectRoot = props.projectRoot ?? path.resolve(__dirname, '..', '..');
    const missing = HANDLER_NAMES.map((name) => path.join('functions', name, 'handler.ts')).filter((entry) => !existsSync(path.join(projectRoot, entry)));
    if (missing.length > 0) throw new Error(`Handlers: no handler file at ${missing.join(', ')} (under ${projectRoot})`);
    super(scope, id);

    const defaults = lambdaDefaults(props.rules);
    const build = (name: HandlerName): NodejsFunction => {
      const [description, uses] = SPECS[name];
      const timeoutSeconds = FUNCTION_TIMEOUT_SECONDS[name];
      const pascal = name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
      // An own role without AWSLambdaBasicExecutionRole: logs go to this function's group only.
      const role = new Role(this, `${pascal}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: `scp-guardian ${name}` });
      const logGroup = functionLogGroup(this, `${pascal}Logs`, props.logRetention);
      logGroup.grantWrite(role);
      const fn = new NodejsFunction(this, pascal, {
        ...defaults,
        entry: path.join(projectRoot, 'functions', name, 'handler.ts'),
        description: `scp-guardian: ${description}`,
        timeout: Duration.seconds(timeoutSeconds),
        role,
        logGroup,
        environment: {
          ...defaults.environment,
          TABLE_NAME: props.table.tableName,
          ...(uses === 'TP' ? { TOPIC_ARN: props.topic.topicArn } : {}),
        },
      });
      if (uses.includes('T')) role.addToPrincipalPolicy(new PolicyStatement({ actions: TABLE_ACTIONS, resources: [props.table.tableArn] }));
      if (uses === 'A') {
        role.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
            resources: [props.table.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ADMISSION_PK_PREFIX}*`] } },
          }),
        );
      }
      if (uses === 'TP') props.topic.grantPublish(fn);
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'Active X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions.',
      });
      return fn;
    };
    const functions = Object.fromEntries(HANDLER_NAMES.map((name) => [name, build(name)])) as Record<HandlerName, NodejsFunction>;
    this.functions = functions;

    const arns = organizationsArns(Stack.of(this), props.rules.policyTypes);
    // Classify must learn the type of any detached policy to call it NOT_SCP, so it may read
    // every type; only the protected types may be attached.
    const anyPolicy = organizationsArns(Stack.of(this), Object.values(PolicyType)).policies;
    const grants: [NodejsFunction, string, string[]][] = [
      [functions.classify, 'organizations:DescribePolicy', anyPolicy],
      [functions.classify, 'organizations:DescribeAccount', arns.accounts],
      [functions.classify, 'organizations:DescribeOrganizationalUnit', arns.ous],
      // ACCOUNT_MOVED: the ancestors of the source and destination parents, and what the OUs the account left hold (the root is above both).
      [functions.classify, 'organizations:ListParents', [...arns.ous, ...arns.accounts]],
      [functions.classify, 'organizations:ListPoliciesForTarget', arns.ous],
      // POLICY_CHANGED: where a policy no rule names is attached, for the "policies": "*" rules.
      [functions.classify, 'organizations:ListTargetsForPolicy', anyPolicy],
      [functions.reattach, 'organizations:ListPoliciesForTarget', [...arns.roots, ...arns.ous, ...arns.accounts]],
    ];
    // AttachPolicy as narrow as the rules allow: the policies and targets they name, a side
    // widened to every policy (or target) only where a "*" rule needs it.
    const attach = attachScope(Stack.of(this), props.rules);
    if (attach.policies.length > 0 && attach.targets.length > 0) grants.push([functions.reattach, 'organizations:AttachPolicy', [...attach.policies, ...attach.targets]]);
    // Findings on a role's policy are acknowledged on the role: one per ARN pattern, naming its actions.
    const actionsOn = new Map<string, { fn: NodejsFunction; resource: string; actions: string[] }>();
    for (const [fn, action, resources] of grants) {
      fn.addToRolePolicy(new PolicyStatement({ actions: [action], resources }));
      for (const resource of resources) {
        const key = `${fn.node.id} ${resource}`;
        actionsOn.set(key, { fn, resource, actions: [...(actionsOn.get(key)?.actions ?? []), action] });
      }
    }
    for (const { fn, resource, actions } of actionsOn.values()) {
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: `${actions.join(', ')} support resource-level permissions, but the ARN embeds the management account id and the organization id (o-...), unknown at synth time: both are wildcards while the resource type${resource.includes(':policy/') ? ' and the policy type' : ''} stay pinned.${actions.includes('organizations:AttachPolicy') ? attachWildcardReason(attach, resource) : ''}`,
      });
    }
    // The restore role: each write exactly as docs/contracts.md, "Writes to the organization", allows it (infra/restore-scope.ts).
    const restoreRole = functions.restore.role;
    if (restoreRole === undefined) throw new Error('Handlers: the restore function has no role');
    this.restoreRole = restoreRole;
    const acknowledged = new Map<string, string[]>();
    for (const grant of restoreGrants(Stack.of(this), props.rules, props.table.tableArn)) {
      restoreRole.addToPrincipalPolicy(new PolicyStatement({ ...(grant.sid !== undefined ? { sid: grant.sid } : {}), ...(grant.effect === 'Deny' ? { effect: Effect.DENY } : {}), actions: grant.actions, resources: grant.resources, ...(grant.conditions !== undefined ? { conditions: grant.conditions } : {}) }));
      for (const resource of grant.resources) if (resource.includes('*')) acknowledged.set(resource, [...(acknowledged.get(resource) ?? []), `${grant.actions.join(', ')} (${grant.why})`]);
    }
    for (const [resource, reasons] of acknowledged) {
      Validations.of(restoreRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${resource}]`,
        reason: `${reasons.join('; ')}. Organizations ARNs embed the management account id and the organization id (o-...), unknown at synth time: both are wildcards while the resource type stays pinned.`,
      });
    }
    for (const name of ['notify', 'request-decision'] as const) {
      Validations.of(functions[name].role ?? functions[name]).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: "topic.grantPublish on the KMS-encrypted topic: SNS needs kms:GenerateDataKey* on the topic's one key (resource is that key's ARN) to encrypt what this function publishes.",
      });
    }
    for (const rule of ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion']) {
      Validations.of(this).acknowledge({
        id: rule,
        reason: 'Node.js 22 is pinned on purpose: a supported Lambda LTS runtime and the target esbuild compiles every bundle for; moving to a newer runtime is a reviewed change (rebuild and retest the bundles), not a drift.',
      });
    }
    Validations.of(this).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason: 'No function is invoked asynchronously: Step Functions invokes them synchronously (failures go to the ASL Retry/Catch), notify and request-decision invoke slack-relay synchronously (RequestResponse) and Slack calls the function URL synchronously; a Lambda DLQ only catches async invocations.',
    });
  }
}

import path from 'node:path';
import { CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ASL_FILE, WORKFLOW_FUNCTIONS, type WorkflowFunctionName, type WorkflowSubstitution } from '../../functions/shared/workflow-functions';
import { INCIDENT_PK_PREFIX } from '../../functions/shared/audit/table-schema';
import { definitionText, type DefinitionRules } from '../../statemachine/definition';
import { attachWildcardReason, type AttachScope } from '../attach-scope';

/** The DefinitionSubstitutions keys the stack fills, one per `${...}` placeholder of the ASL. */
export const SUBSTITUTION_KEYS = Object.keys(WORKFLOW_FUNCTIONS) as WorkflowSubstitution[];

/** The `${...}` placeholders of an ASL document, sorted. */
export function aslPlaceholders(aslText: string): string[] {
  return [...new Set([...aslText.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]))].sort();
}

export interface WorkflowProps {
  /** The validated rules: their approval window sets the execution's TimeoutSeconds. */
  readonly rules: DefinitionRules;
  /** The functions the ASL invokes, by handler name. */
  readonly functions: Readonly<Record<WorkflowFunctionName, IFunction>>;
  /**
   * Include each state's input and output in the execution logs.
   * @default true
   */
  readonly includeExecutionData?: boolean;
  /**
   * Retention of the execution log group.
   * @default RetentionDays.ONE_YEAR
   */
  readonly logRetention?: RetentionDays;
  /**
   * What the ASL's direct Task states write with the state machine's own role: the claim
   * (ClaimIncident: conditional puts of an incident and its first steps) and the first
   * AttachPolicy (scoped like the reattach function's, infra/attach-scope.ts).
   */
  readonly directCalls: { readonly table: ITable; readonly attach: AttachScope };
  /**
   * The folder holding statemachine/remediation.asl.json.
   * @default the project root (the folder above infra/)
   */
  readonly projectRoot?: string;
}

/** The remediation workflow: a STANDARD state machine defined by the one ASL file. */
export class Workflow extends Construct {
  public readonly stateMachine: StateMachine;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    const projectRoot = props.projectRoot ?? path.resolve(__dirname, '..', '..');
    const definition = definitionText(projectRoot, props.rules);
    const placeholders = aslPlaceholders(definition);
    const unfilled = placeholders.filter((p) => !(SUBSTITUTION_KEYS as string[]).includes(p));
    const unused = SUBSTITUTION_KEYS.filter((k) => !placeholders.includes(k));
    const noFunction = SUBSTITUTION_KEYS.filter((k) => props.functions[WORKFLOW_FUNCTIONS[k]] === undefined);
    if (unfilled.length + unused.length + noFunction.length > 0) {
      throw new Error(`Workflow: ${ASL_FILE} placeholders and substitutions differ (no substitution: ${unfilled.join(', ') || 'none'}; not in the ASL: ${unused.join(', ') || 'none'}; no function given: ${noFunction.join(', ') || 'none'})`);
    }
    super(scope, id);

    this.logGroup = new LogGroup(this, 'ExecutionLogs', {
      retention: props.logRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'scp-guardian: keeps protected SCPs attached',
      stateMachineType: StateMachineType.STANDARD,
      // The ASL file with its shared retriers expanded and the execution timeout the rules give (statemachine/definition.ts).
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(SUBSTITUTION_KEYS.map((key) => [key, props.functions[WORKFLOW_FUNCTIONS[key]].functionArn])),
      tracingEnabled: true,
      logs: {
        destination: this.logGroup,
        level: LogLevel.ALL,
        // Acceptable: incidents carry policy, target and principal ids, never secrets. The
        // RequestDecision payload holds a task token, which execution data logs too; the same
        // token is already in the execution history (states:GetExecutionHistory), and it only
        // completes the task for a principal holding states:SendTaskSuccess on this state
        // machine, which this stack grants to the Slack function alone. Set false to keep
        // inputs and outputs out of CloudWatch Logs at the cost of harder debugging.
        includeExecutionData: props.includeExecutionData ?? true,
      },
    });

    const role = this.stateMachine.role;
    for (const key of SUBSTITUTION_KEYS) {
      const fn = props.functions[WORKFLOW_FUNCTIONS[key]];
      fn.grantInvoke(role);
      const resource = fn.node.defaultChild;
      if (!(resource instanceof CfnElement)) continue; // an imported function: acknowledging its ARN is the caller's decision
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(resource)}.Arn>:*]`,
        reason: `grantInvoke adds ${WORKFLOW_FUNCTIONS[key]}'s ARN with ':*' so the workflow may invoke that one function's versions and aliases; no other function.`,
      });
    }
    // ClaimIncident: TransactWriteItems is authorised item by item, as the PutItem calls it holds.
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [props.directCalls.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${INCIDENT_PK_PREFIX}*`] } },
      }),
    );
    const { attach } = props.directCalls;
    const attachResources = [...attach.policies, ...attach.targets];
    if (attach.policies.length > 0 && attach.targets.length > 0) {
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['organizations:AttachPolicy'], resources: attachResources }));
      for (const resource of attachResources) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: `The first AttachPolicy of a reattachment (the AttachPolicy state), scoped as the reattach function's: the ARN embeds the management account id and the organization id (o-...), unknown at synth time, so both are wildcards while the resource type${resource.includes(':policy/') ? ' and the policy type' : ''} stay pinned.${attachWildcardReason(attach, resource)}`,
        });
      }
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Execution logging (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and X-Ray tracing (xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) do not support resource-level permissions.',
    });
  }
}

import { DescribeStacksCommand, ListStackResourcesCommand, type CloudFormationClient, type Stack, type StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { GetFunctionConfigurationCommand, type FunctionConfiguration, type LambdaClient } from '@aws-sdk/client-lambda';
import { GUARD_ROLE_ARNS_ENV } from '../../functions/classify/handler';
import { CANARY_ROLE_ARN_ENV } from '../../functions/shared/canary';
import { ConstructId } from '../../infra/construct-ids';
import { FailedCall, Permission } from './aws-calls';

/**
 * The environment variables through which the stack hands its functions its resources
 * (infra/constructs/handlers.ts, sweep.ts, slack-endpoint.ts; read by each handler): doctor
 * finds the stack's table, topic and secrets in them (the state machine, in the stack's resources).
 */
export const STACK_ENVIRONMENT = {
  TABLE: 'TABLE_NAME',
  TOPIC: 'TOPIC_ARN',
  BOT_TOKEN: 'BOT_TOKEN_ARN',
  SIGNING_SECRET: 'SIGNING_SECRET_ARN',
  /** Set on classify when the rules have a canary (infra/stack.ts). */
  CANARY_ROLE: CANARY_ROLE_ARN_ENV,
  /** Set on classify: the roles the guard restores with, whose calls the intake pattern leaves out (infra/constructs/intake.ts). */
  GUARD_ROLES: GUARD_ROLE_ARNS_ENV,
} as const;

/**
 * The logical id prefixes of the stack's schedules, intake rule and queue, and the sweep and canary functions, as the CDK
 * derives them from the construct paths: the path's ids joined (infra/construct-ids.ts, which the
 * constructs create them with), then an 8-digit hash. test/unit/doctor/stack-resources.test.ts finds
 * each in the synthesized template.
 */
export const LOGICAL_ID = {
  INTAKE_RULE: `${ConstructId.INTAKE}${ConstructId.INTAKE_RULE}`,
  INTAKE_DEAD_LETTER_QUEUE: `${ConstructId.INTAKE}${ConstructId.INTAKE_DEAD_LETTER_QUEUE}`,
  SELF_TEST_RULE: `${ConstructId.MONITORING}${ConstructId.SELF_TEST_RULE}`,
  CANARY_RULE: `${ConstructId.CANARY}${ConstructId.CANARY_RULE}`,
  CANARY_FUNCTION: `${ConstructId.CANARY}${ConstructId.CANARY_FUNCTION}`,
  SWEEP_SCHEDULE: `${ConstructId.SWEEP}${ConstructId.SWEEP_SCHEDULE}`,
  SWEEP_FUNCTION: `${ConstructId.SWEEP}${ConstructId.SWEEP_FUNCTION}`,
} as const;

export const ResourceType = {
  FUNCTION: 'AWS::Lambda::Function',
  STATE_MACHINE: 'AWS::StepFunctions::StateMachine',
  RULE: 'AWS::Events::Rule',
  SCHEDULE: 'AWS::Scheduler::Schedule',
  ROLE: 'AWS::IAM::Role',
  QUEUE: 'AWS::SQS::Queue',
  ALARM: 'AWS::CloudWatch::Alarm',
  COMPOSITE_ALARM: 'AWS::CloudWatch::CompositeAlarm',
} as const;

/** A resource of the stack: its logical id and the physical id (name or ARN) CloudFormation gave it. */
export interface StackResource {
  logicalId: string;
  physicalId: string;
  type: string;
}

/** The stack as CloudFormation and its functions describe it. */
export interface StackResources {
  stackName: string;
  status: string;
  statusReason?: string;
  resources: StackResource[];
  functions: FunctionConfiguration[];
  /** Functions CloudFormation lists that Lambda no longer has (deleted outside CloudFormation). */
  missingFunctions: string[];
  /** The value each environment variable has in the stack's functions (the first found). */
  environment: Partial<Record<keyof typeof STACK_ENVIRONMENT, string>>;
}

/** The stack does not exist in the region asked. */
export class StackNotFound extends Error {
  constructor(readonly stackName: string) {
    super(`no stack ${stackName}`);
    this.name = 'StackNotFound';
  }
}

/** CloudFormation answers a DescribeStacks of a stack that does not exist with a ValidationError. */
const isMissingStack = (error: unknown) => (error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message);

async function describeStack(cloudFormation: CloudFormationClient, stackName: string): Promise<Stack> {
  try {
    const stack = (await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    if (stack === undefined) throw new StackNotFound(stackName);
    return stack;
  } catch (error) {
    if (error instanceof StackNotFound) throw error;
    if (isMissingStack(error)) throw new StackNotFound(stackName);
    throw new FailedCall(Permission.DESCRIBE_STACKS, error);
  }
}

async function listResources(cloudFormation: CloudFormationClient, stackName: string): Promise<StackResource[]> {
  const summaries: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await FailedCall.of(Permission.LIST_STACK_RESOURCES, cloudFormation.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: token })));
    summaries.push(...(page.StackResourceSummaries ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return summaries
    .filter((summary) => summary.PhysicalResourceId !== undefined && summary.LogicalResourceId !== undefined && !(summary.ResourceStatus ?? '').startsWith('DELETE_COMPLETE'))
    .map((summary) => ({ logicalId: summary.LogicalResourceId!, physicalId: summary.PhysicalResourceId!, type: summary.ResourceType ?? '' }));
}

async function functionConfiguration(lambda: LambdaClient, functionName: string): Promise<FunctionConfiguration | undefined> {
  try {
    return await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw new FailedCall(Permission.GET_FUNCTION_CONFIGURATION, error);
  }
}

/** The stack's resources of a type. */
export const resourcesOf = (stack: Pick<StackResources, 'resources'>, type: string): StackResource[] => stack.resources.filter((resource) => resource.type === type);

/** The stack's resource whose logical id the CDK derived from `prefix` (the construct path), if any. */
export function resourceByLogicalId(stack: Pick<StackResources, 'resources'>, type: string, prefix: string): StackResource | undefined {
  const id = new RegExp(`^${prefix}[0-9A-F]{8}$`);
  return resourcesOf(stack, type).find((resource) => id.test(resource.logicalId));
}

/**
 * The stack by its own resources: DescribeStacks for its status, ListStackResources (paged) for the
 * exact physical ids, and the configuration of each of its functions, whose environment names the
 * table, topic and secrets. Throws StackNotFound, or a FailedCall naming the permission.
 */
export async function findStack(clients: { cloudFormation: CloudFormationClient; lambda: LambdaClient }, stackName: string): Promise<StackResources> {
  const described = await describeStack(clients.cloudFormation, stackName);
  const resources = await listResources(clients.cloudFormation, stackName);
  const names = resourcesOf({ resources }, ResourceType.FUNCTION).map((resource) => resource.physicalId);
  const found = await Promise.all(names.map((name) => functionConfiguration(clients.lambda, name)));
  const functions = found.filter((fn): fn is FunctionConfiguration => fn !== undefined);
  const environment: StackResources['environment'] = {};
  for (const [key, variable] of Object.entries(STACK_ENVIRONMENT) as [keyof typeof STACK_ENVIRONMENT, string][]) {
    const value = functions.map((fn) => fn.Environment?.Variables?.[variable]).find((candidate) => candidate !== undefined && candidate !== '');
    if (value !== undefined) environment[key] = value;
  }
  return {
    stackName,
    status: described.StackStatus ?? 'UNKNOWN',
    ...(described.StackStatusReason === undefined ? {} : { statusReason: described.StackStatusReason }),
    resources,
    functions,
    missingFunctions: names.filter((_, index) => found[index] === undefined),
    environment,
  };
}

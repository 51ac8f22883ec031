/**
 * The Lambda functions the workflow calls, keyed by the ASL's DefinitionSubstitutions
 * placeholder. The CDK fills each placeholder with the deployed function's ARN; the local
 * runner fills it with a local ARN and runs the handler in-process.
 */
export const WORKFLOW_FUNCTIONS = {
  ClassifyFunctionArn: 'classify',
  ClaimFunctionArn: 'claim',
  RequestDecisionFunctionArn: 'request-decision',
  ReattachFunctionArn: 'reattach',
  CloseFunctionArn: 'close',
  NotifyFunctionArn: 'notify',
} as const;

export type WorkflowFunctionName = (typeof WORKFLOW_FUNCTIONS)[keyof typeof WORKFLOW_FUNCTIONS];
export type WorkflowSubstitution = keyof typeof WORKFLOW_FUNCTIONS;

/** The one workflow definition, relative to the project root. */
export const ASL_FILE = 'statemachine/remediation.asl.json';

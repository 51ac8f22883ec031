/**
 * The Lambda functions the workflow calls, keyed by the ASL's DefinitionSubstitutions
 * placeholder. The CDK fills each placeholder with the deployed function's ARN; the local
 * runner fills it with a local ARN and runs the handler in-process.
 */
export const WORKFLOW_FUNCTIONS = {
  ClassifyFunctionArn: 'classify',
  ClaimFunctionArn: 'claim',
  AdmitFunctionArn: 'admit',
  RequestDecisionFunctionArn: 'request-decision',
  ReattachFunctionArn: 'reattach',
  RestoreFunctionArn: 'restore',
  CloseFunctionArn: 'close',
  NotifyFunctionArn: 'notify',
} as const;

export type WorkflowFunctionName = (typeof WORKFLOW_FUNCTIONS)[keyof typeof WORKFLOW_FUNCTIONS];
export type WorkflowSubstitution = keyof typeof WORKFLOW_FUNCTIONS;

/** The one workflow definition, relative to the project root. */
export const ASL_FILE = 'statemachine/remediation.asl.json';

/**
 * Each function's timeout in seconds: the CDK gives it to Lambda, and the local runner fails a
 * handler that runs longer with `Sandbox.Timedout`, as Lambda would. The SDK clients' own
 * timeouts (functions/shared/clients) fit inside these.
 */
export const FUNCTION_TIMEOUT_SECONDS: Readonly<Record<WorkflowFunctionName | 'slack-interactions' | 'slack-relay' | 'sweep', number>> = {
  classify: 10,
  claim: 10,
  // A throttle report and a new ticket: a handful of admission-store calls (clients/timeouts.ts:
  // 1 s each, one attempt).
  admit: 10,
  'request-decision': 15,
  reattach: 30,
  // A re-enabled policy type puts back every desired pair of it (a few calls per target, four
  // targets at a time), after waiting up to 5 s for the type to show ENABLED.
  restore: 60,
  close: 10,
  notify: 15,
  'slack-interactions': 10,
  // The Lambda client of notify and request-decision waits a second longer (clients/timeouts.ts).
  'slack-relay': 10,
  // The sweep reads the whole organization in one invocation and bounds itself by this
  // (functions/sweep): about 6,000 Organizations calls at 10 requests per second.
  sweep: 600,
};

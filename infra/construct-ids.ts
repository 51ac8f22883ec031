/**
 * The construct ids of the stack's parts that `scp-guardian doctor` finds in the deployed stack by
 * their CDK logical ids (cli/doctor/stack-resources.ts): defined once here, used by the constructs
 * that create them, so renaming one renames what doctor looks for. No CDK import: the CLI loads it.
 * Changing an id changes the logical id, and CloudFormation replaces the resource.
 */
export const ConstructId = {
  /** The stack's own children (infra/stack.ts). */
  INTAKE: 'Intake',
  SWEEP: 'Sweep',
  MONITORING: 'Monitoring',
  CANARY: 'Canary',
  /** Inside Intake: the rule that starts the workflow (kept from when it matched DetachPolicy alone). */
  INTAKE_RULE: 'DetachPolicyRule',
  /** Inside Intake: the queue the rule's target sends what it cannot deliver to. */
  INTAKE_DEAD_LETTER_QUEUE: 'DeadLetterQueue',
  /** Inside Sweep: the sweep function and its EventBridge Scheduler schedule. */
  SWEEP_FUNCTION: 'Function',
  SWEEP_SCHEDULE: 'Schedule',
  /** Inside Monitoring: the daily self-test's rule. */
  SELF_TEST_RULE: 'SelfTestSchedule',
  /** Inside Canary: the daily canary's rule and the function it invokes. */
  CANARY_RULE: 'Schedule',
  CANARY_FUNCTION: 'Function',
} as const;

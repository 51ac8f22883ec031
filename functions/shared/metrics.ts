import { Kind, Outcome, Verdict } from './vocabulary';

/**
 * Custom metrics (CloudWatch embedded metric format): one definition for the handlers that
 * emit them and the dashboard and alarms that read them.
 */
export const METRICS_NAMESPACE = 'ScpGuardian';
/** Powertools adds this as the `service` dimension of every metric. */
export const METRICS_SERVICE = 'scp-guardian';

export const MetricName = {
  /** One per incident closed, dimension Verdict; once more, dimension Kind, for an incident of a known kind. */
  INCIDENTS: 'Incidents',
  /** One per incident closed, dimension Outcome. */
  OUTCOMES: 'Outcomes',
  /** Seconds from the detach to the confirmed reattachment (REATTACHED, ALREADY_ATTACHED). */
  TIME_TO_REMEDIATE: 'TimeToRemediate',
  /** One per incident an approver kept detached. */
  OVERRIDES: 'Overrides',
  /**
   * The writes a restoration made (its actions done: an EnablePolicyType, each AttachPolicy, a
   * MoveAccount, ...), one point per incident closed with actions, dimension Kind.
   */
  RESTORE_ACTIONS: 'RestoreActions',
  /** One per scheduled self-test that went through classify, record and notify. */
  SELF_TEST_PASSED: 'SelfTestPassed',
  /** One per canary run whose DetachPolicy succeeded (the canary function). */
  CANARY_STARTED: 'CanaryStarted',
  /**
   * One per canary started, stamped CANARY_DEADLINE_MINUTES after its DetachPolicy (embedded
   * metric format takes timestamps up to two hours ahead): the moment it must have passed by.
   * The CanaryMissing alarm compares it with CanaryPassed (infra/constructs/canary.ts).
   */
  CANARY_DEADLINE: 'CanaryDeadline',
  /** One per canary incident that closed REATTACHED or ALREADY_ATTACHED (confirmed by ListPoliciesForTarget). */
  CANARY_PASSED: 'CanaryPassed',
  /**
   * One per sweep that completed (not a dry run: `reconcile --dry-run` proves nothing) with
   * every write and start done. The SweepMissing alarm fires on its absence (infra/constructs/sweep.ts).
   */
  SWEEP_COMPLETED: 'SweepCompleted',
  /** One per Slack interaction refused for its signature or headers. */
  SLACK_REQUESTS_REFUSED: 'SlackRequestsRefused',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export const MetricDimension = {
  SERVICE: 'service',
  VERDICT: 'Verdict',
  OUTCOME: 'Outcome',
  KIND: 'Kind',
} as const;

/** The values the dashboard graphs, taken from the vocabulary. */
export const GRAPHED_VERDICTS = Object.values(Verdict);
export const GRAPHED_OUTCOMES = Object.values(Outcome).filter((outcome) => outcome !== Outcome.DUPLICATE);
export const GRAPHED_KINDS = Object.values(Kind);

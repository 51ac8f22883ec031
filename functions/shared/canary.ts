import type { Closure, Incident } from './incident';
import { Outcome, Source } from './vocabulary';

/**
 * The daily canary (docs: "The canary"): the canary function detaches the canary SCP from the
 * canary OU (an OU that holds no account) through the real Organizations API, and the guard
 * must reattach it through CloudTrail, EventBridge and the workflow like any detachment. The
 * self-test proves the workflow's permissions; the canary proves intake. What the Lambda
 * bundles, the CDK and the local runner share about it is defined here, once.
 */

/** The canary pair, as `canary` in the protection rules names it. */
export interface CanaryPair {
  readonly policyId: string;
  readonly targetId: string;
}

/**
 * The environment variable that tells classify the canary function's IAM role ARN (a
 * deploy-time token, so not compiled into the bundle like the rules).
 */
export const CANARY_ROLE_ARN_ENV = 'SCP_GUARDIAN_CANARY_ROLE_ARN';

/** The SNS message attribute that marks a routine canary notice (email subscriptions drop it). */
export const CANARY_ATTRIBUTE = 'canary';

/** A canary not back within this many minutes of its DetachPolicy raises CanaryMissing. */
export const CANARY_DEADLINE_MINUTES = 30;

/** Whether (policyId, targetId) is the canary pair of the rules (ids compared exactly). */
export function isCanaryPair(canary: CanaryPair | undefined, policyId: string | undefined, targetId: string | undefined): boolean {
  return canary !== undefined && canary.policyId === policyId && canary.targetId === targetId;
}

/**
 * Whether the caller is exactly the canary function's role: the IAM role behind the
 * assumed-role session (`userIdentity.sessionContext.sessionIssuer.arn`), compared as a whole
 * ARN. Session names are chosen by whoever starts a session and never count; a role whose name
 * only starts like the canary's, or the same name under another path, is not the canary.
 */
export function isCanaryRole(sessionIssuerArn: string | undefined, canaryRoleArn: string | undefined): boolean {
  return sessionIssuerArn !== undefined && canaryRoleArn !== undefined && canaryRoleArn !== '' && sessionIssuerArn === canaryRoleArn;
}

/** Whether the canary came back: the workflow confirmed the pair on the OU (ListPoliciesForTarget). */
export const canaryPassed = (closure: Pick<Closure, 'outcome'> | undefined): boolean =>
  closure?.outcome === Outcome.REATTACHED || closure?.outcome === Outcome.ALREADY_ATTACHED;

/**
 * A canary notice nobody needs in their inbox or Slack channel: the opening notice of the daily
 * canary, and its closing notice when it came back. The closing notice of a canary that did not
 * come back is not routine: it goes to everyone, as loud as any failure.
 */
export function isRoutineCanaryNotice(incident: Pick<Incident, 'source'>, closure: Pick<Closure, 'outcome'> | undefined): boolean {
  return incident.source === Source.CANARY && (closure === undefined || canaryPassed(closure));
}

import { WATCHED_EVENT_NAMES } from '../functions/shared/cloudtrail';

/**
 * The intake rule's event pattern (infra/constructs/intake.ts), defined here without a CDK import
 * so that `scp-guardian doctor` (cli/doctor/intake.ts) rebuilds the pattern the stack deploys and
 * compares the deployed rule's with it.
 */

/** The envelope CloudTrail puts an Organizations call in on the default bus. */
export const INTAKE_ENVELOPE = { source: 'aws.organizations', detailType: 'AWS API Call via CloudTrail' } as const;

/**
 * The `detail` of the rule's event pattern: successful Organizations calls of the watched kinds
 * (docs/contracts.md, "Watched calls"), AttachPolicy only for a forbidden policy, none made by a guard role.
 */
export function intakeDetailPattern(forbiddenPolicyIds: readonly string[], guardRoleArns: readonly string[]): Record<string, unknown> {
  const others = WATCHED_EVENT_NAMES.filter((name) => name !== 'AttachPolicy');
  // Reattachments are AttachPolicy calls too: only a policy a forbid rule names can be a forbidden attachment.
  const calls: Record<string, unknown>[] = [{ eventName: others }];
  if (forbiddenPolicyIds.length > 0) calls.push({ eventName: ['AttachPolicy'], requestParameters: { policyId: [...forbiddenPolicyIds] } });
  // Plain JSON (not Match tokens), so that the pattern can be read and tested as EventBridge gets it.
  // anything-but matches only a field that exists: a root-user or IAM-user call has no session
  // issuer ARN at all, and must match through the second branch.
  const callers: Record<string, unknown>[] =
    guardRoleArns.length === 0
      ? [{}]
      : [
          { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ 'anything-but': [...guardRoleArns] }] } } } },
          { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ exists: false }] } } } },
        ];
  const branches = calls.flatMap((call) => callers.map((caller) => ({ ...call, ...caller })));
  return {
    eventSource: ['organizations.amazonaws.com'],
    // A record with errorCode is a call that failed: nothing changed.
    errorCode: [{ exists: false }],
    ...(branches.length === 1 ? branches[0] : { $or: branches }),
  };
}

/** The forbidden policy ids the pattern names, as the construct passes them: once each, sorted. */
export const forbiddenPolicyIds = (forbid: readonly { policyId: string }[]): string[] => [...new Set(forbid.map((rule) => rule.policyId))].sort();

/** The whole pattern as EventBridge has it (the CDK writes `detailType` as `detail-type`). */
export function intakeEventPattern(forbidden: readonly string[], guardRoleArns: readonly string[]): Record<string, unknown> {
  return { source: [INTAKE_ENVELOPE.source], 'detail-type': [INTAKE_ENVELOPE.detailType], detail: intakeDetailPattern(forbidden, guardRoleArns) };
}

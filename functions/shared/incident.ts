import type { Decision, Kind, Mode, OnTimeout, Outcome, PolicyType, Priority, Source, TargetType, Verdict } from './vocabulary';
import type { RuleMatch } from './rules/match';

/** Who called DetachPolicy, as CloudTrail tells it. */
export interface Actor {
  /** Root, IAMUser, AssumedRole, IdentityCenter, FederatedUser, AWSService, AWSAccount or Unknown. */
  type: string;
  /** The principal's ARN (for an assumed role, the session ARN). */
  arn?: string;
  /** The role behind an assumed-role session. */
  sessionIssuerArn?: string;
  /** The principal that rules and queries match: the session issuer's ARN, else the ARN. */
  principalArn?: string;
  /**
   * The session name of an assumed role or federated user, from the ARN. For IAM Identity
   * Center it is the person's user name; for other roles the caller chose it.
   */
  sessionName?: string;
  accountId?: string;
  sourceIp?: string;
  userAgent?: string;
  /** The call was made with console credentials. */
  console: boolean;
  /** The session was MFA-authenticated; undefined when CloudTrail does not say. */
  mfa?: boolean;
  /** The AWS service that called on the principal's behalf. */
  invokedBy?: string;
}

export interface PolicyRef {
  id?: string;
  name?: string;
  type?: PolicyType | string;
}

export interface TargetRef {
  id?: string;
  type?: TargetType;
  name?: string;
}

/** The approval window, fixed when the incident is classified. */
export interface ApprovalTerms {
  timeoutSeconds: number;
  onTimeout: OnTimeout;
}

/**
 * One detachment as the workflow carries it from Classify onwards. The incident id is the
 * CloudTrail eventID of the detach (for an unreadable event: the EventBridge event id).
 */
export interface Incident {
  incidentId: string;
  /** What weakened the protection; absent for an event of no known kind (INVALID). */
  kind?: Kind;
  /** Where the incident came from; absent in incidents recorded before it was kept (read as "event"). */
  source?: Source;
  verdict: Verdict;
  /** Why the verdict, in one sentence. */
  reason: string;
  /** When the detach happened (CloudTrail eventTime), else when it was received. */
  detectedAt: string;
  eventTime?: string;
  /**
   * Local replays only: when the runner applied the replayed change to the local organization.
   * The time to remediate counts from it, since a replayed event's own time may be days old.
   * Never set in AWS, where it counts from `detectedAt`.
   */
  replayAppliedAt?: string;
  eventId?: string;
  region?: string;
  policy: PolicyRef;
  target: TargetRef;
  actor: Actor;
  mode?: Mode;
  rule?: RuleMatch;
  approval?: ApprovalTerms;
  /** Whether people are told about this incident (protected ones always are). */
  notify: boolean;
  /** The most rounds of retries the remediation deadline allows (ReattachPolicy's rounds, bounded in the ASL too). */
  retryRoundLimit?: number;
  /** Seconds between two rounds of retries (remediation-deadline.ts `retryPacing`). */
  retryPauseSeconds?: number;
  /** How loudly people are told; absent means normal. */
  priority?: Priority;
  /**
   * The workflow could not classify the event at all (not even from the rules alone): recorded
   * as it arrived, the execution fails so the alarm fires, and the sweep checks the organization.
   */
  unclassified?: boolean;
  /** For an INVALID event: what is wrong with it, and the start of it as received. */
  invalid?: { problem: string; excerpt: string };
  /** Enrichment problems (names could not be read); never blocks remediation. */
  enrichmentErrors?: string[];
  /** POLICY_TYPE_DISABLED: the type disabled on the root (the target is the root). */
  disabledType?: { rootId: string; policyType: string };
  /** ACCOUNT_MOVED: where the account was moved from and to (the target is the account). */
  move?: { accountId: string; sourceParentId: string; destinationParentId: string };
  /** POLICY_CHANGED: the content the change wrote (as the event gave it) and its SHA-256. */
  change?: { content?: string; contentHash?: string; name?: string; description?: string };
  /** FORBIDDEN_ATTACHED: the forbid rule that keeps the policy off the target. */
  forbid?: { index: number; description?: string };
  /**
   * The rules cover the pair (a protect rule or the canary), though the verdict is not PROTECTED:
   * an ignored principal's detachment, which releases the pair from the desired state.
   */
  coveredPair?: boolean;
  /** A drift the sweep found: why it is a difference, and the override whose expiry made it one. */
  drift?: { reason: string; lastDesiredAt?: string; overrideExpired?: { by?: string; until: string; incidentId?: string } };
  /**
   * A DRIFT of another kind than a missing pair: what the sweep found (a disabled type, an account
   * under another parent, changed content, a forbidden attachment, a deleted policy), carried in
   * that kind's own field (disabledType, move, change, forbid). Absent for a missing pair.
   */
  driftOf?: Kind;
  /** The incident this one follows: the pair's last incident ended FAILED. */
  follows?: string;
  /** The scheduled self-test's synthetic incident: recorded and notified, never remediated. */
  selfTest?: boolean;
}

/** One write RestoreProtection made (or found already done) to restore a kind other than DETACHED. */
export interface RestoreAction {
  /** The Organizations call: EnablePolicyType, AttachPolicy, DetachPolicy, MoveAccount, UpdatePolicy. */
  call: string;
  policyId?: string;
  targetId?: string;
  /** done: the call changed the organization; already: it was already so; failed: see detail. */
  result: 'done' | 'already' | 'failed';
  detail?: string;
}

/** What a notice says beside the outcome for POLICY_CHANGED and POLICY_DELETED. */
export interface RestoreReport {
  /** POLICY_CHANGED: the statements removed, added and changed, one line each. */
  diff?: string[];
  /** POLICY_DELETED (and POLICY_CHANGED): the policy's last known content, as the desired state holds it. */
  lastKnownContent?: string;
  /** POLICY_DELETED: every target the policy was desired on. */
  desiredTargets?: string[];
}

/** How an incident ended, as CloseIncident recorded it and the closing notice tells it. */
export interface Closure {
  /**
   * False when the audit store could not record the closing (CloseIncident failed after its
   * retries): the notice still goes out, computed from the workflow's state, and says so.
   */
  recorded?: boolean;
  /** The audit writes that failed on the way, each as "Error: message". */
  auditErrors?: string[];
  /** This execution turned out to be a redelivery of an incident another execution owns. */
  duplicate?: boolean;
  outcome: Outcome;
  decision?: Decision;
  decidedBy?: string;
  decisionReason?: string;
  cause?: string;
  reattachedAt?: string;
  timeToRemediateSeconds?: number;
  /** For OVERRIDDEN: when the override ends and the pair is desired again (ISO 8601). */
  overriddenUntil?: string;
  /** For a kind other than DETACHED: every write of the restoration, in order. */
  actions?: RestoreAction[];
  report?: RestoreReport;
  closedAt: string;
}

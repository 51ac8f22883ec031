/**
 * Error names the workflow matches in Retry and Catch, and the error classes that carry them.
 * Lambda tasks throw these; Step Functions matches `error.name`. Organizations errors keep the
 * names a direct `aws-sdk:organizations` integration would produce, so the ASL reads the same
 * either way.
 */
export const ErrorName = {
  DUPLICATE_INCIDENT: 'DuplicateIncident',
  /** The Fail state's error: the execution fails so the alarm on failed executions fires. */
  REMEDIATION_FAILED: 'RemediationFailed',
  STATUS_REGRESSION: 'StatusRegression',
  NOTIFICATION_FAILED: 'NotificationFailed',
  SLACK_DELIVERY: 'SlackDeliveryError',
  DECISION_ALREADY_TAKEN: 'DecisionAlreadyTaken',
  ATTACHMENT_NOT_CONFIRMED: 'AttachmentNotConfirmed',
  ORG_THROTTLED: 'Organizations.TooManyRequestsException',
  ORG_SERVICE: 'Organizations.ServiceException',
  ORG_CONCURRENT_MODIFICATION: 'Organizations.ConcurrentModificationException',
  /** A change to the organization's policies is still in progress ("try the operation again later"): EnablePolicyType and other writes answer it. */
  ORG_POLICY_CHANGES_IN_PROGRESS: 'Organizations.PolicyChangesInProgressException',
  ORG_DUPLICATE_ATTACHMENT: 'Organizations.DuplicatePolicyAttachmentException',
  ORG_TARGET_NOT_FOUND: 'Organizations.TargetNotFoundException',
  /**
   * A restoring write the organization refuses for now, for a reason another change lifts (a
   * forbidden policy that is its target's only SCP: AWS keeps one SCP on every target). Not retried
   * at once: the workflow waits between rounds (NoteRetryRound, WaitBeforeRetrying) until the deadline.
   */
  RESTORE_BLOCKED: 'RestoreBlocked',
  /** DynamoDB throttled the audit store (ProvisionedThroughputExceeded, ThrottlingException, RequestLimitExceeded). */
  AUDIT_THROTTLED: 'AuditStore.Throttled',
  /** The audit store did not answer, or answered with a 5xx. */
  AUDIT_UNAVAILABLE: 'AuditStore.Unavailable',
  /** The Fail state's error when the guard acted but could not record every step. */
  AUDIT_TRAIL_INCOMPLETE: 'AuditTrailIncomplete',
  /** The Fail state's error when a notice (email) could not be sent. */
  NOTICE_NOT_SENT: 'NoticeNotSent',
  /** Nobody could be asked for a decision (no channel reached): the workflow restores instead. */
  DECISION_NOT_REQUESTED: 'DecisionNotRequested',
  /** Transient errors lasted past the remediation deadline: the incident ends FAILED and the sweep takes over. */
  REMEDIATION_DEADLINE_PASSED: 'RemediationDeadlinePassed',
  /** The admission store (functions/admit) did not answer in time: the remediation goes on unadmitted. */
  ADMISSION_UNAVAILABLE: 'Admission.Unavailable',
  /** The Fail state's error when the classify function failed and the rules alone decided. */
  CLASSIFICATION_FAILED: 'ClassificationFailed',
  /** A Lambda function ran out of time (older runtimes report States.Timeout). */
  LAMBDA_TIMED_OUT: 'Sandbox.Timedout',
  /** A Lambda function failed without a named error (crashed, out of memory, older runtimes' timeouts). */
  LAMBDA_UNKNOWN: 'Lambda.Unknown',
  STATES_TIMEOUT: 'States.Timeout',
  STATES_ALL: 'States.ALL',
  /**
   * The direct claim (`aws-sdk:dynamodb:transactWriteItems`) was cancelled: a condition failed
   * (the event is claimed already, maybe by this very execution), a concurrent transaction, or
   * throttling inside it. ResolveClaim sorts out which.
   */
  CLAIM_CANCELLED: 'DynamoDb.TransactionCanceledException',
} as const;
export type ErrorName = (typeof ErrorName)[keyof typeof ErrorName];

/** Errors worth retrying: the API will most likely answer differently a little later. */
export const TRANSIENT_ORGANIZATIONS_ERRORS: readonly ErrorName[] = [
  ErrorName.ORG_THROTTLED,
  ErrorName.ORG_SERVICE,
  ErrorName.ORG_CONCURRENT_MODIFICATION,
  ErrorName.ORG_POLICY_CHANGES_IN_PROGRESS,
];

/**
 * Errors the restoring tasks (ReattachPolicy, RestoreProtection) send to the rounds of retries
 * (their Catch to NoteRetryRound) without retrying them at once. They end FAILED only at the deadline.
 */
export const ROUND_ONLY_ERRORS: readonly ErrorName[] = [ErrorName.RESTORE_BLOCKED];

/** Errors the Lambda service itself raises; AWS recommends retrying them on every Lambda task. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/**
 * DynamoDB's throttling and server errors as an `aws-sdk:dynamodb` integration names them (the
 * service name in PascalCase, and an `Exception` suffix even where the SDK's own name has none).
 */
export const TRANSIENT_DYNAMODB_INTEGRATION_ERRORS = [
  'DynamoDb.ProvisionedThroughputExceededException',
  'DynamoDb.ThrottlingException',
  'DynamoDb.RequestLimitExceededException',
  'DynamoDb.InternalServerErrorException',
  /** The call failed on the client's side (no answer): worth another attempt too. */
  'DynamoDb.SdkClientException',
] as const;

/** Errors the audit store raises when DynamoDB is throttled or down: worth another attempt. */
export const TRANSIENT_AUDIT_ERRORS: readonly ErrorName[] = [ErrorName.AUDIT_THROTTLED, ErrorName.AUDIT_UNAVAILABLE];

/** Base class of every error this project throws on purpose. */
export class GuardianError extends Error {
  constructor(name: ErrorName | string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** The CloudTrail event was already claimed by another execution (at-least-once delivery). */
export class DuplicateIncidentError extends GuardianError {
  constructor(readonly incidentId: string, options?: { cause?: unknown }) {
    super(ErrorName.DUPLICATE_INCIDENT, `incident ${incidentId} was already claimed by another execution`, options);
  }
}

/** A write would move an incident's status backwards, or close it twice. */
export class StatusRegressionError extends GuardianError {
  constructor(readonly incidentId: string, message: string, options?: { cause?: unknown }) {
    super(ErrorName.STATUS_REGRESSION, `incident ${incidentId}: ${message}`, options);
  }
}

/** An Organizations API error, named as Step Functions would name it. */
export class OrganizationsError extends GuardianError {
  constructor(
    readonly awsName: string,
    message: string,
    readonly httpStatus: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(`Organizations.${awsName}`, message, options);
  }

  get transient(): boolean {
    return (TRANSIENT_ORGANIZATIONS_ERRORS as readonly string[]).includes(this.name);
  }
}

/** AttachPolicy answered success but the policy is not listed on the target. */
export class AttachmentNotConfirmedError extends GuardianError {
  constructor(policyId: string, targetId: string) {
    super(ErrorName.ATTACHMENT_NOT_CONFIRMED, `${policyId} is not listed on ${targetId} after AttachPolicy succeeded`);
  }
}

/** SNS could not take the notification. */
export class NotificationFailedError extends GuardianError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorName.NOTIFICATION_FAILED, message, options);
  }
}

/** Nobody could be asked for a decision: every channel failed, or none is configured. */
export class DecisionNotRequestedError extends GuardianError {
  constructor(readonly incidentId: string, why: string, options?: { cause?: unknown }) {
    super(ErrorName.DECISION_NOT_REQUESTED, `incident ${incidentId}: nobody could be asked for a decision (${why})`, options);
  }
}

/** A restoring write refused for now, for a reason another change lifts: retried in rounds until the deadline. */
export class RestoreBlockedError extends GuardianError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorName.RESTORE_BLOCKED, message, options);
  }
}

/** The remediation kept meeting transient errors until its deadline. */
export class RemediationDeadlinePassedError extends GuardianError {
  constructor(message: string) {
    super(ErrorName.REMEDIATION_DEADLINE_PASSED, message);
  }
}

/** Turns anything thrown into a one-line description. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** DynamoDB throttled an audit-store call (or a transaction met a conflict): the ASL retries it. */
export class AuditStoreThrottledError extends GuardianError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorName.AUDIT_THROTTLED, message, options);
  }
}

/** DynamoDB answered an audit-store call with a 5xx, or did not answer at all: the ASL retries it. */
export class AuditStoreUnavailableError extends GuardianError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorName.AUDIT_UNAVAILABLE, message, options);
  }
}

/** The admission store failed or was slow: the workflow reattaches without a slot (act first). */
export class AdmissionUnavailableError extends GuardianError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorName.ADMISSION_UNAVAILABLE, message, options);
  }
}

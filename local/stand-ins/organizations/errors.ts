import { AwsServiceError } from '../aws-json-protocol/errors';

/**
 * The errors the local Organizations endpoint answers with, named, shaped and given the status
 * AWS gives them (every one a client fault, HTTP 400: the API reference lists them so, and the
 * SDK's models mark each `(client fault)`). Checked against `@aws-sdk/client-organizations`
 * (each command's `@throws`) and the API reference; docs/contracts.md lists them per operation.
 */

/** Errors the Organizations API answers with for the calls served locally. */
export const OrganizationsErrorName = {
  DUPLICATE_POLICY_ATTACHMENT: 'DuplicatePolicyAttachmentException',
  DUPLICATE_POLICY: 'DuplicatePolicyException',
  DUPLICATE_ACCOUNT: 'DuplicateAccountException',
  POLICY_NOT_FOUND: 'PolicyNotFoundException',
  POLICY_IN_USE: 'PolicyInUseException',
  MALFORMED_POLICY_DOCUMENT: 'MalformedPolicyDocumentException',
  TARGET_NOT_FOUND: 'TargetNotFoundException',
  POLICY_NOT_ATTACHED: 'PolicyNotAttachedException',
  CONSTRAINT_VIOLATION: 'ConstraintViolationException',
  POLICY_TYPE_NOT_ENABLED: 'PolicyTypeNotEnabledException',
  POLICY_TYPE_ALREADY_ENABLED: 'PolicyTypeAlreadyEnabledException',
  ROOT_NOT_FOUND: 'RootNotFoundException',
  ACCOUNT_NOT_FOUND: 'AccountNotFoundException',
  ORGANIZATIONAL_UNIT_NOT_FOUND: 'OrganizationalUnitNotFoundException',
  CHILD_NOT_FOUND: 'ChildNotFoundException',
  PARENT_NOT_FOUND: 'ParentNotFoundException',
  SOURCE_PARENT_NOT_FOUND: 'SourceParentNotFoundException',
  DESTINATION_PARENT_NOT_FOUND: 'DestinationParentNotFoundException',
  INVALID_INPUT: 'InvalidInputException',
} as const;
export type OrganizationsErrorName = (typeof OrganizationsErrorName)[keyof typeof OrganizationsErrorName];

/** `Reason` values of ConstraintViolationException used here (the SDK's ConstraintViolationExceptionReason). */
export const ConstraintViolationReason = {
  /** More policies of one type on a target than allowed (10 SCPs since May 2026). */
  MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED: 'MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
  /** A detachment that would leave a target without the minimum (1 SCP while SCPs are enabled). */
  MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED',
  /** A policy document larger than its type allows. */
  POLICY_CONTENT_LIMIT_EXCEEDED: 'POLICY_CONTENT_LIMIT_EXCEEDED',
  /** More policies of one type in the organization than allowed. */
  POLICY_NUMBER_LIMIT_EXCEEDED: 'POLICY_NUMBER_LIMIT_EXCEEDED',
} as const;
export type ConstraintViolationReason = (typeof ConstraintViolationReason)[keyof typeof ConstraintViolationReason];

/** `Reason` values of InvalidInputException used here (the SDK's InvalidInputExceptionReason). */
export const InvalidInputReason = {
  INPUT_REQUIRED: 'INPUT_REQUIRED',
  INVALID_ENUM: 'INVALID_ENUM',
  INVALID_ENUM_POLICY_TYPE: 'INVALID_ENUM_POLICY_TYPE',
  INVALID_PATTERN: 'INVALID_PATTERN',
  INVALID_PATTERN_TARGET_ID: 'INVALID_PATTERN_TARGET_ID',
  INVALID_SYNTAX_POLICY_ID: 'INVALID_SYNTAX_POLICY_ID',
  INVALID_NEXT_TOKEN: 'INVALID_NEXT_TOKEN',
  /** "You specified a policy that is managed by AWS and can't be modified." */
  IMMUTABLE_POLICY: 'IMMUTABLE_POLICY',
  MAX_LENGTH_EXCEEDED: 'MAX_LENGTH_EXCEEDED',
  MIN_LENGTH_EXCEEDED: 'MIN_LENGTH_EXCEEDED',
  MAX_VALUE_EXCEEDED: 'MAX_VALUE_EXCEEDED',
  MIN_VALUE_EXCEEDED: 'MIN_VALUE_EXCEEDED',
} as const;
export type InvalidInputReason = (typeof InvalidInputReason)[keyof typeof InvalidInputReason];

/** An error of the Organizations API (status 400, like every client error it answers). */
export class OrganizationsApiError extends AwsServiceError {
  constructor(name: OrganizationsErrorName, message: string, members?: Readonly<Record<string, unknown>>) {
    super(name, message, { statusCode: 400, members });
  }
}

/** InvalidInputException with its `Reason`, as the API sends it. */
export function invalidInput(reason: InvalidInputReason, message: string): OrganizationsApiError {
  return new OrganizationsApiError(OrganizationsErrorName.INVALID_INPUT, message, { Reason: reason });
}

/** ConstraintViolationException with its `Reason`, as the API sends it. */
export function constraintViolation(reason: ConstraintViolationReason, message: string): OrganizationsApiError {
  return new OrganizationsApiError(OrganizationsErrorName.CONSTRAINT_VIOLATION, message, { Reason: reason });
}

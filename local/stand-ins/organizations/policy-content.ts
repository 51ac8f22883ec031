import { PolicyType } from '../../../functions/shared/vocabulary';
import { ConstraintViolationReason, constraintViolation, InvalidInputReason, invalidInput, OrganizationsApiError, OrganizationsErrorName } from './errors';

/**
 * The checks CreatePolicy and UpdatePolicy make of a policy document: JSON, within its type's
 * size, and (for SCPs and RCPs) shaped like a policy. A subset of AWS's own grammar checks: it
 * refuses what AWS refuses for the reasons a test or a replay meets, not every IAM nicety.
 */

/** The API's own bound on `Content` (Length Constraints: maximum 1,000,000), before any type's. */
export const CONTENT_MAX_LENGTH = 1_000_000;

/**
 * Maximum size of a policy document, in characters, whitespace included ("Quotas and service
 * limits for AWS Organizations"). SCPs went from 5,120 to 10,240 on 15 May 2026, with ten
 * attached per target instead of five.
 */
export const POLICY_CONTENT_MAX_CHARS: Readonly<Record<PolicyType, number>> = {
  [PolicyType.SERVICE_CONTROL_POLICY]: 10_240,
  [PolicyType.RESOURCE_CONTROL_POLICY]: 5_120,
  [PolicyType.TAG_POLICY]: 10_000,
  [PolicyType.BACKUP_POLICY]: 10_000,
  [PolicyType.AISERVICES_OPT_OUT_POLICY]: 2_500,
  [PolicyType.CHATBOT_POLICY]: 10_000,
  [PolicyType.DECLARATIVE_POLICY_EC2]: 10_000,
};

/** The organization's quota of policies of one type (10,000 SCPs, 1,000 of the others). */
export const POLICY_NUMBER_LIMIT: Readonly<Record<PolicyType, number>> = {
  [PolicyType.SERVICE_CONTROL_POLICY]: 10_000,
  [PolicyType.RESOURCE_CONTROL_POLICY]: 1_000,
  [PolicyType.TAG_POLICY]: 1_000,
  [PolicyType.BACKUP_POLICY]: 1_000,
  [PolicyType.AISERVICES_OPT_OUT_POLICY]: 1_000,
  [PolicyType.CHATBOT_POLICY]: 1_000,
  [PolicyType.DECLARATIVE_POLICY_EC2]: 1_000,
};

const malformed = (detail: string): OrganizationsApiError =>
  new OrganizationsApiError(
    OrganizationsErrorName.MALFORMED_POLICY_DOCUMENT,
    `The provided policy document does not meet the requirements of the specified policy type: ${detail}.`,
  );

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringOrStrings = (value: unknown): boolean =>
  typeof value === 'string' || (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'));

/** The statements of an IAM-grammar policy (SCP, RCP), or why it is not one. */
function statementProblem(document: Record<string, unknown>): string | undefined {
  const statement = document.Statement;
  if (statement === undefined) return 'it has no Statement';
  const statements = Array.isArray(statement) ? statement : [statement];
  if (statements.length === 0) return 'its Statement is empty';
  for (const [index, entry] of statements.entries()) {
    if (!isObject(entry)) return `Statement[${index}] is not an object`;
    if (entry.Effect !== 'Allow' && entry.Effect !== 'Deny') return `Statement[${index}].Effect is neither Allow nor Deny`;
    if (!isStringOrStrings(entry.Action) && !isStringOrStrings(entry.NotAction)) return `Statement[${index}] has no Action or NotAction`;
  }
  return undefined;
}

/**
 * Checks a document sent as `Content` and returns it parsed. Throws InvalidInputException past
 * the API's length, ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED past the type's
 * size, MalformedPolicyDocumentException for anything that is not a document of the type.
 */
export function checkPolicyContent(type: PolicyType, content: string): Record<string, unknown> {
  if (content.length > CONTENT_MAX_LENGTH) throw invalidInput(InvalidInputReason.MAX_LENGTH_EXCEEDED, `Content must be at most ${CONTENT_MAX_LENGTH} characters.`);
  if (content.length > POLICY_CONTENT_MAX_CHARS[type]) {
    throw constraintViolation(ConstraintViolationReason.POLICY_CONTENT_LIMIT_EXCEEDED, 'You have exceeded the maximum policy size.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw malformed('it is not valid JSON');
  }
  if (!isObject(parsed)) throw malformed('it is not a JSON object');
  if (type === PolicyType.SERVICE_CONTROL_POLICY || type === PolicyType.RESOURCE_CONTROL_POLICY) {
    const problem = statementProblem(parsed);
    if (problem !== undefined) throw malformed(problem);
  }
  return parsed;
}

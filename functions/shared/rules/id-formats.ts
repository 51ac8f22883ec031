/**
 * AWS identifier formats, as the APIs document them. Used to validate the protection rules,
 * the local organization file and CloudTrail request parameters.
 */

const PARTITION = 'aws(?:-[a-z]+)*';
/** IAM names and path segments: letters, digits and `+=,.@_-` (IAM's documented character set). */
const NAME = '[\\w+=,.@-]{1,64}';
const PATH = `(?:[\\w+=,.@-]+/)*`;

export const IdFormat = {
  policy: { pattern: /^p-[0-9a-zA-Z_]{8,128}$/, text: 'p-[0-9a-zA-Z_]{8,128} (a policy id)' },
  root: { pattern: /^r-[0-9a-z]{4,32}$/, text: 'r-[0-9a-z]{4,32} (a root id)' },
  organizationalUnit: { pattern: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, text: 'ou-[0-9a-z]{4,32}-[a-z0-9]{8,32} (an OU id)' },
  account: { pattern: /^\d{12}$/, text: 'twelve digits (an account id)' },
  /**
   * The principals `ignorePrincipals` may name, as CloudTrail gives them in `userIdentity.arn` or
   * `sessionContext.sessionIssuer.arn`: the root user, or an IAM user or role (with its path, if
   * it has one). Session ARNs are refused by the rules schema before this pattern is tried.
   */
  principalArn: {
    pattern: new RegExp(`^arn:${PARTITION}:iam::\\d{12}:(?:root|user/${PATH}${NAME}|role/${PATH}${NAME})$`),
    text: 'the ARN of an IAM role or user (arn:aws:iam::111122223333:role/OrgPipelineRole, with the role\'s path if it has one) or the root user',
  },
  /**
   * CloudTrail event ids are GUIDs; AWS's own documentation examples use letters in them too.
   * The bound keeps junk out of DynamoDB keys (2 KB at most) and execution payloads.
   */
  eventId: { pattern: /^[0-9A-Za-z][0-9A-Za-z-]{7,127}$/, text: 'a CloudTrail event id (letters, digits and hyphens, 8 to 128 characters)' },
} as const;

/** The AWS-managed SCP every target starts with; enabling SCPs on a root attaches it everywhere. */
export const FULL_AWS_ACCESS = 'p-FullAWSAccess';

export const TARGET_ID_TEXT = 'a root (r-…), OU (ou-…-…) or account (12 digits) id';

export type TargetKind = 'ROOT' | 'ORGANIZATIONAL_UNIT' | 'ACCOUNT';

/** The kind of attachment point an id names, or undefined when it names none. */
export function targetKindOf(id: string): TargetKind | undefined {
  if (IdFormat.root.pattern.test(id)) return 'ROOT';
  if (IdFormat.organizationalUnit.pattern.test(id)) return 'ORGANIZATIONAL_UNIT';
  if (IdFormat.account.pattern.test(id)) return 'ACCOUNT';
  return undefined;
}

export const isPolicyId = (id: string): boolean => IdFormat.policy.pattern.test(id);

export const isEventId = (id: string): boolean => IdFormat.eventId.pattern.test(id);

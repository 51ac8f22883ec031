/**
 * AWS Organizations identifier formats, as the API documents them. Used to validate the
 * protection rules, the local organization file and CloudTrail request parameters.
 */
export const IdFormat = {
  policy: { pattern: /^p-[0-9a-zA-Z_]{8,128}$/, text: 'p-[0-9a-zA-Z_]{8,128} (a policy id)' },
  root: { pattern: /^r-[0-9a-z]{4,32}$/, text: 'r-[0-9a-z]{4,32} (a root id)' },
  organizationalUnit: { pattern: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/, text: 'ou-[0-9a-z]{4,32}-[a-z0-9]{8,32} (an OU id)' },
  account: { pattern: /^\d{12}$/, text: 'twelve digits (an account id)' },
  principalArn: {
    pattern: /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/-]+$/,
    text: 'an IAM or STS ARN such as arn:aws:iam::111122223333:role/OrgPipelineRole',
  },
} as const;

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

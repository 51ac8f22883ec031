import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { IdFormat } from '../../../functions/shared/rules/id-formats';
import { formatPath } from '../../../functions/shared/format-path';
import { PolicyType, valuesOf } from '../../../functions/shared/vocabulary';

/**
 * The local organization file (a contract: docs/contracts.md, "The local organization"), validated with zod and then checked
 * for references: every parent, target and management account must exist. Unknown keys are
 * errors. `policyTypes` (optional, a contract key) lists the policy types enabled on the root;
 * without it, SCPs are enabled and so is every type the file has a policy of (the files written
 * before the key existed load as they did). Two optional keys extend the contract:
 * `organizationId` and `managementAccountId` (by default the first account directly under the
 * root, else the first account).
 *
 * The file may describe what the API would not let a caller build (a target with no SCP, more
 * than ten on one); the endpoint's rules apply to the calls made against it from then on.
 */

const id = (format: { pattern: RegExp; text: string }) => z.string().regex(format.pattern, { message: `expected ${format.text}` });

const organizationalUnitSchema = z
  .object({
    id: id(IdFormat.organizationalUnit),
    name: z.string().min(1).max(128),
    parentId: z.string().min(1, { message: 'expected the id of the root or of an OU' }),
  })
  .strict();

const accountSchema = z
  .object({
    id: id(IdFormat.account),
    // AWS limits account names to 50 characters.
    name: z.string().min(1).max(50),
    parentId: z.string().min(1, { message: 'expected the id of the root or of an OU' }),
    email: z.email({ message: 'expected an email address' }).optional(),
  })
  .strict();

const policySchema = z
  .object({
    id: id(IdFormat.policy),
    name: z.string().min(1).max(128),
    type: z.enum(valuesOf(PolicyType), { message: `expected one of ${Object.values(PolicyType).join(', ')}` }),
    content: z.record(z.string(), z.unknown(), { message: 'expected the policy document as a JSON object' }),
    targets: z.array(z.string()).default([]),
    description: z.string().max(512).optional(),
    awsManaged: z.boolean().optional(),
  })
  .strict();

export const organizationFileSchema = z
  .object({
    rootId: id(IdFormat.root),
    organizationId: z.string().regex(/^o-[a-z0-9]{10,32}$/, { message: 'expected o-[a-z0-9]{10,32} (an organization id)' }).optional(),
    managementAccountId: id(IdFormat.account).optional(),
    policyTypes: z
      .array(z.enum(valuesOf(PolicyType), { message: `expected one of ${Object.values(PolicyType).join(', ')}` }))
      .refine((types) => new Set(types).size === types.length, { message: 'expected each policy type once' })
      .optional(),
    organizationalUnits: z.array(organizationalUnitSchema).default([]),
    accounts: z.array(accountSchema).min(1, { message: 'expected at least the management account' }),
    policies: z.array(policySchema).default([]),
  })
  .strict();

/** A validated organization file. */
export type OrganizationFile = z.output<typeof organizationFileSchema>;
export type OrganizationFileOu = OrganizationFile['organizationalUnits'][number];
export type OrganizationFileAccount = OrganizationFile['accounts'][number];
export type OrganizationFilePolicy = OrganizationFile['policies'][number];

/** An organization file that does not validate; `problems` name the field and the rule. */
export class InvalidOrganizationError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`${source} is not a valid organization file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidOrganizationError';
  }
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path) || '(top level)';
  if (issue.code === 'unrecognized_keys') return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${where}: required`;
  return `${where}: ${issue.message}`;
}

/** Problems with references between entries; empty when the organization holds together. */
function referenceProblems(org: OrganizationFile): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string>([[org.rootId, 'rootId']]);
  const claim = (value: string, where: string): void => {
    const owner = owners.get(value);
    if (owner) problems.push(`${where}: "${value}" is already used by ${owner}`);
    else owners.set(value, where);
  };
  org.organizationalUnits.forEach((ou, i) => claim(ou.id, `organizationalUnits[${i}].id`));
  org.accounts.forEach((account, i) => claim(account.id, `accounts[${i}].id`));
  org.policies.forEach((policy, i) => claim(policy.id, `policies[${i}].id`));

  const ouParents = new Map(org.organizationalUnits.map((ou) => [ou.id, ou.parentId]));
  const isContainer = (value: string): boolean => value === org.rootId || ouParents.has(value);
  org.organizationalUnits.forEach((ou, i) => {
    if (!isContainer(ou.parentId)) problems.push(`organizationalUnits[${i}].parentId: no root or OU "${ou.parentId}" in the organization`);
    else if (reachesItself(ou.id, ouParents)) problems.push(`organizationalUnits[${i}].parentId: "${ou.parentId}" makes a cycle; every OU must lead up to the root`);
  });
  org.accounts.forEach((account, i) => {
    if (!isContainer(account.parentId)) problems.push(`accounts[${i}].parentId: no root or OU "${account.parentId}" in the organization`);
  });

  const targets = new Set([org.rootId, ...ouParents.keys(), ...org.accounts.map((a) => a.id)]);
  const names = new Map<string, number>();
  org.policies.forEach((policy, i) => {
    const seen = new Set<string>();
    policy.targets.forEach((target, j) => {
      if (!targets.has(target)) problems.push(`policies[${i}].targets[${j}]: no root, OU or account "${target}" in the organization`);
      else if (seen.has(target)) problems.push(`policies[${i}].targets[${j}]: "${target}" is listed twice`);
      seen.add(target);
    });
    // Organizations refuses two policies of one type with the same name (DuplicatePolicyException).
    if (org.policyTypes !== undefined && policy.targets.length > 0 && !org.policyTypes.includes(policy.type)) {
      problems.push(`policies[${i}].targets: ${policy.type} is not enabled on the root (policyTypes), so no policy of it can be attached`);
    }
    const key = `${policy.type}/${policy.name}`;
    const first = names.get(key);
    if (first !== undefined) problems.push(`policies[${i}].name: "${policy.name}" is already the name of policies[${first}]`);
    else names.set(key, i);
  });

  if (org.managementAccountId && !org.accounts.some((a) => a.id === org.managementAccountId)) {
    problems.push(`managementAccountId: no account "${org.managementAccountId}" in the organization`);
  }
  return problems;
}

function reachesItself(start: string, parents: ReadonlyMap<string, string>): boolean {
  const visited = new Set<string>();
  for (let current = parents.get(start); current !== undefined; current = parents.get(current)) {
    if (current === start) return true;
    if (visited.has(current)) return false;
    visited.add(current);
  }
  return false;
}

/** Validates parsed JSON as an organization; throws InvalidOrganizationError naming every problem. */
export function parseOrganization(json: unknown, source = 'organization'): OrganizationFile {
  // reportInput tells a missing field (no input) from one of the wrong type.
  const result = organizationFileSchema.safeParse(json, { reportInput: true });
  if (!result.success) throw new InvalidOrganizationError(source, result.error.issues.map(formatIssue));
  const problems = referenceProblems(result.data);
  if (problems.length > 0) throw new InvalidOrganizationError(source, problems);
  return result.data;
}

/** Reads and validates an organization file. */
export function loadOrganizationFile(path: string): OrganizationFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidOrganizationError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidOrganizationError(path, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseOrganization(json, path);
}

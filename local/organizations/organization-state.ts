import { AwsServiceError } from '../aws-json-protocol/errors';
import { IdFormat, targetKindOf } from '../../functions/shared/rules/id-formats';
import { PolicyType, TargetType } from '../../functions/shared/vocabulary';
import {
  loadOrganizationFile,
  parseOrganization,
  type OrganizationFile,
  type OrganizationFileAccount,
  type OrganizationFileOu,
  type OrganizationFilePolicy,
} from './organization-file';

/**
 * The local organization in memory: roots, OUs, accounts, policies and which policy is
 * attached to which target. Its methods keep AWS Organizations' rules and throw the errors the
 * API answers with (as AwsServiceError, so the endpoint passes them through unchanged).
 */

/** Errors the Organizations API answers with for the calls served locally. */
export const OrganizationsErrorName = {
  DUPLICATE_POLICY_ATTACHMENT: 'DuplicatePolicyAttachmentException',
  POLICY_NOT_FOUND: 'PolicyNotFoundException',
  TARGET_NOT_FOUND: 'TargetNotFoundException',
  POLICY_NOT_ATTACHED: 'PolicyNotAttachedException',
  CONSTRAINT_VIOLATION: 'ConstraintViolationException',
  POLICY_TYPE_NOT_ENABLED: 'PolicyTypeNotEnabledException',
  ACCOUNT_NOT_FOUND: 'AccountNotFoundException',
  ORGANIZATIONAL_UNIT_NOT_FOUND: 'OrganizationalUnitNotFoundException',
  CHILD_NOT_FOUND: 'ChildNotFoundException',
  PARENT_NOT_FOUND: 'ParentNotFoundException',
  INVALID_INPUT: 'InvalidInputException',
} as const;
export type OrganizationsErrorName = (typeof OrganizationsErrorName)[keyof typeof OrganizationsErrorName];

/** An error of the Organizations API (status 400, like every client error it answers). */
export class OrganizationsApiError extends AwsServiceError {
  constructor(name: OrganizationsErrorName, message: string, members?: Readonly<Record<string, unknown>>) {
    super(name, message, { statusCode: 400, members });
  }
}

/** InvalidInputException with its `Reason`, as the API sends it. */
export function invalidInput(reason: string, message: string): OrganizationsApiError {
  return new OrganizationsApiError(OrganizationsErrorName.INVALID_INPUT, message, { Reason: reason });
}

/** A policy as the local organization knows it. */
export interface PolicyView {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly type: PolicyType;
  readonly description: string;
  readonly awsManaged: boolean;
  readonly content: Readonly<Record<string, unknown>>;
}

/** A root, OU or account, as a policy target. */
export interface TargetView {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly type: TargetType;
}

/** The root's fixed display name. */
export const ROOT_NAME = 'Root';

/** The in-memory organization the local Organizations endpoint serves. */
export class LocalOrganization {
  readonly rootId: string;
  readonly organizationId: string;
  readonly managementAccountId: string;
  private readonly ous = new Map<string, OrganizationFileOu>();
  private readonly accounts = new Map<string, OrganizationFileAccount>();
  private readonly policies = new Map<string, OrganizationFilePolicy>();
  /** policyId -> attached target ids, in attachment order. */
  private readonly attachments = new Map<string, Set<string>>();
  private readonly enabledTypes = new Set<PolicyType>([PolicyType.SERVICE_CONTROL_POLICY]);

  /** Builds the organization from a validated file (see parseOrganization). */
  constructor(file: OrganizationFile) {
    this.rootId = file.rootId;
    this.organizationId = file.organizationId ?? `o-${file.rootId.slice(2).padEnd(10, '0')}`;
    this.managementAccountId =
      file.managementAccountId ?? (file.accounts.find((a) => a.parentId === file.rootId) ?? file.accounts[0]).id;
    for (const ou of file.organizationalUnits) this.ous.set(ou.id, { ...ou });
    for (const account of file.accounts) this.accounts.set(account.id, { ...account });
    for (const policy of file.policies) {
      this.policies.set(policy.id, { ...policy, targets: [] });
      this.attachments.set(policy.id, new Set(policy.targets));
      this.enabledTypes.add(policy.type);
    }
  }

  /** Reads, validates and loads an organization file. */
  static fromFile(path: string): LocalOrganization {
    return new LocalOrganization(loadOrganizationFile(path));
  }

  /** Validates parsed JSON and loads it. */
  static fromJson(json: unknown, source?: string): LocalOrganization {
    return new LocalOrganization(parseOrganization(json, source));
  }

  /** The organization's ARN. */
  get arn(): string {
    return `arn:aws:organizations::${this.managementAccountId}:organization/${this.organizationId}`;
  }

  /** Policy types enabled in the root: SCP plus every type the file has a policy of. */
  enabledPolicyTypes(): PolicyType[] {
    return [...this.enabledTypes];
  }

  /** Disables a policy type and, as AWS's DisablePolicyType does, detaches every policy of it. */
  disablePolicyType(type: PolicyType): void {
    this.enabledTypes.delete(type);
    for (const policy of this.policies.values()) if (policy.type === type) this.attachments.get(policy.id)?.clear();
  }

  /** Enables a policy type in the root. */
  enablePolicyType(type: PolicyType): void {
    this.enabledTypes.add(type);
  }

  /** Attaches a policy to a target, with AttachPolicy's rules. */
  attachPolicy(policyId: string, targetId: string): void {
    const policy = this.requirePolicy(policyId);
    this.requireTarget(targetId);
    if (!this.enabledTypes.has(policy.type)) {
      throw new OrganizationsApiError(OrganizationsErrorName.POLICY_TYPE_NOT_ENABLED, `The ${policy.type} policy type is not enabled in the root.`);
    }
    const targets = this.targetsOf(policyId);
    if (targets.has(targetId)) {
      throw new OrganizationsApiError(OrganizationsErrorName.DUPLICATE_POLICY_ATTACHMENT, 'The selected policy is already attached to the specified target.');
    }
    targets.add(targetId);
  }

  /** Detaches a policy from a target, with DetachPolicy's rules. */
  detachPolicy(policyId: string, targetId: string): void {
    const policy = this.requirePolicy(policyId);
    this.requireTarget(targetId);
    const targets = this.targetsOf(policyId);
    if (!targets.has(targetId)) {
      throw new OrganizationsApiError(OrganizationsErrorName.POLICY_NOT_ATTACHED, 'The policy is not attached to the specified target.');
    }
    // With SCPs enabled, every root, OU and account keeps at least one SCP attached.
    if (policy.type === PolicyType.SERVICE_CONTROL_POLICY && this.policyIdsOn(targetId, policy.type).length === 1) {
      throw new OrganizationsApiError(
        OrganizationsErrorName.CONSTRAINT_VIOLATION,
        'You cannot detach the last service control policy from a target: attach another one first.',
        { Reason: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED' },
      );
    }
    targets.delete(targetId);
  }

  /** Whether the policy is attached directly to the target. */
  isAttached(policyId: string, targetId: string): boolean {
    return this.attachments.get(policyId)?.has(targetId) ?? false;
  }

  /** Policies of one type attached directly to a target, in file order. */
  policiesForTarget(targetId: string, type: PolicyType): PolicyView[] {
    this.requireTarget(targetId);
    return this.policyIdsOn(targetId, type).map((id) => this.policy(id));
  }

  /** Targets a policy is attached to, in attachment order. */
  targetsForPolicy(policyId: string): TargetView[] {
    this.requirePolicy(policyId);
    return [...this.targetsOf(policyId)].map((id) => this.target(id));
  }

  /** A policy, or PolicyNotFoundException. */
  policy(policyId: string): PolicyView {
    const policy = this.requirePolicy(policyId);
    const typePath = policy.type.toLowerCase();
    const arn = policy.awsManaged
      ? `arn:aws:organizations::aws:policy/${typePath}/${policy.id}`
      : `arn:aws:organizations::${this.managementAccountId}:policy/${this.organizationId}/${typePath}/${policy.id}`;
    return {
      id: policy.id,
      arn,
      name: policy.name,
      type: policy.type,
      description: policy.description ?? '',
      awsManaged: policy.awsManaged ?? false,
      content: policy.content,
    };
  }

  /** A root, OU or account, or TargetNotFoundException. */
  target(targetId: string): TargetView {
    const type = this.requireTarget(targetId);
    const base = `arn:aws:organizations::${this.managementAccountId}`;
    if (type === TargetType.ROOT) return { id: targetId, type, name: ROOT_NAME, arn: `${base}:root/${this.organizationId}/${targetId}` };
    if (type === TargetType.ORGANIZATIONAL_UNIT) {
      return { id: targetId, type, name: this.ous.get(targetId)?.name ?? '', arn: `${base}:ou/${this.organizationId}/${targetId}` };
    }
    return { id: targetId, type, name: this.accounts.get(targetId)?.name ?? '', arn: `${base}:account/${this.organizationId}/${targetId}` };
  }

  /** An account, or AccountNotFoundException. */
  account(accountId: string): Required<OrganizationFileAccount> & { readonly arn: string; readonly path: string } {
    const account = this.accounts.get(accountId);
    if (!account) {
      if (!IdFormat.account.pattern.test(accountId)) throw invalidInput('INVALID_PATTERN', 'You provided a value that does not match the required pattern.');
      throw new OrganizationsApiError(OrganizationsErrorName.ACCOUNT_NOT_FOUND, "You specified an account that doesn't exist.");
    }
    return { ...account, email: account.email ?? `aws+${account.id}@example.com`, arn: this.target(accountId).arn, path: this.pathOf(accountId) };
  }

  /** An OU, or OrganizationalUnitNotFoundException. */
  organizationalUnit(ouId: string): OrganizationFileOu & { readonly arn: string; readonly path: string } {
    const ou = this.ous.get(ouId);
    if (!ou) {
      if (!IdFormat.organizationalUnit.pattern.test(ouId)) throw invalidInput('INVALID_PATTERN', 'You provided a value that does not match the required pattern.');
      throw new OrganizationsApiError(OrganizationsErrorName.ORGANIZATIONAL_UNIT_NOT_FOUND, 'The specified OU was not found.');
    }
    return { ...ou, arn: this.target(ouId).arn, path: this.pathOf(ouId) };
  }

  /** The parent of an OU or account, or ChildNotFoundException. */
  parentOf(childId: string): { readonly id: string; readonly type: typeof TargetType.ROOT | typeof TargetType.ORGANIZATIONAL_UNIT } {
    const parentId = this.ous.get(childId)?.parentId ?? this.accounts.get(childId)?.parentId;
    if (parentId === undefined) throw new OrganizationsApiError(OrganizationsErrorName.CHILD_NOT_FOUND, 'The specified child was not found.');
    return { id: parentId, type: parentId === this.rootId ? TargetType.ROOT : TargetType.ORGANIZATIONAL_UNIT };
  }

  /** The OUs or accounts directly inside a root or OU, in file order (ListChildren). */
  childrenOf(parentId: string, type: typeof TargetType.ORGANIZATIONAL_UNIT | typeof TargetType.ACCOUNT): { readonly id: string; readonly type: TargetType }[] {
    const kind = targetKindOf(parentId);
    if (kind !== TargetType.ROOT && kind !== TargetType.ORGANIZATIONAL_UNIT) throw invalidInput('INVALID_PATTERN', 'You provided a value that does not match the required pattern.');
    if (parentId !== this.rootId && !this.ous.has(parentId)) throw new OrganizationsApiError(OrganizationsErrorName.PARENT_NOT_FOUND, "We can't find a root or OU with the ParentId that you specified.");
    const children = type === TargetType.ACCOUNT ? [...this.accounts.values()] : [...this.ous.values()];
    return children.filter((child) => child.parentId === parentId).map((child) => ({ id: child.id, type }));
  }

  /**
   * Test helper: the policy disappears with its attachments, as if deleted by someone else
   * (AWS would first require it detached everywhere; a test may need the abrupt case).
   */
  deletePolicy(policyId: string): void {
    this.requirePolicy(policyId);
    this.policies.delete(policyId);
    this.attachments.delete(policyId);
  }

  /** Test helper: an account or an empty OU disappears, with every attachment to it. */
  removeTarget(targetId: string): void {
    const type = this.requireTarget(targetId);
    if (type === TargetType.ROOT) throw new Error(`removeTarget: the root ${targetId} cannot be removed`);
    const hasChildren = [...this.ous.values(), ...this.accounts.values()].some((child) => child.parentId === targetId);
    if (hasChildren) throw new Error(`removeTarget: ${targetId} still has child OUs or accounts`);
    this.ous.delete(targetId);
    this.accounts.delete(targetId);
    for (const targets of this.attachments.values()) targets.delete(targetId);
  }

  /** The organization in the file's shape, with the current attachments as `targets`. */
  toJSON(): OrganizationFile {
    return {
      rootId: this.rootId,
      organizationId: this.organizationId,
      managementAccountId: this.managementAccountId,
      organizationalUnits: [...this.ous.values()].map((ou) => ({ ...ou })),
      accounts: [...this.accounts.values()].map((account) => ({ ...account })),
      policies: [...this.policies.values()].map((policy) => ({ ...policy, targets: [...this.targetsOf(policy.id)] })),
    };
  }

  private requirePolicy(policyId: string): OrganizationFilePolicy {
    const policy = this.policies.get(policyId);
    if (policy) return policy;
    if (!IdFormat.policy.pattern.test(policyId)) throw invalidInput('INVALID_SYNTAX_POLICY_ID', 'You provided a policy ID that does not match the required pattern.');
    throw new OrganizationsApiError(OrganizationsErrorName.POLICY_NOT_FOUND, "We can't find a policy with the PolicyId that you specified.");
  }

  private requireTarget(targetId: string): TargetType {
    const kind = targetKindOf(targetId);
    if (kind === undefined) throw invalidInput('INVALID_PATTERN_TARGET_ID', 'You provided a target ID that does not match the required pattern.');
    const exists = kind === TargetType.ROOT ? targetId === this.rootId : kind === TargetType.ORGANIZATIONAL_UNIT ? this.ous.has(targetId) : this.accounts.has(targetId);
    if (!exists) throw new OrganizationsApiError(OrganizationsErrorName.TARGET_NOT_FOUND, "We can't find a root, OU, account, or email address with the TargetId that you specified.");
    return kind;
  }

  private targetsOf(policyId: string): Set<string> {
    let targets = this.attachments.get(policyId);
    if (!targets) this.attachments.set(policyId, (targets = new Set()));
    return targets;
  }

  private policyIdsOn(targetId: string, type: PolicyType): string[] {
    return [...this.policies.values()].filter((p) => p.type === type && this.isAttached(p.id, targetId)).map((p) => p.id);
  }

  /** `o-…/r-…/ou-…/…/id/`, as Organizations writes entity paths. */
  private pathOf(id: string): string {
    const chain = [id];
    for (let parent = this.ous.get(id)?.parentId ?? this.accounts.get(id)?.parentId; parent !== undefined; parent = this.ous.get(parent)?.parentId) {
      chain.unshift(parent);
    }
    return `${this.organizationId}/${chain.join('/')}/`;
  }
}

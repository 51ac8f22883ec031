import { randomBytes } from 'node:crypto';
import { IdFormat, targetKindOf } from '../../../functions/shared/rules/id-formats';
import { PolicyType, TargetType, valuesOf } from '../../../functions/shared/vocabulary';
import {
  ConstraintViolationReason,
  constraintViolation,
  InvalidInputReason,
  invalidInput,
  OrganizationsApiError,
  OrganizationsErrorName,
} from './errors';
import {
  loadOrganizationFile,
  parseOrganization,
  type OrganizationFile,
  type OrganizationFileAccount,
  type OrganizationFileOu,
} from './organization-file';
import { checkPolicyContent, POLICY_NUMBER_LIMIT } from './policy-content';

/**
 * The local organization in memory: roots, OUs, accounts, policies, which policy is attached to
 * which target, and which policy types the root has enabled. Its methods keep AWS Organizations'
 * rules and throw the errors the API answers with (as AwsServiceError, so the endpoint passes
 * them through unchanged). docs/contracts.md ("The local organization") states them per call.
 */

/** A policy as the local organization knows it. */
export interface PolicyView {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly type: PolicyType;
  readonly description: string;
  readonly awsManaged: boolean;
  readonly content: Readonly<Record<string, unknown>>;
  /** The document as DescribePolicy answers it: as UpdatePolicy or CreatePolicy sent it, whitespace and all. */
  readonly contentText: string;
}

/** A root, OU or account, as a policy target. */
export interface TargetView {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly type: TargetType;
}

/** An account with what DescribeAccount and ListAccountsForParent answer of it. */
export type AccountView = Required<OrganizationFileAccount> & { readonly arn: string; readonly path: string };

/** An OU with what DescribeOrganizationalUnit and ListOrganizationalUnitsForParent answer of it. */
export type OrganizationalUnitView = OrganizationFileOu & { readonly arn: string; readonly path: string };

/** What UpdatePolicy may change; an absent member stays as it is. */
export interface PolicyUpdate {
  readonly name?: string;
  readonly description?: string;
  /** The new document as a JSON string, exactly as the API takes it. */
  readonly content?: string;
}

/** What CreatePolicy takes. */
export interface NewPolicy {
  readonly name: string;
  readonly description: string;
  readonly type: PolicyType;
  /** The document as a JSON string, exactly as the API takes it. */
  readonly content: string;
}

/** The root's fixed display name. */
export const ROOT_NAME = 'Root';

/** The AWS-managed SCP that enabling SCPs attaches everywhere. */
export const FULL_AWS_ACCESS_POLICY_ID = 'p-FullAWSAccess';

/** At most this many SCPs attached directly to one root, OU or account (5 until May 2026). */
export const MAX_SCPS_PER_TARGET = 10;

const FULL_AWS_ACCESS_CONTENT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** Name and description bounds of CreatePolicy and UpdatePolicy (API reference, Length Constraints). */
const NAME_MAX = 128;
const DESCRIPTION_MAX = 512;

const TYPE_ORDER: readonly PolicyType[] = valuesOf(PolicyType);
const inTypeOrder = (types: Iterable<PolicyType>): PolicyType[] => [...types].sort((a, b) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));

const PARENT_ID = /^(?:r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

interface StoredPolicy {
  readonly id: string;
  name: string;
  readonly type: PolicyType;
  description?: string;
  readonly awsManaged?: boolean;
  content: Record<string, unknown>;
  contentText: string;
}

/** The in-memory organization the local Organizations endpoint serves. */
export class LocalOrganization {
  readonly rootId: string;
  readonly organizationId: string;
  readonly managementAccountId: string;
  private readonly ous = new Map<string, OrganizationFileOu>();
  private readonly accounts = new Map<string, OrganizationFileAccount>();
  private readonly policies = new Map<string, StoredPolicy>();
  /** policyId -> attached target ids, in attachment order. */
  private readonly attachments = new Map<string, Set<string>>();
  /** Types enabled on the root (ListRoots). */
  private readonly enabledTypes: Set<PolicyType>;
  /** Types ever enabled in the organization (DescribeOrganization): a root-level disable leaves them there. */
  private readonly availableTypes: Set<PolicyType>;

  /** Builds the organization from a validated file (see parseOrganization). */
  constructor(file: OrganizationFile) {
    this.rootId = file.rootId;
    this.organizationId = file.organizationId ?? `o-${file.rootId.slice(2).padEnd(10, '0')}`;
    this.managementAccountId =
      file.managementAccountId ?? (file.accounts.find((a) => a.parentId === file.rootId) ?? file.accounts[0]).id;
    for (const ou of file.organizationalUnits) this.ous.set(ou.id, { ...ou });
    for (const account of file.accounts) this.accounts.set(account.id, { ...account });
    for (const { targets, ...policy } of file.policies) {
      this.policies.set(policy.id, { ...policy, contentText: JSON.stringify(policy.content) });
      this.attachments.set(policy.id, new Set(targets));
    }
    // Without `policyTypes`, files load as they did before the key: SCPs plus every type they hold.
    this.enabledTypes = new Set(file.policyTypes ?? [PolicyType.SERVICE_CONTROL_POLICY, ...file.policies.map((p) => p.type)]);
    this.availableTypes = new Set([PolicyType.SERVICE_CONTROL_POLICY, ...this.enabledTypes]);
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

  /** Policy types enabled on the root, in the API's order (ListRoots' `PolicyTypes`). */
  enabledPolicyTypes(): PolicyType[] {
    return inTypeOrder(this.enabledTypes);
  }

  /**
   * Policy types available in the organization (DescribeOrganization's deprecated
   * `AvailablePolicyTypes`): "If you disable a policy type for a root, it still appears enabled
   * for the organization if all features are enabled for the organization."
   */
  availablePolicyTypes(): PolicyType[] {
    return inTypeOrder(this.availableTypes);
  }

  /** Whether a policy type is enabled on the root. */
  isPolicyTypeEnabled(type: PolicyType): boolean {
    return this.enabledTypes.has(type);
  }

  /** The root, as ListRoots, EnablePolicyType and DisablePolicyType answer it. */
  root(rootId: string = this.rootId): TargetView & { readonly policyTypes: PolicyType[] } {
    this.requireRoot(rootId);
    return { ...this.target(rootId), policyTypes: this.enabledPolicyTypes() };
  }

  /**
   * DisablePolicyType: detaches every policy of the type from every root, OU and account (the
   * policies stay), and no policy of it can be attached until the type is enabled again.
   * Returns how many attachments went. PolicyTypeNotEnabledException when it is not enabled.
   */
  disablePolicyType(type: PolicyType, rootId: string = this.rootId): number {
    this.requireRoot(rootId);
    if (!this.enabledTypes.has(type)) throw policyTypeNotEnabled(type);
    this.enabledTypes.delete(type);
    let detached = 0;
    for (const policy of this.policies.values()) {
      if (policy.type !== type) continue;
      const targets = this.targetsOf(policy.id);
      detached += targets.size;
      targets.clear();
    }
    return detached;
  }

  /**
   * EnablePolicyType. Enabling SCPs attaches FullAWSAccess to the root and to every OU and
   * account, and only that: the attachments a disable removed do not come back. Returns how many
   * attachments it made. PolicyTypeAlreadyEnabledException when the type is enabled.
   */
  enablePolicyType(type: PolicyType, rootId: string = this.rootId): number {
    this.requireRoot(rootId);
    if (this.enabledTypes.has(type)) {
      throw new OrganizationsApiError(OrganizationsErrorName.POLICY_TYPE_ALREADY_ENABLED, 'The specified policy type is already enabled in the specified root.');
    }
    this.enabledTypes.add(type);
    this.availableTypes.add(type);
    if (type !== PolicyType.SERVICE_CONTROL_POLICY) return 0;
    if (!this.policies.has(FULL_AWS_ACCESS_POLICY_ID)) {
      // AWS creates FullAWSAccess with the organization; a file may have left it out.
      this.policies.set(FULL_AWS_ACCESS_POLICY_ID, {
        id: FULL_AWS_ACCESS_POLICY_ID,
        name: 'FullAWSAccess',
        type: PolicyType.SERVICE_CONTROL_POLICY,
        description: 'Allows access to every operation',
        awsManaged: true,
        content: FULL_AWS_ACCESS_CONTENT,
        contentText: JSON.stringify(FULL_AWS_ACCESS_CONTENT),
      });
    }
    const everyTarget = [this.rootId, ...this.ous.keys(), ...this.accounts.keys()];
    this.attachments.set(FULL_AWS_ACCESS_POLICY_ID, new Set(everyTarget));
    return everyTarget.length;
  }

  /** Attaches a policy to a target, with AttachPolicy's rules (at most ten SCPs per target). */
  attachPolicy(policyId: string, targetId: string): void {
    const policy = this.requirePolicy(policyId);
    this.requireTarget(targetId);
    if (!this.enabledTypes.has(policy.type)) throw policyTypeNotEnabled(policy.type);
    const targets = this.targetsOf(policyId);
    if (targets.has(targetId)) {
      throw new OrganizationsApiError(OrganizationsErrorName.DUPLICATE_POLICY_ATTACHMENT, 'The selected policy is already attached to the specified target.');
    }
    if (policy.type === PolicyType.SERVICE_CONTROL_POLICY && this.policyIdsOn(targetId, policy.type).length >= MAX_SCPS_PER_TARGET) {
      throw constraintViolation(
        ConstraintViolationReason.MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED,
        `You attempted to attach more than ${MAX_SCPS_PER_TARGET} service control policies to the specified target.`,
      );
    }
    targets.add(targetId);
  }

  /** Detaches a policy from a target, with DetachPolicy's rules (at least one SCP stays while SCPs are enabled). */
  detachPolicy(policyId: string, targetId: string): void {
    const policy = this.requirePolicy(policyId);
    this.requireTarget(targetId);
    const targets = this.targetsOf(policyId);
    if (!targets.has(targetId)) {
      throw new OrganizationsApiError(OrganizationsErrorName.POLICY_NOT_ATTACHED, 'The policy is not attached to the specified target.');
    }
    if (
      policy.type === PolicyType.SERVICE_CONTROL_POLICY &&
      this.enabledTypes.has(policy.type) &&
      this.policyIdsOn(targetId, policy.type).length === 1
    ) {
      throw constraintViolation(
        ConstraintViolationReason.MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED,
        'You cannot detach the last service control policy from a target: attach another one first.',
      );
    }
    targets.delete(targetId);
  }

  /**
   * MoveAccount: the account leaves `sourceParentId` for `destinationParentId`. Its own
   * attachments go with it; what it inherited from the source does not. A source that exists but
   * is not the account's parent is SourceParentNotFoundException, as a source that does not
   * exist: AWS documents no other error for it ("We can't find a source root or OU with the
   * ParentId that you specified").
   */
  moveAccount(accountId: string, sourceParentId: string, destinationParentId: string): void {
    if (!IdFormat.account.pattern.test(accountId)) throw invalidInput(InvalidInputReason.INVALID_PATTERN, 'You provided a value that does not match the required pattern.');
    if (!PARENT_ID.test(sourceParentId) || !PARENT_ID.test(destinationParentId)) {
      throw invalidInput(InvalidInputReason.INVALID_PATTERN, 'You provided a value that does not match the required pattern.');
    }
    const account = this.accounts.get(accountId);
    if (!account) throw new OrganizationsApiError(OrganizationsErrorName.ACCOUNT_NOT_FOUND, "You specified an account that doesn't exist.");
    const sourceNotFound = () =>
      new OrganizationsApiError(OrganizationsErrorName.SOURCE_PARENT_NOT_FOUND, "We can't find a source root or OU with the ParentId that you specified.");
    if (!this.isContainer(sourceParentId)) throw sourceNotFound();
    if (!this.isContainer(destinationParentId)) {
      throw new OrganizationsApiError(
        OrganizationsErrorName.DESTINATION_PARENT_NOT_FOUND,
        "We can't find the destination container (a root or OU) with the ParentId that you specified.",
      );
    }
    if (account.parentId !== sourceParentId) throw sourceNotFound();
    if (destinationParentId === account.parentId) {
      throw new OrganizationsApiError(OrganizationsErrorName.DUPLICATE_ACCOUNT, 'That account is already present in the specified destination.');
    }
    account.parentId = destinationParentId;
  }

  /**
   * UpdatePolicy: a new name, description or document (JSON, within its type's size); the rest
   * stays. AWS-managed policies cannot be changed (InvalidInputException IMMUTABLE_POLICY).
   * Everything is checked before anything changes.
   */
  updatePolicy(policyId: string, update: PolicyUpdate): PolicyView {
    const policy = this.requirePolicy(policyId);
    if (policy.awsManaged) throw immutable();
    if (update.name !== undefined) this.checkName(update.name, policy.type, policyId);
    if (update.description !== undefined) checkDescription(update.description);
    const content = update.content === undefined ? undefined : checkPolicyContent(policy.type, update.content);
    if (update.name !== undefined) policy.name = update.name;
    if (update.description !== undefined) policy.description = update.description;
    if (content !== undefined && update.content !== undefined) {
      policy.content = content;
      policy.contentText = update.content;
    }
    return this.policy(policyId);
  }

  /**
   * CreatePolicy: a new customer-managed policy, attached nowhere, with a new `p-` id (or `id`,
   * when a replay knows which id AWS gave it).
   */
  createPolicy(input: NewPolicy, id?: string): PolicyView {
    this.checkName(input.name, input.type);
    checkDescription(input.description);
    const content = checkPolicyContent(input.type, input.content);
    if ([...this.policies.values()].filter((p) => p.type === input.type).length >= POLICY_NUMBER_LIMIT[input.type]) {
      throw constraintViolation(ConstraintViolationReason.POLICY_NUMBER_LIMIT_EXCEEDED, 'You have reached the maximum number of policies of this type in the organization.');
    }
    if (id !== undefined) {
      if (!IdFormat.policy.pattern.test(id)) throw invalidInput(InvalidInputReason.INVALID_SYNTAX_POLICY_ID, 'You provided a policy ID that does not match the required pattern.');
      if (this.policies.has(id)) throw new OrganizationsApiError(OrganizationsErrorName.DUPLICATE_POLICY, `A policy with the id ${id} already exists.`);
    }
    const policyId = id ?? this.newPolicyId();
    this.policies.set(policyId, { id: policyId, name: input.name, type: input.type, description: input.description, content, contentText: input.content });
    this.attachments.set(policyId, new Set());
    return this.policy(policyId);
  }

  /**
   * DeletePolicy as the API does it: refused for an AWS-managed policy (InvalidInputException
   * IMMUTABLE_POLICY) and for one still attached anywhere (PolicyInUseException).
   */
  deletePolicyAsApi(policyId: string): void {
    const policy = this.requirePolicy(policyId);
    if (policy.awsManaged) throw immutable();
    if (this.targetsOf(policyId).size > 0) {
      throw new OrganizationsApiError(
        OrganizationsErrorName.POLICY_IN_USE,
        'The policy is attached to one or more entities. You must detach it from all roots, OUs, and accounts before performing this operation.',
      );
    }
    this.policies.delete(policyId);
    this.attachments.delete(policyId);
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
      contentText: policy.contentText,
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
  account(accountId: string): AccountView {
    const account = this.accounts.get(accountId);
    if (!account) {
      if (!IdFormat.account.pattern.test(accountId)) throw invalidInput(InvalidInputReason.INVALID_PATTERN, 'You provided a value that does not match the required pattern.');
      throw new OrganizationsApiError(OrganizationsErrorName.ACCOUNT_NOT_FOUND, "You specified an account that doesn't exist.");
    }
    return { ...account, email: account.email ?? `aws+${account.id}@example.com`, arn: this.target(accountId).arn, path: this.pathOf(accountId) };
  }

  /** An OU, or OrganizationalUnitNotFoundException. */
  organizationalUnit(ouId: string): OrganizationalUnitView {
    const ou = this.ous.get(ouId);
    if (!ou) {
      if (!IdFormat.organizationalUnit.pattern.test(ouId)) throw invalidInput(InvalidInputReason.INVALID_PATTERN, 'You provided a value that does not match the required pattern.');
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
    this.requireParent(parentId);
    const children = type === TargetType.ACCOUNT ? [...this.accounts.values()] : [...this.ous.values()];
    return children.filter((child) => child.parentId === parentId).map((child) => ({ id: child.id, type }));
  }

  /** The accounts directly inside a root or OU, in file order (ListAccountsForParent). */
  accountsIn(parentId: string): AccountView[] {
    return this.childrenOf(parentId, TargetType.ACCOUNT).map((child) => this.account(child.id));
  }

  /** The OUs directly inside a root or OU, in file order (ListOrganizationalUnitsForParent). */
  organizationalUnitsIn(parentId: string): OrganizationalUnitView[] {
    return this.childrenOf(parentId, TargetType.ORGANIZATIONAL_UNIT).map((child) => this.organizationalUnit(child.id));
  }

  /**
   * Test helper: the policy disappears with its attachments, as if deleted by someone else
   * (AWS would first require it detached everywhere; a test may need the abrupt case). The
   * DeletePolicy call itself is deletePolicyAsApi.
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

  /** The organization in the file's shape, with the current attachments as `targets` and the enabled types as `policyTypes`. */
  toJSON(): OrganizationFile {
    return {
      rootId: this.rootId,
      organizationId: this.organizationId,
      managementAccountId: this.managementAccountId,
      policyTypes: this.enabledPolicyTypes(),
      organizationalUnits: [...this.ous.values()].map((ou) => ({ ...ou })),
      accounts: [...this.accounts.values()].map((account) => ({ ...account })),
      policies: [...this.policies.values()].map(({ contentText: _text, ...policy }) => ({ ...policy, targets: [...this.targetsOf(policy.id)] })),
    };
  }

  private requirePolicy(policyId: string): StoredPolicy {
    const policy = this.policies.get(policyId);
    if (policy) return policy;
    if (!IdFormat.policy.pattern.test(policyId)) throw invalidInput(InvalidInputReason.INVALID_SYNTAX_POLICY_ID, 'You provided a policy ID that does not match the required pattern.');
    throw new OrganizationsApiError(OrganizationsErrorName.POLICY_NOT_FOUND, "We can't find a policy with the PolicyId that you specified.");
  }

  private requireTarget(targetId: string): TargetType {
    const kind = targetKindOf(targetId);
    if (kind === undefined) throw invalidInput(InvalidInputReason.INVALID_PATTERN_TARGET_ID, 'You provided a target ID that does not match the required pattern.');
    const exists = kind === TargetType.ROOT ? targetId === this.rootId : kind === TargetType.ORGANIZATIONAL_UNIT ? this.ous.has(targetId) : this.accounts.has(targetId);
    if (!exists) throw new OrganizationsApiError(OrganizationsErrorName.TARGET_NOT_FOUND, "We can't find a root, OU, account, or email address with the TargetId that you specified.");
    return kind;
  }

  private requireRoot(rootId: string): void {
    if (!IdFormat.root.pattern.test(rootId)) throw invalidInput(InvalidInputReason.INVALID_PATTERN, 'You provided a value that does not match the required pattern.');
    if (rootId !== this.rootId) throw new OrganizationsApiError(OrganizationsErrorName.ROOT_NOT_FOUND, "We can't find a root with the RootId that you specified.");
  }

  private requireParent(parentId: string): void {
    if (!PARENT_ID.test(parentId)) throw invalidInput(InvalidInputReason.INVALID_PATTERN, 'You provided a value that does not match the required pattern.');
    if (!this.isContainer(parentId)) throw new OrganizationsApiError(OrganizationsErrorName.PARENT_NOT_FOUND, "We can't find a root or OU with the ParentId that you specified.");
  }

  private isContainer(id: string): boolean {
    return id === this.rootId || this.ous.has(id);
  }

  /** Names are 1 to 128 characters and, within a type, unique (DuplicatePolicyException). */
  private checkName(name: string, type: PolicyType, exceptId?: string): void {
    if (name.length < 1) throw invalidInput(InvalidInputReason.MIN_LENGTH_EXCEEDED, 'Name must be at least 1 character.');
    if (name.length > NAME_MAX) throw invalidInput(InvalidInputReason.MAX_LENGTH_EXCEEDED, `Name must be at most ${NAME_MAX} characters.`);
    const taken = [...this.policies.values()].some((p) => p.type === type && p.name === name && p.id !== exceptId);
    if (taken) throw new OrganizationsApiError(OrganizationsErrorName.DUPLICATE_POLICY, 'A policy with the same name already exists.');
  }

  /** `p-` and eight lowercase letters or digits, as AWS's own ids look (p-bvdv3rx3). */
  private newPolicyId(): string {
    for (;;) {
      const id = `p-${[...randomBytes(8)].map((byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('')}`;
      if (!this.policies.has(id)) return id;
    }
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

function policyTypeNotEnabled(type: PolicyType): OrganizationsApiError {
  return new OrganizationsApiError(OrganizationsErrorName.POLICY_TYPE_NOT_ENABLED, `The ${type} policy type is not enabled in the root.`);
}

function immutable(): OrganizationsApiError {
  return invalidInput(InvalidInputReason.IMMUTABLE_POLICY, "You specified a policy that is managed by AWS and can't be modified.");
}

function checkDescription(description: string): void {
  if (description.length > DESCRIPTION_MAX) throw invalidInput(InvalidInputReason.MAX_LENGTH_EXCEEDED, `Description must be at most ${DESCRIPTION_MAX} characters.`);
}

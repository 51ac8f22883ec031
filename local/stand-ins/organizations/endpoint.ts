import { AwsServiceError, SerializationError } from '../aws-json-protocol/errors';
import { AwsJsonServer, type JsonObject, type OperationHandler } from '../aws-json-protocol/server';
import { NO_ANSWER, type ServerAddress } from '../stand-in-server';
import { PolicyType, valuesOf } from '../../../functions/shared/vocabulary';
import { FaultInjector, InjectedFault, InjectedHang, type FaultOptions } from './fault-injector';
import { InvalidInputReason, invalidInput } from './errors';
import type { AccountView, LocalOrganization, PolicyView, TargetView } from './organization-state';

/**
 * The local AWS Organizations endpoint: the awsJson1_1 protocol on 127.0.0.1, served from a
 * LocalOrganization, with faults injected before each call (every operation, the writes as the
 * reads). The real `@aws-sdk/client-organizations` talks to it unchanged (`endpoint: url`).
 *
 * Served: AttachPolicy, DetachPolicy, EnablePolicyType, DisablePolicyType, MoveAccount,
 * CreatePolicy, UpdatePolicy, DeletePolicy, DescribePolicy, DescribeAccount,
 * DescribeOrganizationalUnit, DescribeOrganization, ListRoots, ListChildren, ListParents,
 * ListAccountsForParent, ListOrganizationalUnitsForParent, ListPoliciesForTarget and
 * ListTargetsForPolicy, with the request and response members of the API reference. Anything
 * else is UnknownOperationException.
 */

/** X-Amz-Target prefix of the Organizations API. */
export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128';

/** Organizations' largest page (MaxResults 1..20), also the page size when none is asked. */
const MAX_PAGE = 20;

/** Accounts have no joining date in the file; this fixed one keeps answers reproducible. */
const JOINED_EPOCH_SECONDS = 1577836800; // 2020-01-01T00:00:00Z

/** One request the endpoint received, for assertions. */
export interface RequestLogEntry {
  readonly operation: string;
  readonly input: JsonObject;
  readonly requestId: string;
  /** HTTP status answered; 0 for a request left unanswered (`hung`). */
  readonly status: number;
  /** The error's `__type`, when the call failed. */
  readonly error?: string;
  /** Whether the failure was injected by the FaultInjector rather than the organization. */
  readonly injected: boolean;
  /** Set when the request was held open and never answered (an injected hang). */
  readonly hung?: true;
  /** When the request was answered (or, when hung, held), in epoch milliseconds. */
  readonly at: number;
}

/** Props of a LocalOrganizationsEndpoint. */
export interface LocalOrganizationsEndpointOptions {
  /**
   * Faults to inject, or an injector to share.
   * @default no faults
   */
  readonly faults?: FaultOptions | FaultInjector;
  /**
   * Port on 127.0.0.1; 0 picks a free one.
   * @default 0
   */
  readonly port?: number;
  /**
   * Answer every list call with an empty page and a NextToken before each real page, as
   * Organizations may ("These operations can occasionally return an empty set of results even
   * when there are more results available"): a caller that stops at an empty page misses the rest.
   * @default false
   */
  readonly emptyPages?: boolean;
}

/** Serves a LocalOrganization over the Organizations JSON protocol. */
export class LocalOrganizationsEndpoint {
  readonly faults: FaultInjector;
  /** Every request served, in arrival order. */
  readonly requestLog: RequestLogEntry[] = [];
  private readonly server: AwsJsonServer;
  /** Empty pages with a NextToken before each real page (LocalOrganizationsEndpointOptions.emptyPages); tests may switch it. */
  emptyPages: boolean;

  constructor(readonly organization: LocalOrganization, options: LocalOrganizationsEndpointOptions = {}) {
    this.faults = options.faults instanceof FaultInjector ? options.faults : new FaultInjector(options.faults);
    this.emptyPages = options.emptyPages ?? false;
    const page = <T>(items: readonly T[], input: JsonObject, scope: string) => pageOf(items, input, scope, this.emptyPages);
    const org = organization;
    const operations: Record<string, (input: JsonObject) => unknown> = {
      AttachPolicy: (input) => {
        org.attachPolicy(requiredString(input, 'PolicyId'), requiredString(input, 'TargetId'));
        return {};
      },
      DetachPolicy: (input) => {
        org.detachPolicy(requiredString(input, 'PolicyId'), requiredString(input, 'TargetId'));
        return {};
      },
      EnablePolicyType: (input) => {
        const rootId = requiredString(input, 'RootId');
        org.enablePolicyType(policyTypeOf(input, 'PolicyType'), rootId);
        return { Root: rootSummary(org, rootId) };
      },
      DisablePolicyType: (input) => {
        const rootId = requiredString(input, 'RootId');
        org.disablePolicyType(policyTypeOf(input, 'PolicyType'), rootId);
        return { Root: rootSummary(org, rootId) };
      },
      MoveAccount: (input) => {
        org.moveAccount(requiredString(input, 'AccountId'), requiredString(input, 'SourceParentId'), requiredString(input, 'DestinationParentId'));
        return {};
      },
      CreatePolicy: (input) => {
        const type = policyTypeOf(input, 'Type');
        const policy = org.createPolicy({
          content: requiredString(input, 'Content'),
          // Required, but an empty description is a description (Length Constraints: 0 to 512).
          description: requiredString(input, 'Description', { allowEmpty: true }),
          name: requiredString(input, 'Name'),
          type,
        });
        return { Policy: policyDocument(policy) };
      },
      UpdatePolicy: (input) => {
        const policy = org.updatePolicy(requiredString(input, 'PolicyId'), {
          name: optionalString(input, 'Name'),
          description: optionalString(input, 'Description'),
          content: optionalString(input, 'Content'),
        });
        return { Policy: policyDocument(policy) };
      },
      DeletePolicy: (input) => {
        org.deletePolicyAsApi(requiredString(input, 'PolicyId'));
        return {};
      },
      ListPoliciesForTarget: (input) => {
        const targetId = requiredString(input, 'TargetId');
        const filter = policyTypeOf(input, 'Filter');
        const { items, NextToken } = page(org.policiesForTarget(targetId, filter), input, `ListPoliciesForTarget/${targetId}/${filter}`);
        return { Policies: items.map(policySummary), NextToken };
      },
      ListTargetsForPolicy: (input) => {
        const policyId = requiredString(input, 'PolicyId');
        const { items, NextToken } = page(org.targetsForPolicy(policyId), input, `ListTargetsForPolicy/${policyId}`);
        return { Targets: items.map(targetSummary), NextToken };
      },
      DescribePolicy: (input) => ({ Policy: policyDocument(org.policy(requiredString(input, 'PolicyId'))) }),
      DescribeAccount: (input) => ({ Account: accountSummary(org.account(requiredString(input, 'AccountId'))) }),
      DescribeOrganizationalUnit: (input) => {
        const ou = org.organizationalUnit(requiredString(input, 'OrganizationalUnitId'));
        return { OrganizationalUnit: { Id: ou.id, Arn: ou.arn, Name: ou.name, Path: ou.path } };
      },
      ListRoots: (input) => {
        const { items, NextToken } = page([org.rootId], input, 'ListRoots');
        return { Roots: items.map((rootId) => rootSummary(org, rootId)), NextToken };
      },
      ListChildren: (input) => {
        const parentId = requiredString(input, 'ParentId');
        const childType = requiredString(input, 'ChildType');
        if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') throw invalidInput(InvalidInputReason.INVALID_ENUM, `${childType} is not a valid child type.`);
        const { items, NextToken } = page(org.childrenOf(parentId, childType), input, `ListChildren/${parentId}/${childType}`);
        return { Children: items.map((child) => ({ Id: child.id, Type: child.type })), NextToken };
      },
      ListAccountsForParent: (input) => {
        const parentId = requiredString(input, 'ParentId');
        const { items, NextToken } = page(org.accountsIn(parentId), input, `ListAccountsForParent/${parentId}`);
        return { Accounts: items.map(accountSummary), NextToken };
      },
      ListOrganizationalUnitsForParent: (input) => {
        const parentId = requiredString(input, 'ParentId');
        const { items, NextToken } = page(org.organizationalUnitsIn(parentId), input, `ListOrganizationalUnitsForParent/${parentId}`);
        return { OrganizationalUnits: items.map((ou) => ({ Id: ou.id, Arn: ou.arn, Name: ou.name, Path: ou.path })), NextToken };
      },
      ListParents: (input) => {
        const childId = requiredString(input, 'ChildId');
        const { items, NextToken } = page([org.parentOf(childId)], input, `ListParents/${childId}`);
        return { Parents: items.map((p) => ({ Id: p.id, Type: p.type })), NextToken };
      },
      DescribeOrganization: () => {
        const management = org.account(org.managementAccountId);
        return {
          Organization: {
            Id: org.organizationId,
            Arn: org.arn,
            FeatureSet: 'ALL',
            MasterAccountArn: management.arn,
            MasterAccountId: management.id,
            MasterAccountEmail: management.email,
            AvailablePolicyTypes: org.availablePolicyTypes().map((type) => ({ Type: type, Status: 'ENABLED' })),
          },
        };
      },
    };
    const handlers: Record<string, OperationHandler> = {};
    for (const [name, serve] of Object.entries(operations)) handlers[name] = (input, context) => this.serve(name, serve, input, context.requestId);
    this.server = new AwsJsonServer({ targetPrefix: ORGANIZATIONS_TARGET_PREFIX, jsonVersion: '1.1', operations: handlers, port: options.port });
  }

  /** Starts listening on 127.0.0.1. */
  start(): Promise<ServerAddress> {
    return this.server.start();
  }

  /** Stops listening and closes every connection, hung requests' included. */
  stop(): Promise<void> {
    return this.server.stop();
  }

  /** The endpoint URL for the SDK's `endpoint` option, once started. */
  get url(): string {
    return this.server.url;
  }

  /** Hung requests whose connection is still open (the client has not given up yet). */
  get openHungCount(): number {
    return this.server.unansweredCount;
  }

  /** Requests received for an operation (or in all), failed and hung ones included. */
  callCount(operation?: string): number {
    return this.requestLog.filter((entry) => operation === undefined || entry.operation === operation).length;
  }

  /** Requests answered with success for an operation (or in all). */
  successCount(operation?: string): number {
    return this.requestLog.filter((entry) => (operation === undefined || entry.operation === operation) && entry.status === 200).length;
  }

  /** Forgets the requests received so far (counts start again from zero). */
  clearLog(): void {
    this.requestLog.length = 0;
  }

  private serve(operation: string, serve: (input: JsonObject) => unknown, input: JsonObject, requestId: string): unknown {
    try {
      const fault = this.faults.check(operation);
      if (fault instanceof InjectedHang) {
        if (fault.applied) serve(input);
        this.requestLog.push({ operation, input, requestId, status: 0, injected: true, hung: true, at: Date.now() });
        return NO_ANSWER;
      }
      if (fault) throw fault;
      const output = serve(input);
      this.requestLog.push({ operation, input, requestId, status: 200, injected: false, at: Date.now() });
      return output;
    } catch (error) {
      const known = error instanceof AwsServiceError;
      this.requestLog.push({
        operation,
        input,
        requestId,
        status: known ? error.statusCode : 500,
        error: known ? error.name : 'InternalFailure',
        injected: error instanceof InjectedFault,
        at: Date.now(),
      });
      throw error;
    }
  }
}

function policySummary(policy: PolicyView): JsonObject {
  return { Id: policy.id, Arn: policy.arn, Name: policy.name, Description: policy.description, Type: policy.type, AwsManaged: policy.awsManaged };
}

/** A `Policy`: the summary and the document as the JSON string it was written as. */
function policyDocument(policy: PolicyView): JsonObject {
  return { PolicySummary: policySummary(policy), Content: policy.contentText };
}

function targetSummary(target: TargetView): JsonObject {
  return { TargetId: target.id, Arn: target.arn, Name: target.name, Type: target.type };
}

function accountSummary(account: AccountView): JsonObject {
  return {
    Id: account.id,
    Arn: account.arn,
    Email: account.email,
    Name: account.name,
    Status: 'ACTIVE',
    State: 'ACTIVE',
    JoinedMethod: 'CREATED',
    JoinedTimestamp: JOINED_EPOCH_SECONDS,
    Paths: [account.path],
  };
}

/** A `Root`, its `PolicyTypes` the types enabled on it (a disabled type is not listed, as AWS lists them). */
function rootSummary(org: LocalOrganization, rootId: string): JsonObject {
  const root = org.root(rootId);
  return { Id: root.id, Arn: root.arn, Name: root.name, PolicyTypes: root.policyTypes.map((type) => ({ Type: type, Status: 'ENABLED' })) };
}

function requiredString(input: JsonObject, member: string, options: { allowEmpty?: boolean } = {}): string {
  const value = input[member];
  if (value === undefined || value === null || (value === '' && options.allowEmpty !== true)) {
    throw invalidInput(InvalidInputReason.INPUT_REQUIRED, `You must specify a value for ${member}.`);
  }
  if (typeof value !== 'string') throw new SerializationError(`${member} must be a string`);
  return value;
}

function optionalString(input: JsonObject, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SerializationError(`${member} must be a string`);
  return value;
}

const POLICY_TYPES: readonly string[] = valuesOf(PolicyType);

/** A required policy type member (`Filter`, `Type`, `PolicyType`), or InvalidInputException INVALID_ENUM_POLICY_TYPE. */
function policyTypeOf(input: JsonObject, member: string): PolicyType {
  const value = requiredString(input, member);
  if (!POLICY_TYPES.includes(value)) throw invalidInput(InvalidInputReason.INVALID_ENUM_POLICY_TYPE, `${value} is not a valid policy type.`);
  return value as PolicyType;
}

/**
 * One page of a list. The NextToken is opaque to callers; it carries the offset and the
 * request it belongs to, so a token from another listing is refused as AWS refuses it. With
 * `emptyPages`, a request whose token is not marked `held` gets no items and a held token for the
 * same offset, and the held token gets the real page.
 */
function pageOf<T>(items: readonly T[], input: JsonObject, scope: string, emptyPages = false): { items: T[]; NextToken?: string } {
  const max = input.MaxResults ?? MAX_PAGE;
  if (typeof max !== 'number' || !Number.isInteger(max)) throw new SerializationError('MaxResults must be an integer');
  if (max < 1) throw invalidInput(InvalidInputReason.MIN_VALUE_EXCEEDED, 'MaxResults must be at least 1.');
  if (max > MAX_PAGE) throw invalidInput(InvalidInputReason.MAX_VALUE_EXCEEDED, `MaxResults must be at most ${MAX_PAGE}.`);
  const { offset, held } = input.NextToken === undefined || input.NextToken === null ? { offset: 0, held: false } : decodeToken(input.NextToken, scope, items.length);
  if (emptyPages && !held) return { items: [], NextToken: encodeToken(scope, offset, true) };
  const end = Math.min(items.length, offset + max);
  return { items: items.slice(offset, end), NextToken: end < items.length ? encodeToken(scope, end) : undefined };
}

function encodeToken(scope: string, offset: number, held = false): string {
  return Buffer.from(JSON.stringify(held ? { scope, offset, held } : { scope, offset }), 'utf8').toString('base64url');
}

function decodeToken(token: unknown, scope: string, length: number): { offset: number; held: boolean } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(String(token), 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'scope' in parsed && 'offset' in parsed) {
      const { scope: tokenScope, offset } = parsed;
      if (tokenScope === scope && typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 && offset <= length) return { offset, held: 'held' in parsed && parsed.held === true };
    }
  } catch {
    // An undecodable token is invalid like any other; answered below.
  }
  throw invalidInput(InvalidInputReason.INVALID_NEXT_TOKEN, 'The NextToken value is not valid.');
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { ErrorName, GuardianError } from '../errors';
import { auditStoreCall } from '../audit/audit-errors';
import type { HumanDecision } from '../vocabulary';
import type { OverrideBounds } from './override-duration';
import { AuditTable, decisionKey } from '../audit/table-schema';

/**
 * A pending decision: the Step Functions task token, kept in DynamoDB and never sent anywhere.
 * Slack buttons and the CLI name the short decision id instead. The item expires (TTL) at the
 * approval deadline; the decision itself is also recorded in the incident's timeline.
 */
export interface DecisionRequest {
  decisionId: string;
  incidentId: string;
  taskToken: string;
  /** ISO time after which nobody may decide. */
  deadline: string;
  slack?: { channel: string; ts: string };
  decision?: HumanDecision;
  decidedBy?: string;
  decidedAt?: string;
  reason?: string;
  /** For an OVERRIDE: when it ends (ISO 8601), and the pair is desired again. */
  until?: string;
  /**
   * The rules' `overrides` when the decision was requested: how `decide` bounds an override
   * where it has no rules of its own (`scp-guardian decide` against AWS).
   */
  overrides?: OverrideBounds;
  /** Step Functions refused the recorded decision (the window had closed): it never took effect. */
  tooLate?: boolean;
}

/** 16 characters of base32: short enough for a button, 80 bits, nothing to guess. */
export function newDecisionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return [...randomBytes(16)].map((b) => alphabet[b % 32]).join('');
}

export class DecisionAlreadyTakenError extends GuardianError {
  constructor(readonly existing: DecisionRequest) {
    super(ErrorName.DECISION_ALREADY_TAKEN, `decision ${existing.decisionId} was already taken by ${existing.decidedBy} at ${existing.decidedAt}`);
  }
}

export class DecisionStore {
  constructor(private readonly db: DynamoDBDocumentClient, readonly tableName: string) {}

  /** Stores a new pending decision. An SDK retry of a put that landed finds its own item: that is success. */
  async create(request: DecisionRequest): Promise<void> {
    try {
      await auditStoreCall(this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...decisionKey(request.decisionId),
            ...request,
            [AuditTable.ttlAttribute]: Math.ceil(Date.parse(request.deadline) / 1000),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(request.decisionId);
      if (existing?.taskToken !== request.taskToken) throw error;
    }
  }

  async get(decisionId: string): Promise<DecisionRequest | undefined> {
    const answer = await auditStoreCall(this.db.send(new GetCommand({ TableName: this.tableName, Key: decisionKey(decisionId), ConsistentRead: true })));
    if (answer.Item === undefined) return undefined;
    const { pk: _pk, sk: _sk, [AuditTable.ttlAttribute]: _ttl, ...request } = answer.Item;
    return request as DecisionRequest;
  }

  /**
   * Points a pending decision at the token of a retried wait: Step Functions gives each retry
   * of a `.waitForTaskToken` task a new token, and only the newest one can resume it.
   * Returns false when the decision was already taken (or the item is gone).
   */
  async replaceTaskToken(decisionId: string, taskToken: string): Promise<boolean> {
    try {
      await auditStoreCall(this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: decisionKey(decisionId),
          UpdateExpression: 'SET taskToken = :token',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(decision)',
          ExpressionAttributeValues: { ':token': taskToken },
        }),
      ));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Marks a recorded decision that Step Functions refused as too late, so nothing applies it afterwards. */
  async markTooLate(decisionId: string): Promise<void> {
    await auditStoreCall(
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: decisionKey(decisionId),
          UpdateExpression: 'SET tooLate = :late',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':late': true },
        }),
      ),
    );
  }

  async attachSlackMessage(decisionId: string, slack: { channel: string; ts: string }): Promise<void> {
    await auditStoreCall(this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: decisionKey(decisionId),
        UpdateExpression: 'SET slack = :slack',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':slack': slack },
      }),
    ));
  }

  /**
   * Records the first decision (an override with its end, `until`); throws
   * DecisionAlreadyTakenError for every later one. When the SDK retried a write whose first
   * attempt landed (its answer was lost), the condition fails on this very decision: that is
   * this decision recorded, not somebody else's.
   */
  async record(decisionId: string, decision: HumanDecision, by: string, at: string, reason?: string, until?: string): Promise<DecisionRequest> {
    try {
      const answer = await auditStoreCall(this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: decisionKey(decisionId),
          // UNTIL is a DynamoDB reserved word.
          UpdateExpression: `SET decision = :decision, decidedBy = :by, decidedAt = :at, reason = :reason${until === undefined ? '' : ', #until = :until'}`,
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(decision)',
          ...(until === undefined ? {} : { ExpressionAttributeNames: { '#until': 'until' } }),
          ExpressionAttributeValues: { ':decision': decision, ':by': by, ':at': at, ':reason': reason ?? null, ...(until === undefined ? {} : { ':until': until }) },
          ReturnValues: 'ALL_NEW',
        }),
      ));
      const { pk: _pk, sk: _sk, [AuditTable.ttlAttribute]: _ttl, ...request } = answer.Attributes ?? {};
      return request as DecisionRequest;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(decisionId);
      if (existing === undefined) throw error;
      const ours =
        existing.decision === decision &&
        existing.decidedBy === by &&
        existing.decidedAt === at &&
        (existing.reason ?? undefined) === (reason ?? undefined) &&
        existing.until === until;
      if (ours) return existing;
      throw new DecisionAlreadyTakenError(existing);
    }
  }
}

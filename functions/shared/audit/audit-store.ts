import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DuplicateIncidentError, StatusRegressionError } from '../errors';
import { auditStoreCall } from './audit-errors';
import type { Incident } from '../incident';
import { INCIDENT_STATUS_ORDER, type IncidentStatus, TimelineStep } from '../vocabulary';
import { toIncidentRecord, type IncidentRecord, type TimelineEntry } from './records';
import { incidentKey, timelineSortKey, TIMELINE_SK_PREFIX } from './table-schema';

/** The lifecycle order of the steps: what breaks a tie between steps recorded at one instant (the close's). */
const LIFECYCLE: readonly string[] = Object.values(TimelineStep);
const instant = (at: string) => {
  const ms = Date.parse(at);
  return Number.isFinite(ms) ? ms : Number.POSITIVE_INFINITY;
};

/**
 * Timeline entries in the order they happened: by time as a time, not as text (an event's own
 * time may have no milliseconds, "…T10:00:00Z", and sorts after "…T10:00:00.5Z" as text), then
 * in lifecycle order (the close records its explaining steps at the instant of "closed").
 */
export function inTheOrderTheyHappened(a: Pick<TimelineEntry, 'at' | 'step'>, b: Pick<TimelineEntry, 'at' | 'step'>): number {
  return instant(a.at) - instant(b.at) || LIFECYCLE.indexOf(a.step) - LIFECYCLE.indexOf(b.step);
}

export interface TimelineWrite {
  step: TimelineStep;
  detail?: Record<string, unknown>;
  /** Names a repeated step; once-only steps leave it out. */
  occurrence?: string;
  at?: string;
}

/** Result of appending a step: false when that step was already recorded (a retried task). */
export type AppendResult = { recorded: boolean };

/**
 * The audit trail: an incident item whose status only moves forward, and an append-only
 * timeline. Every write carries a condition, so the application can neither overwrite nor
 * delete what it recorded.
 */
export class AuditStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  private timelineItem(incidentId: string, write: TimelineWrite) {
    return {
      ...incidentKey(incidentId),
      sk: timelineSortKey(write.step, write.occurrence),
      incidentId,
      at: write.at ?? this.now(),
      step: write.step,
      detail: write.detail ?? {},
    };
  }

  /**
   * The claim's three conditional puts: the incident, its "detected" and its "classified" step.
   * One definition for both ways of writing it: claimIncident here, and the workflow's direct
   * `aws-sdk:dynamodb:transactWriteItems` task (ClaimIncident), to which classify hands them
   * marshalled (claimTransactItems).
   */
  claimItems(incident: Incident, executionArn: string) {
    const record = toIncidentRecord(incident, executionArn);
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...incidentKey(incident.incidentId), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: this.timelineItem(incident.incidentId, {
            step: TimelineStep.DETECTED,
            at: incident.detectedAt,
            detail: { actor: incident.actor.principalArn ?? incident.actor.type, policyId: incident.policy.id, targetId: incident.target.id },
          }),
          ConditionExpression: 'attribute_not_exists(sk)',
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: this.timelineItem(incident.incidentId, {
            step: TimelineStep.CLASSIFIED,
            detail: { verdict: incident.verdict, reason: incident.reason, mode: incident.mode, executionArn },
          }),
          ConditionExpression: 'attribute_not_exists(sk)',
        },
      },
    ];
  }

  /**
   * claimItems in DynamoDB's own attribute-value form, as the workflow's ClaimIncident task
   * passes them to TransactWriteItems (undefined attributes left out, as the document client does).
   */
  claimTransactItems(incident: Incident, executionArn: string) {
    return this.claimItems(incident, executionArn).map(({ Put }) => ({ Put: { ...Put, Item: marshall(Put.Item, { removeUndefinedValues: true }) } }));
  }

  /**
   * Records a new incident with its "detected" and "classified" steps, in one transaction.
   * A second claim of the same CloudTrail event records a duplicate delivery on the existing
   * incident and throws DuplicateIncidentError: at-least-once delivery ends here.
   */
  async claimIncident(incident: Incident, executionArn: string): Promise<void> {
    try {
      await auditStoreCall(this.db.send(new TransactWriteCommand({ TransactItems: this.claimItems(incident, executionArn) })));
    } catch (error) {
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons ?? [] : [];
      if (reasons[0]?.Code !== 'ConditionalCheckFailed') throw error;
      // A Lambda retry of this very claim (the first attempt committed, then the task failed) is
      // not a duplicate delivery: the execution goes on with the incident it claimed.
      const existing = await this.getIncident(incident.incidentId);
      if (existing?.executionArn === executionArn) return;
      await this.appendTimeline(incident.incidentId, {
        step: TimelineStep.DUPLICATE_DELIVERY,
        occurrence: executionArn,
        detail: { executionArn },
      });
      throw new DuplicateIncidentError(incident.incidentId, { cause: error });
    }
  }

  /** Appends one step; a step already recorded is left as it is. */
  async appendTimeline(incidentId: string, write: TimelineWrite): Promise<AppendResult> {
    try {
      await auditStoreCall(this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.timelineItem(incidentId, write),
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      ));
      return { recorded: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { recorded: false };
      throw error;
    }
  }

  /**
   * Moves the incident to `status` (never backwards), sets `fields`, and appends the step, in
   * one transaction. Throws StatusRegressionError when the incident is already at or past it.
   */
  async advance(incidentId: string, status: IncidentStatus, fields: Partial<IncidentRecord>, step?: TimelineWrite): Promise<void> {
    const earlier = INCIDENT_STATUS_ORDER.slice(0, INCIDENT_STATUS_ORDER.indexOf(status));
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':status': status };
    const sets = ['#status = :status'];
    Object.entries(fields).forEach(([key, value], i) => {
      if (value === undefined) return;
      names[`#f${i}`] = key;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    earlier.forEach((s, i) => (values[`:from${i}`] = s));
    const condition = `attribute_exists(pk) AND #status IN (${earlier.map((_, i) => `:from${i}`).join(', ')})`;
    const items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']> = [
      {
        Update: {
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
    ];
    if (step !== undefined) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: this.timelineItem(incidentId, step),
          ConditionExpression: 'attribute_not_exists(sk)',
        },
      });
    }
    try {
      await auditStoreCall(this.db.send(new TransactWriteCommand({ TransactItems: items })));
    } catch (error) {
      // Only a failed condition means "already there"; a conflict or throttling is retried by the caller's task.
      const reasons = error instanceof TransactionCanceledException ? error.CancellationReasons ?? [] : [];
      if (!reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) throw error;
      const current = await this.getIncident(incidentId);
      throw new StatusRegressionError(
        incidentId,
        current === undefined ? 'no such incident' : `cannot move from ${current.status} to ${status}`,
        { cause: error },
      );
    }
  }

  /** Remembers where the incident's Slack message is, once, so later steps update it. */
  async recordSlackMessage(incidentId: string, slackMessage: { channel: string; ts: string }): Promise<void> {
    try {
      await auditStoreCall(this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: incidentKey(incidentId),
          UpdateExpression: 'SET slackMessage = :message',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(slackMessage)',
          ExpressionAttributeValues: { ':message': slackMessage },
        }),
      ));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async getIncident(incidentId: string): Promise<IncidentRecord | undefined> {
    const answer = await auditStoreCall(this.db.send(new GetCommand({ TableName: this.tableName, Key: incidentKey(incidentId), ConsistentRead: true })));
    return answer.Item as IncidentRecord | undefined;
  }

  /** The incident's timeline, oldest first. */
  async getTimeline(incidentId: string): Promise<TimelineEntry[]> {
    const entries: TimelineEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await auditStoreCall(this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': incidentKey(incidentId).pk, ':prefix': TIMELINE_SK_PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      ));
      for (const item of page.Items ?? []) {
        entries.push({ incidentId, at: item.at as string, step: item.step as TimelineEntry['step'], detail: (item.detail ?? {}) as Record<string, unknown> });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return entries.sort(inTheOrderTheyHappened);
  }
}

import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { Source, type Kind, type Outcome } from '../vocabulary';
import type { IncidentRecord } from './records';
import { AuditTable, type AuditIndexName } from './table-schema';

/** What `audit list` and `audit stats` select. Every filter is optional; times are inclusive. */
export interface IncidentFilter {
  policyId?: string;
  targetId?: string;
  /** The principal: a role behind an assumed-role session, or the caller's ARN. */
  actorArn?: string;
  outcome?: Outcome;
  /** What weakened the protection (DETACHED, DRIFT, ...). */
  kind?: Kind;
  /** Where incidents came from; records written before the source was kept count as `event`. */
  source?: Source;
  since?: Date;
  until?: Date;
  /** The daily self-test's and canary's incidents are left out unless asked for (or `source` names them). */
  includeSelfTests?: boolean;
}

type FilterAttribute = 'policyId' | 'targetId' | 'actorArn' | 'outcome';

/**
 * Which index serves a query when several filters are given: the one expected to hold the fewest
 * incidents for one value. A target (one account or OU) sees fewer detachments than one actor
 * (the pipeline role detaches a lot), an actor fewer than a policy, and an outcome has only five
 * values. The other filters become a FilterExpression on that one Query.
 */
const INDEX_PRECEDENCE: readonly (readonly [FilterAttribute, AuditIndexName])[] = [
  ['targetId', 'byTarget'],
  ['actorArn', 'byActor'],
  ['policyId', 'byPolicy'],
  ['outcome', 'byOutcome'],
];

/**
 * The first year the byYear index is asked about when a listing has no filter and no --since:
 * AWS Organizations, and so any detachment, exists since 2017.
 */
export const FIRST_YEAR = 2017;

/** How a filter is served: one index, its partitions in order, a key condition on the time. */
export interface QueryPlan {
  index: AuditIndexName;
  /** The index's partition key values to query, newest first (one, or one per year for byYear). */
  partitions: string[];
  /** Attributes filtered after the key condition (FilterExpression). */
  filtered: FilterAttribute[];
  since?: string;
  until?: string;
}

/** DynamoDB keys of stored items, which the records returned to callers leave out. */
export type StoredItem = IncidentRecord & { pk: string; sk: string };

/**
 * Bounds on detectedAt, to the second. Stored times are CloudTrail's `…:SSZ` or a received time
 * `…:SS.mmmZ`; in string order `.` sorts before `Z`, so `…:SS.000Z` starts a second and `…:SSZ`
 * ends it, whichever form an item has.
 */
export function sinceBound(time: Date): string {
  return new Date(Math.floor(time.getTime() / 1000) * 1000).toISOString();
}
export function untilBound(time: Date): string {
  return `${new Date(Math.floor(time.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

export const filterValues = (filter: IncidentFilter): Record<FilterAttribute, string | undefined> => ({
  policyId: filter.policyId,
  targetId: filter.targetId,
  actorArn: filter.actorArn,
  outcome: filter.outcome,
});

/** Chooses the index and key condition for a filter (pure: no request is made). */
export function planQuery(filter: IncidentFilter, now: Date = new Date()): QueryPlan {
  const values = filterValues(filter);
  const since = filter.since === undefined ? undefined : sinceBound(filter.since);
  const until = filter.until === undefined ? undefined : untilBound(filter.until);
  const given = INDEX_PRECEDENCE.filter(([attribute]) => values[attribute] !== undefined);
  if (given.length > 0) {
    const [[attribute, index], ...rest] = given;
    return { index, partitions: [values[attribute] as string], filtered: rest.map(([a]) => a), since, until };
  }
  const lastYear = (filter.until ?? now).getUTCFullYear();
  const firstYear = Math.min(filter.since?.getUTCFullYear() ?? FIRST_YEAR, lastYear);
  const partitions: string[] = [];
  for (let year = lastYear; year >= firstYear; year--) partitions.push(String(year).padStart(4, '0'));
  return { index: 'byYear', partitions, filtered: [], since, until };
}

export function queryInput(tableName: string, plan: QueryPlan, filter: IncidentFilter, partition: string): QueryCommandInput {
  const index = AuditTable.indexes[plan.index];
  const names: Record<string, string> = { '#pk': index.partitionKey };
  if (plan.since !== undefined || plan.until !== undefined) names['#at'] = index.sortKey;
  const values: Record<string, unknown> = { ':pk': partition };
  let keyCondition = '#pk = :pk';
  if (plan.since !== undefined && plan.until !== undefined) {
    keyCondition += ' AND #at BETWEEN :since AND :until';
    values[':since'] = plan.since;
    values[':until'] = plan.until;
  } else if (plan.since !== undefined) {
    keyCondition += ' AND #at >= :since';
    values[':since'] = plan.since;
  } else if (plan.until !== undefined) {
    keyCondition += ' AND #at <= :until';
    values[':until'] = plan.until;
  }
  const filterValuesByName = filterValues(filter);
  const conditions = plan.filtered.map((attribute, i) => {
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = filterValuesByName[attribute];
    return `#f${i} = :f${i}`;
  });
  if (filter.kind !== undefined) {
    names['#kind'] = 'kind';
    values[':kind'] = filter.kind;
    conditions.push('#kind = :kind');
  }
  if (filter.source !== undefined) {
    names['#source'] = 'source';
    values[':source'] = filter.source;
    // Incidents recorded before the source was kept were all events.
    conditions.push(filter.source === Source.EVENT ? '(attribute_not_exists(#source) OR #source = :source)' : '#source = :source');
  }
  // The routine proofs of life are left out, unless asked for by name or all together.
  if (filter.includeSelfTests !== true && filter.source !== Source.SELF_TEST) {
    names['#incident'] = 'incident';
    names['#selfTest'] = 'selfTest';
    conditions.push('attribute_not_exists(#incident.#selfTest)');
  }
  if (filter.includeSelfTests !== true && filter.source !== Source.CANARY) {
    names['#source'] = 'source';
    values[':canary'] = Source.CANARY;
    conditions.push('(attribute_not_exists(#source) OR #source <> :canary)');
  }
  return {
    TableName: tableName,
    IndexName: index.name,
    KeyConditionExpression: keyCondition,
    FilterExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    // Newest first: people ask about the recent past, and paging walks back in time.
    ScanIndexForward: false,
  };
}

/** A stored item as callers get it: the record without the table's keys. */
export function withoutKeys(item: StoredItem): IncidentRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record;
}

/**
 * Every incident matching a filter, as the sweep reads them (and, with pages and timelines on
 * top, `scp-guardian audit`: cli/audit/queries.ts). Every read is a Query on one of the table's
 * indexes: never a Scan.
 */
export class IncidentQueries {
  constructor(protected readonly db: DynamoDBDocumentClient, readonly tableName: string) {}

  /** Every incident matching `filter`, newest first, page by page (for statistics and exports). */
  async *all(filter: IncidentFilter, now?: Date): AsyncGenerator<IncidentRecord> {
    const plan = planQuery(filter, now);
    for (const partition of plan.partitions) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.db.send(new QueryCommand({ ...queryInput(this.tableName, plan, filter, partition), ExclusiveStartKey: startKey }));
        for (const item of (page.Items ?? []) as StoredItem[]) yield withoutKeys(item);
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    }
  }
}

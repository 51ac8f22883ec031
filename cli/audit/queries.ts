import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditStore } from '../../functions/shared/audit/audit-store';
// The sweep's queries (every incident of a filter); `audit` adds pages and one incident's timeline.
import { IncidentQueries, filterValues, planQuery, queryInput, withoutKeys, type IncidentFilter, type QueryPlan, type StoredItem } from '../../functions/shared/audit/queries';
import type { IncidentRecord, TimelineEntry } from '../../functions/shared/audit/records';
import { AuditTable, type AuditIndexName } from '../../functions/shared/audit/table-schema';
import { decodePageToken, encodePageToken, filtersFingerprint, PageTokenError } from './page-token';

/** Incidents on one page of `audit list` unless `--limit` says otherwise. */
export const DEFAULT_PAGE_SIZE = 50;

/** Items a filtered Query reads per request: enough that a selective filter needs few round trips. */
const FILTERED_PAGE_SIZE = 200;

export interface ListOptions {
  limit: number;
  nextToken?: string;
  /** "Now", for the year range of an unfiltered listing. */
  now?: Date;
}

export interface ListPage {
  incidents: IncidentRecord[];
  /** Present when more incidents match: pass it back as `nextToken` for the next page. */
  nextToken?: string;
  plan: QueryPlan;
}

/** The ExclusiveStartKey that resumes a Query on `index` just after `item`. */
function keyAfter(item: StoredItem, index: AuditIndexName): Record<string, string> {
  const definition = AuditTable.indexes[index];
  const record = item as unknown as Record<string, string>;
  return {
    [AuditTable.partitionKey]: item.pk,
    [AuditTable.sortKey]: item.sk,
    [definition.partitionKey]: record[definition.partitionKey],
    [definition.sortKey]: record[definition.sortKey],
  };
}

/**
 * Read-only queries over the audit trail, as `scp-guardian audit` runs them. Every read is a
 * Query on one of the table's indexes (or a GetItem): never a Scan.
 */
export class AuditQueries extends IncidentQueries {
  private readonly store: AuditStore;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    super(db, tableName);
    this.store = new AuditStore(db, tableName);
  }

  /**
   * One page of incidents matching `filter`, newest first. `nextToken` continues the query that
   * printed it, in the same time window; a token from other filters is refused (PageTokenError).
   */
  async list(filter: IncidentFilter, options: ListOptions): Promise<ListPage> {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new RangeError(`limit must be a positive integer, got ${options.limit}`);
    const fingerprint = filtersFingerprint({ ...filterValues(filter), kind: filter.kind, source: filter.source });
    const cursor = options.nextToken === undefined ? undefined : decodePageToken(options.nextToken, fingerprint);
    const window =
      cursor === undefined
        ? filter
        : { ...filter, since: cursor.since === undefined ? undefined : new Date(cursor.since), until: cursor.until === undefined ? undefined : new Date(cursor.until) };
    const plan = planQuery(window, options.now);
    const indexKey = AuditTable.indexes[plan.index].partitionKey;
    let first = 0;
    if (cursor !== undefined) {
      first = plan.partitions.indexOf(cursor.key[indexKey]);
      if (first < 0) throw new PageTokenError('--next-token belongs to a query with other filters: repeat the --policy/--target/--actor/--outcome it was printed for');
    }

    // One incident more than asked for tells whether there is a next page.
    const found: StoredItem[] = [];
    pages: for (let p = first; p < plan.partitions.length; p++) {
      let startKey: Record<string, unknown> | undefined = p === first ? cursor?.key : undefined;
      do {
        const wanted = options.limit + 1 - found.length;
        const page = await this.db.send(
          new QueryCommand({
            ...queryInput(this.tableName, plan, window, plan.partitions[p]),
            Limit: plan.filtered.length > 0 || filter.kind !== undefined || filter.source !== undefined ? Math.max(wanted, FILTERED_PAGE_SIZE) : wanted,
            ExclusiveStartKey: startKey,
          }),
        );
        found.push(...((page.Items ?? []) as StoredItem[]));
        if (found.length > options.limit) break pages;
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
    }

    const kept = found.slice(0, options.limit);
    const nextToken =
      found.length > options.limit
        ? encodePageToken({ filters: fingerprint, since: window.since?.toISOString(), until: window.until?.toISOString(), key: keyAfter(kept[kept.length - 1], plan.index) })
        : undefined;
    return { incidents: kept.map(withoutKeys), nextToken, plan };
  }

  /** One incident with its whole timeline, oldest step first; undefined when there is none. */
  async show(incidentId: string): Promise<{ incident: IncidentRecord; timeline: TimelineEntry[] } | undefined> {
    const stored = (await this.store.getIncident(incidentId)) as StoredItem | undefined;
    if (stored === undefined) return undefined;
    return { incident: withoutKeys(stored), timeline: await this.store.getTimeline(incidentId) };
  }
}

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { auditStoreCall } from '../audit/audit-errors';
import { DesiredPartition } from '../audit/table-schema';
import { latestBy, pairKey, type ContentEntry, type PairEntry, type ParentEntry, type RootTypesEntry } from './desired-state';

/** What an entry is, stored beside it so an export reads without the keys. */
const ItemType = { PAIR: 'desired-pair', CONTENT: 'desired-content', PARENT: 'desired-parent', ROOT: 'desired-root', POLICY: 'desired-policy' } as const;

/**
 * The desired state in the audit table: every change an append (a conditional put that can
 * never overwrite), every read the latest entry per subject at or before a time.
 */
export class DesiredStateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  private async append(pk: string, sk: string, item: Record<string, unknown>): Promise<void> {
    try {
      await auditStoreCall(this.db.send(new PutCommand({ TableName: this.tableName, Item: { pk, sk, ...item }, ConditionExpression: 'attribute_not_exists(sk)' })));
    } catch (error) {
      // Only the registry is written twice on purpose; a change entry's nonce never repeats.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async query<T>(pk: string, prefix?: string): Promise<T[]> {
    const items: T[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await auditStoreCall(
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: prefix === undefined ? 'pk = :pk' : 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: prefix === undefined ? { ':pk': pk } : { ':pk': pk, ':prefix': prefix },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, itemType: _type, ...entry } = item;
        items.push(entry as T);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  private static sortKey(subject: string, at: string): string {
    return `${subject}#${at}#${randomUUID().slice(0, 8)}`;
  }

  /** Records that a pair is desired, or released. */
  async recordPair(entry: PairEntry): Promise<void> {
    await this.append(DesiredPartition.POLICIES, entry.policyId, { itemType: ItemType.POLICY, policyId: entry.policyId });
    await this.append(DesiredPartition.pairs(entry.policyId), DesiredStateStore.sortKey(entry.targetId, entry.at), { itemType: ItemType.PAIR, ...entry });
  }

  /** Every entry of one pair, oldest first. */
  async pairHistory(policyId: string, targetId: string): Promise<PairEntry[]> {
    const entries = await this.query<PairEntry>(DesiredPartition.pairs(policyId), `${targetId}#`);
    return entries.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** The policies any pair entry was ever written for. */
  async policies(): Promise<string[]> {
    return (await this.query<{ policyId: string }>(DesiredPartition.POLICIES)).map((item) => item.policyId);
  }

  /** The latest entry of every pair at or before `at` (now without it), optionally for one policy. */
  async pairs(options: { at?: Date; policyId?: string } = {}): Promise<Map<string, PairEntry>> {
    const policies = options.policyId !== undefined ? [options.policyId] : await this.policies();
    const entries = (await Promise.all(policies.map((policyId) => this.query<PairEntry>(DesiredPartition.pairs(policyId))))).flat();
    return latestBy(entries, (entry) => pairKey(entry.policyId, entry.targetId), options.at);
  }

  async recordContent(entry: ContentEntry): Promise<void> {
    await this.append(DesiredPartition.CONTENT, DesiredStateStore.sortKey(entry.policyId, entry.at), { itemType: ItemType.CONTENT, ...entry });
  }

  /** The last known content of every protected policy at or before `at`. */
  async contents(at?: Date): Promise<Map<string, ContentEntry>> {
    return latestBy(await this.query<ContentEntry>(DesiredPartition.CONTENT), (entry) => entry.policyId, at);
  }

  async recordParent(entry: ParentEntry): Promise<void> {
    await this.append(DesiredPartition.PARENTS, DesiredStateStore.sortKey(entry.accountId, entry.at), { itemType: ItemType.PARENT, ...entry });
  }

  /** The last known parent of every account at or before `at`. */
  async parents(at?: Date): Promise<Map<string, ParentEntry>> {
    return latestBy(await this.query<ParentEntry>(DesiredPartition.PARENTS), (entry) => entry.accountId, at);
  }

  async recordRootTypes(entry: RootTypesEntry): Promise<void> {
    await this.append(DesiredPartition.ROOTS, DesiredStateStore.sortKey(entry.rootId, entry.at), { itemType: ItemType.ROOT, ...entry });
  }

  /** The policy types last seen enabled on every root at or before `at`. */
  async rootTypes(at?: Date): Promise<Map<string, RootTypesEntry>> {
    return latestBy(await this.query<RootTypesEntry>(DesiredPartition.ROOTS), (entry) => entry.rootId, at);
  }
}

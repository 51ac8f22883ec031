/**
 * The audit table's schema: one definition used by the CDK table, the local runner's
 * DynamoDB Local tables, the handlers and the `audit` queries.
 *
 * One table holds three kinds of item, told apart by their sort key:
 * - the incident:       pk INCIDENT#<eventID>   sk INCIDENT
 * - its timeline:       pk INCIDENT#<eventID>   sk STEP#<step>[#<occurrence>]
 * - a pending decision: pk DECISION#<id>        sk DECISION   (expires with the TTL attribute)
 * - the desired state, append-only (functions/shared/desired/), one partition per subject:
 *   pk DESIRED#PAIRS#<policyId>  sk <targetId>#<at>#<nonce>   a pair desired or released
 *   pk DESIRED#POLICIES          sk <policyId>                 which pair partitions exist
 *   pk DESIRED#CONTENT           sk <policyId>#<at>#<nonce>    a protected policy's content
 *   pk DESIRED#PARENTS           sk <accountId>#<at>#<nonce>   an account's parent
 *   pk DESIRED#ROOTS             sk <rootId>#<at>#<nonce>      the policy types enabled on a root
 * - the admission schedule of one write operation (functions/admit/), one item, updated in place:
 *   pk ADMISSION#<operation>     sk ADMISSION                  e.g. ADMISSION#AttachPolicy
 *
 * Only incident items carry the index attributes, so every index is sparse and holds incidents
 * alone; queries by policy, target, actor, outcome or year over a time range are Queries, never
 * Scans. Only pending decisions carry the TTL attribute: incidents and timelines never expire.
 */
export const AuditTable = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: {
    byPolicy: { name: 'byPolicy', partitionKey: 'policyId', sortKey: 'detectedAt' },
    byTarget: { name: 'byTarget', partitionKey: 'targetId', sortKey: 'detectedAt' },
    byActor: { name: 'byActor', partitionKey: 'actorArn', sortKey: 'detectedAt' },
    byOutcome: { name: 'byOutcome', partitionKey: 'outcome', sortKey: 'detectedAt' },
    /**
     * Every incident, one partition per year of detection: a listing with no other filter is a
     * Query per year in the range. Open incidents have no outcome yet, so byOutcome cannot serve it.
     */
    byYear: { name: 'byYear', partitionKey: 'detectedYear', sortKey: 'detectedAt' },
  },
} as const;

export type AuditIndexName = keyof typeof AuditTable.indexes;

export const INCIDENT_SK = 'INCIDENT';
export const DECISION_SK = 'DECISION';

/** The desired state's partitions (functions/shared/desired/desired-store.ts). */
export const DesiredPartition = {
  pairs: (policyId: string) => `DESIRED#PAIRS#${policyId}`,
  POLICIES: 'DESIRED#POLICIES',
  CONTENT: 'DESIRED#CONTENT',
  PARENTS: 'DESIRED#PARENTS',
  ROOTS: 'DESIRED#ROOTS',
} as const;

export const ADMISSION_SK = 'ADMISSION';
/** The partition-key prefix of every admission item: the admit and classify functions' grant is scoped to it. */
export const ADMISSION_PK_PREFIX = 'ADMISSION#';
/** The one item of an operation's admission schedule (docs/performance.md): what every execution learned about its rate. */
export const admissionKey = (operation: string) => ({ pk: `${ADMISSION_PK_PREFIX}${operation}`, sk: ADMISSION_SK });

/** The partition-key prefix of an incident and its timeline: the state machine's own claim (ClaimIncident) is scoped to it. */
export const INCIDENT_PK_PREFIX = 'INCIDENT#';
export const incidentKey = (incidentId: string) => ({ pk: `${INCIDENT_PK_PREFIX}${incidentId}`, sk: INCIDENT_SK });
export const decisionKey = (decisionId: string) => ({ pk: `DECISION#${decisionId}`, sk: DECISION_SK });
/**
 * A step that happens once per incident has no occurrence, so recording it twice (a retried
 * Lambda) fails the put's condition instead of writing a second item. Repeated steps (reattach
 * attempts, duplicate deliveries) name their occurrence.
 */
export const timelineSortKey = (step: string, occurrence?: string) =>
  occurrence === undefined ? `STEP#${step}` : `STEP#${step}#${occurrence}`;
export const TIMELINE_SK_PREFIX = 'STEP#';

/** The table definition in DynamoDB's own terms, for CreateTable against DynamoDB Local. */
export function createTableInput(tableName: string) {
  const attributes = new Set<string>([AuditTable.partitionKey, AuditTable.sortKey]);
  for (const index of Object.values(AuditTable.indexes)) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: AuditTable.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: AuditTable.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: Object.values(AuditTable.indexes).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditQueries } from '../../functions/shared/audit/queries';
import { DesiredStateStore } from '../../functions/shared/desired/desired-store';
import { LOCAL_CREDENTIALS, localDynamoDbClient } from '../../local/dynamodb-local';
import { readLocalAuditData, resolveDataDir } from '../../local/local-audit-data';
import { AuditUsageError } from './usage-error';

/** The environment variable naming the audit table (the stack output `AuditTableName`). */
export const TABLE_ENV = 'SCP_GUARDIAN_TABLE';
/** The stack is pinned to us-east-1, where CloudTrail delivers Organizations events. */
export const DEFAULT_REGION = 'us-east-1';

/** Where `audit` reads: AWS (`--table`, `--region`), another endpoint (`--endpoint`), or the local runner's data (`--local`). */
export interface ConnectionOptions {
  table?: string;
  endpoint?: string;
  region?: string;
  local?: boolean;
  dataDir?: string;
}

export interface AuditConnection {
  queries: AuditQueries;
  /** The desired state kept in the same table (read-only here). */
  desired: DesiredStateStore;
  tableName: string;
  /** Where the table is, for messages: "us-east-1", "http://127.0.0.1:8000", "local data in …". */
  where: string;
  endpoint?: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function parseEndpoint(endpoint: string): URL {
  try {
    const url = new URL(endpoint);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  throw new AuditUsageError(`--endpoint "${endpoint}" is not an http(s) URL (e.g. http://127.0.0.1:8000)`);
}

const documentClient = (client: DynamoDBClient) => DynamoDBDocumentClient.from(client);

/** Opens the audit table the options name; one clear error when they name none. */
export async function connect(options: ConnectionOptions): Promise<AuditConnection> {
  if (options.local) {
    if (options.endpoint !== undefined || options.table !== undefined) {
      throw new AuditUsageError('--local reads the local runner\'s data: leave out --endpoint and --table');
    }
    const data = await readLocalAuditData(resolveDataDir(options.dataDir));
    const client = localDynamoDbClient(data.endpoint);
    return {
      queries: new AuditQueries(documentClient(client), data.tableName),
      desired: new DesiredStateStore(documentClient(client), data.tableName),
      tableName: data.tableName,
      where: `the local data in ${data.dataDir}`,
      endpoint: data.endpoint,
      close: async () => {
        client.destroy();
        await data.stop();
      },
    };
  }
  const tableName = options.table ?? (process.env[TABLE_ENV] || undefined);
  if (tableName === undefined || tableName.trim() === '') {
    throw new AuditUsageError(`no audit table: pass --table NAME or set ${TABLE_ENV} (the stack output AuditTableName), or --local for the local runner's data`);
  }
  const region = options.region ?? DEFAULT_REGION;
  let client: DynamoDBClient;
  if (options.endpoint !== undefined) {
    const url = parseEndpoint(options.endpoint);
    // DynamoDB Local and other loopback stand-ins accept any credentials; a remote endpoint gets the real ones.
    client = new DynamoDBClient({ endpoint: url.toString(), region, ...(LOOPBACK.has(url.hostname) ? { credentials: LOCAL_CREDENTIALS, maxAttempts: 2 } : {}) });
  } else {
    client = new DynamoDBClient({ region });
  }
  return {
    queries: new AuditQueries(documentClient(client), tableName),
    desired: new DesiredStateStore(documentClient(client), tableName),
    tableName,
    where: options.endpoint ?? region,
    endpoint: options.endpoint,
    close: async () => client.destroy(),
  };
}

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AuditQueries } from './queries';
import { DesiredStateStore } from '../../functions/shared/desired/desired-store';
import { LOCAL_CREDENTIALS, localDynamoDbClient } from '../../local/dynamodb/dynamodb-local';
import { LOCAL_AUDIT_TABLE, readLocalAuditData, resolveDataDir } from '../../local/dynamodb/local-audit-data';
import { parseLocalUrl } from '../local-option';
import { AuditUsageError } from './usage-error';

/** The environment variable naming the audit table (the stack output `AuditTableName`). */
export const TABLE_ENV = 'SCP_GUARDIAN_TABLE';
/** The stack is pinned to us-east-1, where CloudTrail delivers Organizations events. */
export const DEFAULT_REGION = 'us-east-1';

/**
 * Where `audit` reads: AWS (`--table`, `--region`), another endpoint (`--endpoint`), the local
 * runner's data folder (`--local`), or a running `local --serve` (`--local URL`).
 */
export interface ConnectionOptions {
  table?: string;
  endpoint?: string;
  region?: string;
  local?: true | string;
  dataDir?: string;
}

/** The DynamoDB Local of a running `local --serve`, from its GET /endpoints. */
async function serverDynamoDb(text: string): Promise<string> {
  const base = parseLocalUrl(text, (message) => new AuditUsageError(message));
  let answer: { dynamodb?: unknown };
  try {
    const response = await fetch(new URL('endpoints', base), { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    answer = (await response.json()) as typeof answer;
  } catch (error) {
    const cause = (error as { cause?: { message?: unknown } }).cause?.message;
    throw new Error(`cannot reach scp-guardian local --serve at ${base.origin}: ${typeof cause === 'string' ? cause : (error as Error).message}`);
  }
  if (typeof answer.dynamodb !== 'string') throw new Error(`${base.origin}/endpoints names no DynamoDB endpoint: is it scp-guardian local --serve?`);
  return answer.dynamodb;
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
  if (options.local !== undefined) {
    if (options.endpoint !== undefined || options.table !== undefined) {
      throw new AuditUsageError('--local reads the local runner\'s data: leave out --endpoint and --table');
    }
    if (typeof options.local === 'string') {
      // A running server keeps its audit trail in its data folder's table.
      const endpoint = await serverDynamoDb(options.local);
      const client = localDynamoDbClient(endpoint);
      return {
        queries: new AuditQueries(documentClient(client), LOCAL_AUDIT_TABLE),
        desired: new DesiredStateStore(documentClient(client), LOCAL_AUDIT_TABLE),
        tableName: LOCAL_AUDIT_TABLE,
        where: `scp-guardian local --serve at ${options.local}`,
        endpoint,
        close: async () => client.destroy(),
      };
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

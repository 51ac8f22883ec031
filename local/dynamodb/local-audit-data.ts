import { DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createAuditTable, DynamoDbLocal, localDynamoDbClient } from './dynamodb-local';
import { DataDirBusyError, DataDirLock } from './data-dir-lock';

/** The audit table of local runs: a fixed name, so `audit --local` knows what to read. */
export const LOCAL_AUDIT_TABLE = 'scp-guardian-audit';

/** Overrides the local data folder (the default is `.scp-guardian` in the working directory). */
export const DATA_DIR_ENV = 'SCP_GUARDIAN_DATA_DIR';

/** The local data folder: `--data-dir`, else $SCP_GUARDIAN_DATA_DIR, else `./.scp-guardian`. */
export function resolveDataDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(option ?? (env[DATA_DIR_ENV] || '.scp-guardian'));
}

/** Where DynamoDB Local keeps its database inside the data folder. */
const databaseDir = (dataDir: string) => join(dataDir, 'dynamodb');
/** The database file DynamoDB Local writes with -sharedDb. */
const SHARED_DATABASE_FILE = 'shared-local-instance.db';

/** A DynamoDB Local serving the data folder's audit table, held until `stop()`. */
export interface LocalAuditData {
  endpoint: string;
  tableName: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** `audit --local` found nothing to read. */
export class NoLocalAuditDataError extends Error {
  constructor(dataDir: string) {
    super(`no local audit data in ${dataDir}: run \`scp-guardian local\` first (or give its --data-dir)`);
    this.name = 'NoLocalAuditDataError';
  }
}

async function tableExists(endpoint: string, tableName: string): Promise<boolean> {
  const client = localDynamoDbClient(endpoint);
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  } finally {
    client.destroy();
  }
}

/**
 * Starts DynamoDB Local on the data folder, holding the folder's lock until stopped.
 * `fresh`: the local runner's start of a run, which empties the audit table; otherwise the
 * table must already be there (`audit --local`).
 */
export async function openLocalAuditData(dataDir: string, options: { fresh: boolean; command: string }): Promise<LocalAuditData> {
  if (!options.fresh && !existsSync(join(databaseDir(dataDir), SHARED_DATABASE_FILE))) throw new NoLocalAuditDataError(dataDir);
  const lock = DataDirLock.acquire(dataDir, { command: options.command, tableName: LOCAL_AUDIT_TABLE });
  let dynamo: DynamoDbLocal | undefined;
  try {
    const folder = databaseDir(dataDir);
    mkdirSync(folder, { recursive: true });
    if (options.fresh) rmSync(join(folder, SHARED_DATABASE_FILE), { force: true });
    dynamo = await DynamoDbLocal.start({ dbPath: folder });
    if (options.fresh) await createAuditTable(dynamo.endpoint, LOCAL_AUDIT_TABLE);
    else if (!(await tableExists(dynamo.endpoint, LOCAL_AUDIT_TABLE))) throw new NoLocalAuditDataError(dataDir);
    lock.update({ endpoint: dynamo.endpoint, dynamoDbPid: dynamo.pid });
  } catch (error) {
    await dynamo?.close();
    lock.release();
    throw error;
  }
  const running = dynamo;
  return {
    endpoint: running.endpoint,
    tableName: LOCAL_AUDIT_TABLE,
    dataDir,
    stop: async () => {
      await running.close();
      lock.release();
    },
  };
}

/**
 * The local runner's audit data for reading: the DynamoDB Local of a run that is still going
 * (`local --serve`), else one started on the folder for as long as the caller needs it.
 */
export async function readLocalAuditData(dataDir: string): Promise<LocalAuditData> {
  const holder = DataDirLock.holder(dataDir);
  if (holder !== undefined) {
    if (holder.endpoint === undefined) throw new DataDirBusyError(dataDir, holder);
    return { endpoint: holder.endpoint, tableName: holder.tableName, dataDir, stop: async () => undefined };
  }
  return openLocalAuditData(dataDir, { fresh: false, command: 'scp-guardian audit --local' });
}

/** Where a local environment keeps its audit table, and how to let go of it. */
export interface AuditTableLease {
  endpoint: string;
  tableName: string;
  stop(): Promise<void>;
}

/**
 * The audit table of a local environment: a new table on a DynamoDB Local already running (the
 * tests' shared one), else the data folder's table, emptied for this run, else a table on an
 * in-memory DynamoDB Local of its own.
 */
export async function leaseAuditTable(options: { dynamoDbEndpoint?: string; dataDir?: string }): Promise<AuditTableLease> {
  if (options.dynamoDbEndpoint !== undefined) {
    const tableName = `scp-guardian-audit-${randomUUID().slice(0, 8)}`;
    await createAuditTable(options.dynamoDbEndpoint, tableName);
    return { endpoint: options.dynamoDbEndpoint, tableName, stop: async () => undefined };
  }
  if (options.dataDir !== undefined) return openLocalAuditData(options.dataDir, { fresh: true, command: 'scp-guardian local' });
  const dynamo = await DynamoDbLocal.start();
  try {
    const tableName = `scp-guardian-audit-${randomUUID().slice(0, 8)}`;
    await createAuditTable(dynamo.endpoint, tableName);
    return { endpoint: dynamo.endpoint, tableName, stop: () => dynamo.close() };
  } catch (error) {
    await dynamo.close();
    throw error;
  }
}

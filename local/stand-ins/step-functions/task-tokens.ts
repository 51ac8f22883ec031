import { randomBytes } from 'node:crypto';

/** Errors Step Functions answers SendTaskSuccess/SendTaskFailure with, by name. */
export class TaskTokenError extends Error {
  constructor(name: 'TaskDoesNotExist' | 'TaskTimedOut' | 'InvalidToken' | 'InvalidOutput', message: string) {
    super(message);
    this.name = name;
  }
}

/** An error a waiting task fails with (SendTaskFailure). */
export class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

interface Waiter {
  resolve(output: unknown): void;
  reject(error: Error): void;
}

/**
 * Task tokens for `.waitForTaskToken` states run locally: the engine has no token generation,
 * so each execution gets a token shaped like AWS's (long, with + / =), a waiting task
 * registers it, and the local Step Functions endpoint resolves it.
 */
export class TaskTokenBroker {
  private readonly waiting = new Map<string, Waiter>();
  private readonly ended = new Map<string, 'completed' | 'timed-out'>();

  static newToken(): string {
    return `AQCEAAAAKgAAAAMAAAAA${randomBytes(300).toString('base64')}`;
  }

  /** Waits for the token's answer. Register before anyone can learn the token. */
  register(token: string): Promise<unknown> {
    if (this.waiting.has(token) || this.ended.has(token)) throw new Error('task token registered twice');
    return new Promise((resolve, reject) => this.waiting.set(token, { resolve, reject }));
  }

  /** Whether the token was ever registered (it is waiting, or its task has ended). */
  isKnown(token: string): boolean {
    return this.waiting.has(token) || this.ended.has(token);
  }

  /** The task stopped waiting (timeout, execution ended): later answers are refused. */
  expire(token: string): void {
    if (this.waiting.delete(token)) this.ended.set(token, 'timed-out');
  }

  private take(token: string): Waiter {
    if (typeof token !== 'string' || token.length === 0 || token.length > 2048) throw new TaskTokenError('InvalidToken', 'Invalid Token');
    const waiter = this.waiting.get(token);
    if (waiter !== undefined) {
      this.waiting.delete(token);
      this.ended.set(token, 'completed');
      return waiter;
    }
    if (this.ended.get(token) === 'timed-out') throw new TaskTokenError('TaskTimedOut', 'Task Timed Out');
    throw new TaskTokenError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  succeed(token: string, output: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new TaskTokenError('InvalidOutput', 'Invalid Output: not JSON');
    }
    this.take(token).resolve(parsed);
  }

  fail(token: string, error = 'States.TaskFailed', cause = ''): void {
    this.take(token).reject(new TaskFailure(error, cause));
  }

  get pending(): number {
    return this.waiting.size;
  }
}

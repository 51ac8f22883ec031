import { GuardianError } from '../shared/errors';
import type { CallCount } from './result';

/** Names of the sweep's own failures (Lambda reports the thrown error's name). */
export const SweepErrorName = {
  /** The sweep would not finish before its function's timeout: it stopped, having written what it had. */
  DEADLINE_PASSED: 'SweepDeadlinePassed',
  /** A list kept answering NextTokens past any real organization's size. */
  PAGINATION_RUNAWAY: 'SweepPaginationRunaway',
  /** The sweep finished, but some of its writes or StartExecution calls failed (listed). */
  INCOMPLETE: 'SweepIncomplete',
} as const;

export class SweepError extends GuardianError {}

/** SDK error names that mean "later": throttling, outages, a call nobody answered. */
const TRANSIENT_NAMES = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ServiceException',
  'ServiceUnavailableException',
  'InternalFailure',
  'ConcurrentModificationException',
  'TimeoutError',
  'RequestTimeout',
]);

/** Connections that broke or never came up: the request may never have reached the service. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Whether an SDK error is worth another round once the SDK's own retries gave up (or ran out of retry quota). */
export function isTransient(error: unknown): boolean {
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const status = sdk.$metadata?.httpStatusCode;
  return TRANSIENT_NAMES.has(sdk.name ?? '') || status === 429 || (status !== undefined && status >= 500) || NETWORK_CODES.has(sdk.code ?? '');
}

export interface ApiCallsOptions {
  /** When the sweep must stop (epoch milliseconds): every call is aborted then. */
  deadline: number;
  /**
   * Rounds of retries the sweep adds once the SDK gives up on a transient error: its retry quota
   * can run dry in a long storm of throttling, and the sweep has no state machine to retry it.
   * @default 4
   */
  extraRounds?: number;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => number;
  /** Stops the sweep early, like its deadline (the local environment stopping). */
  signal?: AbortSignal;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Every AWS call of one sweep goes through `call`: counted by operation, aborted at the deadline
 * (so the sweep fails with SweepDeadlinePassed, named, before Lambda cuts it off), and given a
 * few more rounds with backoff when the SDK's adaptive retries gave up on throttling.
 */
export class ApiCalls {
  private readonly byOperation = new Map<string, number>();
  private attempts = 0;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;

  constructor(private readonly options: ApiCallsOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.clock = options.clock ?? Date.now;
  }

  /** Milliseconds left before the deadline. */
  remainingMs(): number {
    return this.options.signal?.aborted === true ? 0 : this.options.deadline - this.clock();
  }

  private deadlinePassed(operation: string, cause?: unknown): SweepError {
    return new SweepError(SweepErrorName.DEADLINE_PASSED, `the sweep stopped at its deadline during ${operation}, before its function's timeout`, { cause });
  }

  /** One call; `extraRounds` overrides the options' (0 for a best-effort call that must not hold the sweep). */
  async call<T>(operation: string, send: (abortSignal: AbortSignal) => Promise<T>, extraRounds?: number): Promise<T> {
    const rounds = extraRounds ?? this.options.extraRounds ?? 4;
    for (let round = 0; ; round++) {
      const remaining = this.remainingMs();
      if (remaining <= 0) throw this.deadlinePassed(operation);
      this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
      const abort = this.options.signal === undefined ? AbortSignal.timeout(remaining) : AbortSignal.any([AbortSignal.timeout(remaining), this.options.signal]);
      try {
        const output = await send(abort);
        this.attempts += (output as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1;
        return output;
      } catch (error) {
        this.attempts += (error as SdkError).$metadata?.attempts ?? 1;
        if (abort.aborted || this.remainingMs() <= 0) throw this.deadlinePassed(operation, error);
        if (round >= rounds || !isTransient(error)) throw error;
        // Full jitter over an exponential ceiling: 1, 2, 4, 8 s, never past the deadline.
        const wait = Math.min(Math.random() * 1000 * 2 ** round, Math.max(0, this.remainingMs() - 1));
        await this.sleep(wait);
      }
    }
  }

  count(): CallCount {
    const byOperation = Object.fromEntries([...this.byOperation.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return { total: [...this.byOperation.values()].reduce((sum, n) => sum + n, 0), byOperation, attempts: this.attempts };
  }
}

/**
 * At most `limit` tasks at once, wherever they are started from: the sweep's reads nest (a list
 * per OU and child type, lists of two kinds side by side), and a limit per `mapLimit` would
 * multiply. Waiters start in the order they asked.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Limiter: the limit must be a positive integer, got ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` never dips below what is in flight.
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.running--;
    }
  }
}

/** Runs `work` over `items` with at most `limit` at a time, results in the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** Pages a list call can take before the sweep calls it a runaway: 200,000 items at 20 a page. */
export const MAX_PAGES = 10_000;

/**
 * Every item of a paginated list. A page may be empty and still carry a NextToken
 * (Organizations says so of every List* call): only a missing NextToken ends the list.
 */
export async function allPages<T>(what: string, fetchPage: (nextToken: string | undefined) => Promise<{ items?: T[]; nextToken?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await fetchPage(token);
    items.push(...(answer.items ?? []));
    if (answer.nextToken === undefined || answer.nextToken === '') return items;
    token = answer.nextToken;
  }
  throw new SweepError(SweepErrorName.PAGINATION_RUNAWAY, `${what}: more than ${MAX_PAGES} pages, each with a NextToken`);
}

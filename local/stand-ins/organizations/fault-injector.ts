import { AwsServiceError } from '../aws-json-protocol/errors';

/**
 * Faults the local Organizations endpoint can answer with before it serves a call, so the
 * workflow's Retry and Catch meet what AWS really sends. Per request, in this order:
 *
 * 1. a scripted step for the operation, if any is queued: its fault, or `ok` for none
 *    (a scripted request skips the rate limit and the random faults);
 * 2. the rate limit: one token bucket per operation, each refilled at `requestsPerSecond`
 *    (429 TooManyRequestsException, "Rate exceeded"). AWS throttles each API on its own, so
 *    the reads that classify a detachment (DescribePolicy, DescribeAccount) and confirm a
 *    reattachment (ListPoliciesForTarget) do not spend AttachPolicy's budget, and N/R seconds
 *    is the honest lower bound for restoring N attachments at R requests per second;
 * 3. random faults: one draw from a seeded PRNG, so the same seed and the same calls give the
 *    same faults: 429 with `throttleProbability`, else 503 ServiceException with
 *    `serviceErrorProbability`, else a hang with `hangProbability`.
 *
 * A hang is the fault no status code describes: the call is never answered (no status, no
 * bytes) until the client gives up or the endpoint stops, as a connection lost inside AWS, or a
 * service stuck behind it, looks to the SDK. It is what the clients' request timeouts
 * (functions/shared/clients/timeouts.ts) are for. A hung call never reaches the organization.
 *
 * Steps 2 and 3 apply to every operation by default (AWS throttles reads as well as writes,
 * and the workflow reads to confirm a reattachment); `operations` narrows them. No timers: the
 * bucket refills from the clock when a request arrives.
 */

/** Faults that can be injected, with the status this project's contract gives each. */
export const FaultName = {
  THROTTLED: 'TooManyRequestsException',
  SERVICE: 'ServiceException',
  ACCESS_DENIED: 'AccessDeniedException',
  CONCURRENT_MODIFICATION: 'ConcurrentModificationException',
  /** A policy change still in progress: AWS answers it to EnablePolicyType and other writes meanwhile. */
  POLICY_CHANGES_IN_PROGRESS: 'PolicyChangesInProgressException',
} as const;
export type FaultName = (typeof FaultName)[keyof typeof FaultName];

/** The fault that is never answered. */
export const HANG = 'hang';

/** What can be injected: an error answer, or a hang. */
export type InjectedKind = FaultName | typeof HANG;

/**
 * A scripted step only: the call is applied to the organization, then its answer is lost (the
 * client times out), as when a response dies on the way back. A retry then meets its own work.
 */
export const APPLY_THEN_HANG = 'apply-then-hang';

/** One scripted answer: a fault, a hang (with or without applying the call), or `ok` to let the call through. */
export type ScriptStep = InjectedKind | typeof APPLY_THEN_HANG | 'ok';

const FAULTS: Readonly<Record<FaultName, { readonly status: number; readonly message: string }>> = {
  [FaultName.THROTTLED]: { status: 429, message: 'Rate exceeded' },
  [FaultName.SERVICE]: {
    status: 503,
    message: "AWS Organizations can't complete your request because of an internal service error. Try again later.",
  },
  [FaultName.ACCESS_DENIED]: { status: 400, message: "You don't have permissions to access this resource." },
  [FaultName.CONCURRENT_MODIFICATION]: {
    status: 400,
    message: 'The target of the operation is currently being modified by a different request. Try again later.',
  },
  [FaultName.POLICY_CHANGES_IN_PROGRESS]: {
    status: 400,
    message: 'Changes to the effective policy are in progress, and its contents can\'t be returned. Try the operation again later.',
  },
};

/** Where an injected fault came from. */
export type FaultSource = 'script' | 'rate-limit' | 'random';

/** An injected fault, answered like the real one. */
export class InjectedFault extends AwsServiceError {
  constructor(readonly fault: FaultName, readonly source: FaultSource) {
    super(fault, FAULTS[fault].message, { statusCode: FAULTS[fault].status });
  }
}

/** An injected hang: the endpoint holds the request open and never answers it. */
export class InjectedHang {
  readonly fault = HANG;
  constructor(
    readonly source: Exclude<FaultSource, 'rate-limit'>,
    /** The call is applied before its answer is withheld. */
    readonly applied = false,
  ) {}
}

/** Token bucket settings, applied to each operation's own bucket. */
export interface RateLimitOptions {
  /** Tokens added per second, to each operation's bucket. */
  readonly requestsPerSecond: number;
  /**
   * Bucket size: how many requests may arrive at once. The bucket starts full.
   * @default requestsPerSecond (at least 1)
   */
  readonly burst?: number;
}

/** What the FaultInjector injects. Every fault is off by default. */
export interface FaultOptions {
  /**
   * Token-bucket rate limit, per operation.
   * @default no limit
   */
  readonly rateLimit?: RateLimitOptions;
  /**
   * Probability (0..1) that a request is answered 429 TooManyRequestsException.
   * @default 0
   */
  readonly throttleProbability?: number;
  /**
   * Probability (0..1) that a request is answered 503 ServiceException.
   * @default 0
   */
  readonly serviceErrorProbability?: number;
  /**
   * Probability (0..1) that a request is never answered. With the two above, at most 1 in all.
   * @default 0
   */
  readonly hangProbability?: number;
  /**
   * Seed of the PRNG behind the random faults.
   * @default 1
   */
  readonly seed?: number;
  /**
   * Operations the rate limit and random faults apply to. Scripts apply to whatever they name.
   * @default every operation
   */
  readonly operations?: readonly string[];
  /**
   * Milliseconds clock for the token bucket; tests pass a fake one.
   * @default performance.now
   */
  readonly clock?: () => number;
}

/** mulberry32: a tiny, fast, seedable PRNG returning numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TokenBucket {
  tokens: number;
  /** Clock reading of the last refill. */
  at: number;
}

/** Decides, request by request, whether to answer with a fault. */
export class FaultInjector {
  private readonly scripts = new Map<string, ScriptStep[]>();
  private readonly injected = new Map<InjectedKind, number>();
  private readonly random: () => number;
  private readonly clock: () => number;
  private readonly operations: ReadonlySet<string> | undefined;
  private readonly throttleProbability: number;
  private readonly serviceErrorProbability: number;
  private readonly hangProbability: number;
  private readonly rateLimit: { readonly capacity: number; readonly perMs: number } | undefined;
  /** One bucket per operation, made full on the operation's first request. */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(options: FaultOptions = {}) {
    this.throttleProbability = probability(options.throttleProbability, 'throttleProbability');
    this.serviceErrorProbability = probability(options.serviceErrorProbability, 'serviceErrorProbability');
    this.hangProbability = probability(options.hangProbability, 'hangProbability');
    if (this.throttleProbability + this.serviceErrorProbability + this.hangProbability > 1) {
      throw new Error('FaultInjector: throttleProbability + serviceErrorProbability + hangProbability must not exceed 1');
    }
    this.random = mulberry32(options.seed ?? 1);
    this.clock = options.clock ?? (() => performance.now());
    this.operations = options.operations ? new Set(options.operations) : undefined;
    if (options.rateLimit) {
      const { requestsPerSecond, burst } = options.rateLimit;
      if (!(requestsPerSecond > 0)) throw new Error('FaultInjector: rateLimit.requestsPerSecond must be above 0');
      const capacity = burst ?? Math.max(1, requestsPerSecond);
      if (!(capacity >= 1)) throw new Error('FaultInjector: rateLimit.burst must be at least 1');
      this.rateLimit = { capacity, perMs: requestsPerSecond / 1000 };
    }
  }

  /** Queues answers for the next calls of an operation, consumed in order. Chainable. */
  script(operation: string, steps: readonly ScriptStep[]): this {
    for (const step of steps) {
      if (step !== 'ok' && step !== HANG && step !== APPLY_THEN_HANG && !(step in FAULTS)) throw new Error(`FaultInjector: unknown scripted step "${step}"`);
    }
    this.scripts.set(operation, [...(this.scripts.get(operation) ?? []), ...steps]);
    return this;
  }

  /** Scripted steps not yet consumed for an operation. */
  pending(operation: string): readonly ScriptStep[] {
    return [...(this.scripts.get(operation) ?? [])];
  }

  /** Drops every queued script step. */
  clearScripts(): void {
    this.scripts.clear();
  }

  /** How many faults were injected (hangs included), of one kind or in all. */
  injectedCount(fault?: InjectedKind): number {
    if (fault) return this.injected.get(fault) ?? 0;
    return [...this.injected.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Called once per request: the fault to answer with, a hang, or undefined to serve the call. */
  check(operation: string): InjectedFault | InjectedHang | undefined {
    const scripted = this.scripts.get(operation)?.shift();
    if (scripted !== undefined) {
      if (scripted === 'ok') return undefined;
      if (scripted === HANG || scripted === APPLY_THEN_HANG) return this.hang('script', scripted === APPLY_THEN_HANG);
      return this.inject(scripted, 'script');
    }
    if (this.operations && !this.operations.has(operation)) return undefined;
    if (this.rateLimit && !this.takeToken(operation, this.rateLimit)) return this.inject(FaultName.THROTTLED, 'rate-limit');
    if (this.throttleProbability === 0 && this.serviceErrorProbability === 0 && this.hangProbability === 0) return undefined;
    // One draw per request, the bands in a fixed order: adding a hang band after the others
    // leaves the 429s and 503s a seed gave before unchanged.
    const draw = this.random();
    if (draw < this.throttleProbability) return this.inject(FaultName.THROTTLED, 'random');
    if (draw < this.throttleProbability + this.serviceErrorProbability) return this.inject(FaultName.SERVICE, 'random');
    if (draw < this.throttleProbability + this.serviceErrorProbability + this.hangProbability) return this.hang('random');
    return undefined;
  }

  private takeToken(operation: string, limit: NonNullable<FaultInjector['rateLimit']>): boolean {
    const now = this.clock();
    let bucket = this.buckets.get(operation);
    if (bucket === undefined) this.buckets.set(operation, (bucket = { tokens: limit.capacity, at: now }));
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + (now - bucket.at) * limit.perMs);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  private inject(fault: FaultName, source: FaultSource): InjectedFault {
    this.count(fault);
    return new InjectedFault(fault, source);
  }

  private hang(source: InjectedHang['source'], applied = false): InjectedHang {
    this.count(HANG);
    return new InjectedHang(source, applied);
  }

  private count(kind: InjectedKind): void {
    this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
  }
}

function probability(value: number | undefined, name: string): number {
  const p = value ?? 0;
  if (!(p >= 0 && p <= 1)) throw new Error(`FaultInjector: ${name} must be between 0 and 1, got ${String(value)}`);
  return p;
}

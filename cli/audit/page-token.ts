import { createHash } from 'node:crypto';

/**
 * The `--next-token` of `audit list`: base64url of where the last page stopped (a DynamoDB key),
 * the query's time window, and a fingerprint of its filters, so a token is only ever used to
 * continue the query that printed it.
 */
export interface PageCursor {
  /** Fingerprint of the filters (policy, target, actor, outcome) the token belongs to. */
  filters: string;
  /** The window of the first page: a relative `--since 24h` must not move between pages. */
  since?: string;
  until?: string;
  /** The key of the last incident returned: the ExclusiveStartKey of the next Query. */
  key: Record<string, string>;
}

/** A `--next-token` that is not one `audit list` printed, or that belongs to another query. */
export class PageTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PageTokenError';
  }
}

const VERSION = 1;

/** A short, stable fingerprint of the filters; the token does not need to carry them. */
export function filtersFingerprint(filters: Record<string, string | undefined>): string {
  const canonical = Object.keys(filters)
    .sort()
    .filter((key) => filters[key] !== undefined)
    .map((key) => [key, filters[key]]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);
}

export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify({ v: VERSION, ...cursor }), 'utf8').toString('base64url');
}

const isStringMap = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');

/** Reads a token; throws PageTokenError when it is not one of ours or belongs to other filters. */
export function decodePageToken(token: string, expectedFilters: string): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new PageTokenError('--next-token is not a token printed by `audit list`');
  }
  const candidate = parsed as Partial<PageCursor> & { v?: unknown };
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    candidate.v !== VERSION ||
    typeof candidate.filters !== 'string' ||
    !isStringMap(candidate.key) ||
    (candidate.since !== undefined && typeof candidate.since !== 'string') ||
    (candidate.until !== undefined && typeof candidate.until !== 'string')
  ) {
    throw new PageTokenError('--next-token is not a token printed by `audit list`');
  }
  if (candidate.filters !== expectedFilters) {
    throw new PageTokenError('--next-token belongs to a query with other filters: repeat the --policy/--target/--actor/--outcome it was printed for');
  }
  return { filters: candidate.filters, since: candidate.since, until: candidate.until, key: candidate.key };
}

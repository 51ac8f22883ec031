import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The bearer token of `scp-guardian local --serve` (contract: docs/contracts.md, "The `local --serve` API"): written at start to
 * `<data-dir>/serve-token`, readable by its owner alone, and required on every request that
 * changes state except Slack's signed interactions. A web page the user happens to visit can
 * send requests to 127.0.0.1, but it cannot read this file, and a browser sends no
 * `Authorization` header across sites without a CORS preflight, which this server never grants.
 */
export const SERVE_TOKEN_FILE = 'serve-token';

/** 32 random bytes: as hard to guess as a 256-bit key. */
const TOKEN_BYTES = 32;

export const serveTokenPath = (dataDir: string) => join(dataDir, SERVE_TOKEN_FILE);

/** The token files this process wrote and still owns, removed however it exits. */
const written = new Map<string, string>();
const removeOnExit = () => written.forEach((token, path) => removeServeToken(path, token));

/** No token file in the data folder: no server runs on it (or one with another --data-dir). */
export class ServeTokenMissingError extends Error {
  constructor(readonly path: string, options?: { cause?: unknown }) {
    super(
      `no token in ${path}: is \`scp-guardian local --serve\` running with this data folder? ` +
        'Give the --data-dir it was started with (or set $SCP_GUARDIAN_DATA_DIR)',
      options,
    );
    this.name = 'ServeTokenMissingError';
  }
}

/** A new token, written to `<dataDir>/serve-token` with mode 0600 (any older file is replaced). */
export function writeServeToken(dataDir: string): { token: string; path: string } {
  mkdirSync(dataDir, { recursive: true });
  const path = serveTokenPath(dataDir);
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  // Removed first: a mode given to writeFileSync applies only to a file it creates.
  rmSync(path, { force: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  if (written.size === 0) process.on('exit', removeOnExit);
  written.set(path, token);
  return { token, path };
}

/** The token of the server running on `dataDir`; ServeTokenMissingError when there is none. */
export function readServeToken(dataDir: string): string {
  const path = serveTokenPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ServeTokenMissingError(path, { cause: error });
    throw error;
  }
  const token = text.trim();
  if (token === '') throw new ServeTokenMissingError(path);
  return token;
}

/** Removes the token file, unless another server has written its own there since. */
export function removeServeToken(path: string, token: string): void {
  if (written.get(path) === token && written.delete(path) && written.size === 0) process.removeListener('exit', removeOnExit);
  try {
    if (readFileSync(path, 'utf8').trim() === token) rmSync(path, { force: true });
  } catch {
    // Already gone.
  }
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether an `Authorization` header carries `Bearer <token>`. The comparison takes the same time
 * whatever the header holds: both sides are hashed to one length, then compared in constant time.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(presented), digest(token)) && presented !== '';
}

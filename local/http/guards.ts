/**
 * What `scp-guardian local --serve` checks before a route sees a request. The server listens on
 * 127.0.0.1 only, but any web page the user opens can still make the browser send requests
 * there; these checks are what keeps such a page from changing anything.
 */

/** The names a request to this machine's loopback server can carry in its `Host` header. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a `Host` header is refused, or undefined when it names this server on loopback
 * (127.0.0.1:PORT, localhost:PORT or [::1]:PORT). A page on a foreign domain that its DNS
 * points at 127.0.0.1 (DNS rebinding) reaches the socket, but its requests carry that domain.
 */
export function hostProblem(host: string | undefined, port: number): string | undefined {
  const allowed = `127.0.0.1:${port}, localhost:${port} or [::1]:${port}`;
  if (host === undefined || host === '') return `a request needs a Host header: this server answers only ${allowed}`;
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::(\d{1,5}))?$/.exec(host.trim());
  const name = match?.[1].toLowerCase();
  const named = match?.[2] === undefined ? 80 : Number(match[2]);
  if (name !== undefined && LOOPBACK_NAMES.has(name) && named === port) return undefined;
  return `Host ${JSON.stringify(host.slice(0, 256))} is not this server: it answers only ${allowed}`;
}

/** JSON nested deeper than this is refused before it is parsed. */
export const MAX_JSON_DEPTH = 64;

/** A request body that is not acceptable JSON. */
export class JsonBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonBodyError';
  }
}

/**
 * Parses a JSON body whose arrays and objects nest at most `maxDepth` deep. JSON.parse itself
 * copes with any depth, but what handles the value afterwards (JSON.stringify for an excerpt,
 * marshalling for DynamoDB, the workflow's deep copies) recurses and overflows the stack on
 * something like 10,000 `[`, so the depth is counted in one pass before parsing.
 */
export function parseBoundedJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) throw new JsonBodyError(`the JSON nests deeper than ${maxDepth} levels`);
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new JsonBodyError(`the body is not JSON (${(error as Error).message})`);
  }
}

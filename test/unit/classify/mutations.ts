import fc from 'fast-check';

/**
 * Ways to damage a real CloudTrail event the way transport bugs, truncation and hand-edited
 * replays do: drop a key, change a value's type, cut a string, bury a value in junk.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const MUTATION_KINDS = ['drop', 'replace', 'truncate', 'retype', 'nest', 'null'] as const;

export interface Mutation {
  /** Which node, as an index into every node of the document (wrapped round). */
  at: number;
  kind: (typeof MUTATION_KINDS)[number];
  junk: Json;
  cut: number;
}

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom(...MUTATION_KINDS),
  junk: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  cut: fc.nat({ max: 4096 }),
});

type Path = (string | number)[];

function pathsOf(value: Json, path: Path = [], into: Path[] = []): Path[] {
  into.push(path);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...path, i], into));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) pathsOf(item, [...path, key], into);
  return into;
}

function retype(value: Json): Json {
  if (typeof value === 'string') return value.length;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (value === null) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((item, i) => [String(i), item]));
  return JSON.stringify(value);
}

function truncate(value: Json, cut: number): Json {
  if (typeof value === 'string') return value.slice(0, cut % (value.length + 1));
  if (Array.isArray(value)) return value.slice(0, cut % (value.length + 1));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    return Object.fromEntries(entries.slice(0, cut % (entries.length + 1)));
  }
  return value;
}

function changed(value: Json, mutation: Mutation): Json | undefined {
  switch (mutation.kind) {
    case 'drop':
      return undefined;
    case 'replace':
      return mutation.junk;
    case 'truncate':
      return truncate(value, mutation.cut);
    case 'retype':
      return retype(value);
    case 'nest':
      return mutation.cut % 2 === 0 ? [value, mutation.junk] : { junk: mutation.junk, value };
    case 'null':
      return null;
  }
}

/** Applies one mutation to a copy of `document`. Dropping the whole document leaves null. */
export function mutate(document: Json, mutation: Mutation): Json {
  const copy = structuredClone(document);
  const paths = pathsOf(copy);
  const path = paths[mutation.at % paths.length];
  if (path.length === 0) return changed(copy, mutation) ?? null;
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[key];
  const last = path[path.length - 1];
  const container = parent as Record<string | number, Json>;
  const next = changed(container[last], mutation);
  if (next !== undefined) container[last] = next;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete container[last];
  return copy;
}

/** The document as text cut at `length`, parsed again when it still parses (else the text itself). */
export function truncatedText(document: Json, length: number): unknown {
  const text = JSON.stringify(document).slice(0, length);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

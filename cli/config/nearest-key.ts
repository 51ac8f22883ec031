/**
 * Edit distance with adjacent transpositions (optimal string alignment): "mdoe" is one step from
 * "mode", as a typing slip is. Case differences count like any other letter.
 */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The known key `key` was most likely meant to be, or undefined when none is close: at most two
 * edits ignoring case, and fewer than half the key's length (so "id" does not become "mode");
 * else a known key it starts (`timeout` for `timeoutMinutes`). Ties go to the key listed first.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= 2 && distance * 2 < key.length && (best === undefined || distance < best.distance)) best = { key: candidate, distance };
  }
  if (best !== undefined) return best.key;
  return key.length >= 4 ? known.find((candidate) => candidate.toLowerCase().startsWith(lower)) : undefined;
}

/** Optimal-string-alignment Damerau-Levenshtein distance, stopping early above `max`. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The name itself and every string one deletion away: two names one edit apart always share one. */
export function deletionVariants(name: string): string[] {
  const out = new Set([name]);
  for (let i = 0; i < name.length; i++) out.add(name.slice(0, i) + name.slice(i + 1));
  return [...out];
}

/**
 * Exactly one edit apart (insert, delete, substitute, or swap of neighbours): editDistance(a, b) === 1
 * in one pass and no allocation, for the fan-out of every malicious record.
 */
export function oneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  if (a.length < b.length) [a, b] = [b, a];
  if (a.length - b.length > 1) return false;
  let i = 0;
  while (i < b.length && a[i] === b[i]) i++;
  if (a.length > b.length) return a.slice(i + 1) === b.slice(i);
  // Same length: one substitution, or one swap of neighbours.
  if (a.slice(i + 1) === b.slice(i + 1)) return true;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** Watched names one edit (insert, delete, substitute, swap) away from a published name: typosquat candidates. */
export function lookalikesOf<T extends string>(published: string, candidates: Iterable<T>): T[] {
  const out: T[] = [];
  for (const w of candidates) if (oneEditApart(published, w)) out.push(w);
  return out;
}

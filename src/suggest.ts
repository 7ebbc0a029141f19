import type { Clock } from "./clock.js";
import type { AdvisoryStore } from "./store/ports/mirror.js";

const REFRESH_MS = 60_000;

/** Fast prefix search over the mirror's package names (for autocomplete), refreshed at most once a minute. */
export function createPackageSuggester(advisories: AdvisoryStore, clock: Clock, limit = 25): (prefix: string) => Promise<string[]> {
  let names: string[] = [];
  let loadedAt = Number.NEGATIVE_INFINITY;
  return async (prefix) => {
    if (clock.now().getTime() - loadedAt > REFRESH_MS) {
      names = [...(await advisories.packageNames())].sort();
      loadedAt = clock.now().getTime();
    }
    const p = prefix.toLowerCase().replace(/[-_.]+/g, "-");
    // Binary search for the first name >= prefix; matches follow contiguously in sorted order.
    let lo = 0;
    let hi = names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (names[mid]! < p) lo = mid + 1;
      else hi = mid;
    }
    const out: string[] = [];
    for (let i = lo; i < names.length && out.length < limit && names[i]!.startsWith(p); i++) out.push(names[i]!);
    return out;
  };
}

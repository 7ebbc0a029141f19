import { KEYS } from "./keys.js";
import type { Db } from "./open.js";

/** KEV membership and EPSS scores by CVE, in memory for matching and kept in the store across restarts. */
export interface PriorityIndex {
  kev(aliases: readonly string[]): boolean;
  epss(aliases: readonly string[]): number | undefined;
  /** Replaces the KEV list; returns the CVEs that were not in it before (none on the first load when `diff` is false). */
  setKev(cves: readonly string[], diff: boolean): Promise<string[]>;
  setEpss(scores: ReadonlyMap<string, number>): Promise<void>;
}

export async function openPriorityIndex(db: Db): Promise<PriorityIndex> {
  let kev = new Set((await db.keyv.get<string[]>(KEYS.kev)) ?? []);
  let epss = new Map(Object.entries((await db.keyv.get<Record<string, number>>(KEYS.epss)) ?? {}));
  return {
    kev: (aliases) => aliases.some((a) => kev.has(a.toUpperCase())),
    epss(aliases) {
      const scores = aliases.map((a) => epss.get(a.toUpperCase())).filter((s): s is number => s !== undefined);
      return scores.length ? Math.max(...scores) : undefined;
    },
    async setKev(cves, diff) {
      const next = new Set(cves.map((c) => c.toUpperCase()));
      const added = diff ? [...next].filter((c) => !kev.has(c)) : [];
      kev = next;
      await db.transaction(() => db.keyv.set(KEYS.kev, [...next]));
      return added;
    },
    async setEpss(scores) {
      epss = new Map(scores);
      await db.transaction(() => db.keyv.set(KEYS.epss, Object.fromEntries(scores)));
    },
  };
}

import type { Affected } from "../advisory/osv-schema.js";
import { cmp, contains, type Interval, isVersion } from "./intervals.js";

/** What one `affected[]` entry says about a PyPI package, in PEP 440 terms. */
export interface AffectedSet {
  /** From ECOSYSTEM ranges: introduced (inclusive) to fixed/limit (exclusive) or last_affected (inclusive). */
  readonly intervals: Interval[];
  /** From the explicit `versions` list, valid PEP 440 only. */
  readonly versions: string[];
  /** Versions that are not valid PEP 440: reported to people, never guessed at. */
  readonly invalid: string[];
  /** Fixed versions named by the ranges, ascending. */
  readonly fixed: string[];
  /** The entry names the package but states no versions or ECOSYSTEM ranges at all. */
  readonly unstated: boolean;
}

function rangeIntervals(events: Affected["ranges"][number]["events"], invalid: string[]): Interval[] {
  const usable = events.filter((e) => {
    if (e.kind === "introduced" && e.version === "0") return true;
    if (isVersion(e.version)) return true;
    invalid.push(e.version);
    return false;
  });
  // OSV: sort the events by version ("0" first), then walk them.
  usable.sort((a, b) => (a.version === "0" ? -1 : b.version === "0" ? 1 : cmp(a.version, b.version)));
  const limits = usable.filter((e) => e.kind === "limit");
  const out: Interval[] = [];
  let start: string | undefined;
  let open = false;
  for (const e of usable) {
    if (e.kind === "introduced") {
      if (!open) {
        start = e.version;
        open = true;
      }
    } else if (e.kind === "fixed" || e.kind === "last_affected") {
      if (open) {
        out.push({
          ...(start !== "0" && start !== undefined && { lower: { version: start, inclusive: true } }),
          upper: { version: e.version, inclusive: e.kind === "last_affected" },
        });
        open = false;
      }
    }
  }
  if (open) out.push(start !== "0" && start !== undefined ? { lower: { version: start, inclusive: true } } : {});
  if (limits.length === 0) return out;
  // A limit caps every interval of its range (exclusive).
  const cap = limits.map((l) => l.version).sort(cmp)[0]!;
  return out.flatMap((i) => {
    if (i.lower && cmp(i.lower.version, cap) >= 0) return [];
    if (i.upper && cmp(i.upper.version, cap) <= 0) return [i];
    return [{ ...i, upper: { version: cap, inclusive: false } }];
  });
}

/** Evaluates one affected entry by the OSV rules for PyPI; GIT and SEMVER ranges are not PyPI versions and are ignored. */
export function affectedSet(a: Affected): AffectedSet {
  const invalid: string[] = [];
  const intervals: Interval[] = [];
  const fixed: string[] = [];
  let ecosystemRanges = 0;
  for (const r of a.ranges) {
    if (r.type !== "ECOSYSTEM") continue;
    ecosystemRanges++;
    intervals.push(...rangeIntervals(r.events, invalid));
    for (const e of r.events) if (e.kind === "fixed" && isVersion(e.version)) fixed.push(e.version);
  }
  const versions: string[] = [];
  for (const v of a.versions) {
    if (isVersion(v)) versions.push(v);
    else invalid.push(v);
  }
  fixed.sort(cmp);
  return {
    intervals,
    versions,
    invalid: [...new Set(invalid)],
    fixed: [...new Set(fixed)],
    unstated: ecosystemRanges === 0 && a.versions.length === 0,
  };
}

/** Whether one concrete version is affected: listed explicitly OR inside any range. */
export function isAffected(set: AffectedSet, version: string): boolean {
  if (!isVersion(version)) return false;
  if (set.versions.some((v) => cmp(v, version) === 0)) return true;
  return set.intervals.some((i) => contains(i, version));
}

import type { Advisory } from "../advisory/osv-schema.js";
import type { NormalizedName } from "../advisory/names.js";
import { contains, describe, intersectAll, type Interval } from "./intervals.js";
import { affectedSet, type AffectedSet } from "./ranges.js";
import { specIntervals, type Watch } from "./specifiers.js";

/** How an advisory touches one watch. */
export interface Effect {
  readonly affected: boolean;
  /** The watched versions that are affected, e.g. `["4.2.1"]` or `[">=4.2, <4.2.15"]`. */
  readonly versions: string[];
  readonly fixed: string[];
  /** Versions in the advisory that are not valid PEP 440 (reported, not guessed). */
  readonly invalid: string[];
  /**
   * The advisory names the package but states no affected versions (no range, no version list).
   * By OSV's rules no version is affected (`affected` is false); chat may still say it names the package.
   */
  readonly unstated: boolean;
}

export const NOT_AFFECTED: Effect = { affected: false, versions: [], fixed: [], invalid: [], unstated: false };
const UNSTATED: Effect = { ...NOT_AFFECTED, versions: ["versions not stated"], unstated: true };

/** The affected entries of an advisory for one PyPI package, evaluated. */
export function setsFor(advisory: Advisory, name: NormalizedName): AffectedSet[] {
  return advisory.affected
    .filter((a) => a.package && (a.package.ecosystem === "PyPI" || name === "python") && a.package.name === name)
    .map(affectedSet);
}

function effectOfSet(set: AffectedSet, allowed: readonly Interval[]): string[] {
  const pieces = intersectAll(set.intervals, allowed).map(describe);
  for (const v of set.versions) {
    // Watched first: for a pin that rules out nearly every listed version at once.
    if (!allowed.some((i) => contains(i, v))) continue;
    // Listed versions inside a range are already described by it.
    if (!set.intervals.some((i) => contains(i, v))) pieces.push(v);
  }
  return pieces;
}

/** Whether `advisory` affects `watch`, and which watched versions. Withdrawn advisories affect nothing. */
export function affects(advisory: Advisory, watch: Watch): Effect {
  if (advisory.withdrawn) return NOT_AFFECTED;
  const named = setsFor(advisory, watch.name);
  // An entry that states no versions matches no version (OSV's evaluation, pip-audit, osv-scanner).
  const sets = named.filter((s) => !s.unstated);
  if (sets.length === 0) return named.length > 0 ? UNSTATED : NOT_AFFECTED;
  const allowed = specIntervals(watch.specifier);
  const versions = [...new Set(sets.flatMap((s) => effectOfSet(s, allowed)))];
  const fixed = [...new Set(sets.flatMap((s) => s.fixed))];
  const invalid = [...new Set(sets.flatMap((s) => s.invalid))];
  // An unparseable fixed event leaves its range open (we alert rather than guess); `invalid` lets the message say so.
  return { affected: versions.length > 0, versions, fixed, invalid, unstated: false };
}

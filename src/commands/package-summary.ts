import type { Severity } from "../advisory/severity.js";
import { naturalOrder, type Finding } from "../lookup.js";
import { setsFor } from "../matching/affects.js";
import { isAffected } from "../matching/ranges.js";
import { watchText, type Watch } from "../matching/specifiers.js";
import { pinnedVersion, upgradeCandidates } from "../matching/upgrade.js";

/** The ratings worth counting in a one-line summary, most severe first. */
const COUNTED: readonly Severity["rating"][] = ["critical", "high"];

/**
 * The smallest version above a pinned watch that none of `findings` affects, or undefined (not a
 * pin, or no such version among their fixes). Pre-releases only for a pre-release pin.
 */
export function smallestFix(watch: Watch, findings: readonly Finding[]): string | undefined {
  const pin = pinnedVersion(watch);
  if (!pin) return undefined;
  // Each advisory's ranges read once, not once per candidate (a package may list hundreds of both).
  const sets = findings.map((f) => setsFor(f.stored.advisory, watch.name).filter((s) => !s.unstated));
  return upgradeCandidates(pin, findings.flatMap((f) => f.effect.fixed)).find((v) => sets.every((own) => !own.some((s) => isAffected(s, v))));
}

/** Ids named in a summary line up to this many; beyond it only the counts ("lookup" lists them). */
const NAMED = 3;

/** "2 advisories (PYSEC-2018-28, PYSEC-2023-74), 1 high" or "25 advisories, 3 critical". */
function counts(findings: readonly Finding[]): string {
  const n = findings.length;
  const ids = n <= NAMED ? ` (${findings.map((f) => f.stored.advisory.id).sort(naturalOrder).join(", ")})` : "";
  const parts = [`${n} ${n === 1 ? "advisory" : "advisories"}${ids}`];
  for (const rating of COUNTED) {
    const k = findings.filter((f) => f.severity.rating === rating).length;
    if (k > 0) parts.push(`${k} ${rating}`);
  }
  return parts.join(", ");
}

/**
 * One line for one watched package with known advisories: "django==3.2.0: 25 advisories, 3
 * critical → upgrade to 3.2.25". A watch without a pinned version says advisories affect *some*
 * of its versions and how to give yours.
 */
export function summaryLine(watch: Watch, findings: readonly Finding[]): string {
  const what = watchText(watch);
  const pin = pinnedVersion(watch);
  if (!pin) {
    const scope = watch.specifier ? "some versions in this range" : "some versions";
    return `${what}: ${counts(findings)} ${findings.length === 1 ? "affects" : "affect"} ${scope}; to see whether yours is, give its version: watch ${watch.name}==<version> (or lookup ${watch.name} <version>).`;
  }
  const fix = smallestFix(watch, findings);
  const unfixed = findings.filter((f) => f.effect.fixed.length === 0).length;
  const advice = fix ? `upgrade to ${fix}` : unfixed === findings.length ? "no fixed version yet" : "no single release fixes them all yet";
  return `${what}: ${counts(findings)} → ${advice}`;
}

/** One line for every watch nothing is known to affect. */
export function nothingKnownLine(watches: readonly Watch[]): string {
  return `No known advisory affects ${watches.map(watchText).join(", ")}.`;
}

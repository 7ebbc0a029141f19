import type { StoredAdvisory } from "./advisory/diff.js";
import { osvUrl } from "./advisory/ids.js";
import { severityOf, severityRank, type Severity } from "./advisory/severity.js";
import { affects, type Effect } from "./matching/affects.js";
import type { Watch } from "./matching/specifiers.js";
import { severityLabel } from "./message.js";
import type { AdvisoryStore } from "./store/ports/mirror.js";

export interface Finding {
  readonly stored: StoredAdvisory;
  readonly effect: Effect;
  readonly severity: Severity;
}

/** Advisories in the mirror that affect a watch (or a pinned version), most severe first. */
export async function findAffecting(advisories: AdvisoryStore, watch: Watch): Promise<Finding[]> {
  return affectingOf(await advisories.byPackage(watch.name), watch);
}

/** The same, among advisories already read (a package's, once for every pin of it in an audit). */
export function affectingOf(candidates: readonly StoredAdvisory[], watch: Watch): Finding[] {
  const found: Finding[] = [];
  for (const stored of candidates) {
    const effect = affects(stored.advisory, watch);
    if (effect.affected) found.push({ stored, effect, severity: severityOf(stored.advisory) });
  }
  return found.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || naturalOrder(a.stored.advisory.id, b.stored.advisory.id));
}

// One collator: localeCompare with options builds a new one on every call.
const natural = new Intl.Collator("en", { numeric: true });

/** Ids as people count them: PYSEC-2023-61 before PYSEC-2023-226. */
export function naturalOrder(a: string, b: string): number {
  return natural.compare(a, b);
}


/** One plain-text line per finding, for replies and the CLI; `pin`: the version asked about, as written. */
export function formatFinding(f: Finding, pin?: string): string {
  const a = f.stored.advisory;
  const parts = [`${a.id} (${severityLabel(f.severity)})`];
  if (a.summary) parts.push(a.summary.trim().slice(0, 160));
  parts.push(`affected: ${pin ?? f.effect.versions.join("; ")}`);
  parts.push(f.effect.fixed.length ? `fixed in ${f.effect.fixed.join(", ")}` : "no fixed version yet");
  if (a.aliases.length) parts.push(`aliases: ${a.aliases.join(", ")}`);
  if (f.effect.invalid.length) parts.push(`unreadable versions in the advisory: ${f.effect.invalid.slice(0, 3).join(", ")}`);
  parts.push(osvUrl(a.id));
  return parts.join(" — ");
}

import type { Advisory } from "./osv-schema.js";

// Which record's words lead when several describe one vulnerability: the PyPI-specific ones first.
const PRECEDENCE = ["PYSEC-", "GHSA-", "PSF-", "MAL-", "CVE-"];

function rank(id: string): number {
  const i = PRECEDENCE.findIndex((p) => id.startsWith(p));
  return i === -1 ? PRECEDENCE.length : i;
}

function instant(ts: string | undefined): number {
  const t = ts ? Date.parse(ts) : Number.NaN;
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}

function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Every id a record names for itself (its id and aliases), upper-cased for lookups. */
export function idsOf(a: Advisory): string[] {
  return [...new Set([a.id, ...a.aliases].map((x) => x.toUpperCase()))];
}

/**
 * Records that alias each other (PYSEC ↔ GHSA ↔ CVE ↔ PSF) as one advisory under `canonical`: union of
 * aliases and references; the earliest `published`, the latest `modified`; withdrawn only when every
 * record is. What it affects, its words and its severity come from the records that are not withdrawn:
 * a record withdrawn because it named the wrong package must not keep that package affected through
 * an alias it shares with an active one. Pure.
 */
export function mergeRecords(canonical: string, records: readonly Advisory[]): Advisory {
  const ordered = [...records].sort((a, b) => (a.id === canonical ? -1 : b.id === canonical ? 1 : rank(a.id) - rank(b.id) || a.id.localeCompare(b.id)));
  const lead = ordered[0]!;
  if (ordered.length === 1) return lead;
  const ids = new Set(ordered.flatMap((r) => [r.id, ...r.aliases]));
  ids.delete(canonical);
  const published = ordered.map((r) => r.published).filter((p): p is string => Boolean(p)).sort((a, b) => instant(a) - instant(b))[0];
  const modified = ordered.map((r) => r.modified).sort((a, b) => instant(b) - instant(a))[0]!;
  const active = ordered.filter((r) => !r.withdrawn);
  const withdrawn = active.length === 0 ? ordered.map((r) => r.withdrawn!).sort((a, b) => instant(b) - instant(a))[0] : undefined;
  // When every record is withdrawn, the advisory says what it said, marked withdrawn.
  const standing = active.length > 0 ? active : ordered;
  const summary = standing.find((r) => r.summary)?.summary;
  const details = standing.find((r) => r.details)?.details;
  const dbSeverity = standing.map((r) => r.database_specific).find((d) => d && typeof d["severity"] === "string");
  return {
    id: canonical,
    modified,
    ...(published && { published }),
    ...(withdrawn && { withdrawn }),
    aliases: [...ids].sort(),
    related: [...new Set(ordered.flatMap((r) => r.related))].sort(),
    ...(summary && { summary }),
    ...(details && { details }),
    severity: uniqueBy(standing.flatMap((r) => r.severity), (s) => `${s.type}|${s.score}`),
    affected: uniqueBy(standing.flatMap((r) => r.affected), (a) => JSON.stringify(a)),
    references: uniqueBy(ordered.flatMap((r) => r.references), (r) => r.url),
    ...(dbSeverity && { database_specific: { severity: dbSeverity["severity"] } }),
  };
}

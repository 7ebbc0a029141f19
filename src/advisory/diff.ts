import { createHash } from "node:crypto";
import type { Advisory } from "./osv-schema.js";

export type ChangeKind = "new" | "updated" | "withdrawn" | "unchanged";

/** An advisory as the mirror keeps it, with what pysec-herald adds around it. */
export interface StoredAdvisory {
  readonly v: 1;
  readonly advisory: Advisory;
  /** Bumped on every material change; part of the outbox idempotency key. */
  readonly revision: number;
  readonly fingerprint: string;
  readonly firstSeen: string;
  /** An event whose fan-out to channels has not finished yet (survives a crash in between). */
  readonly pendingEvent?: Exclude<ChangeKind, "unchanged">;
  /** Ids of the source records merged into this advisory (they alias each other). */
  readonly members?: string[];
  /** When each source (osv, pypa, psf…) first delivered this vulnerability. */
  readonly sources?: Record<string, string>;
  /** In CISA's Known Exploited Vulnerabilities catalog (through a CVE alias). */
  readonly kev?: boolean;
  /** FIRST EPSS probability of exploitation in the next 30 days, 0..1. */
  readonly epss?: number;
}

export interface Change {
  readonly kind: ChangeKind;
  readonly current: StoredAdvisory;
  readonly previous?: StoredAdvisory;
  /** Whether the stored copy must be written (false when nothing at all changed). */
  readonly write: boolean;
  /** Advisories that this record joined to this one (their messages become this one's). */
  readonly absorbed?: string[];
}

/** Material fields: a change in any of them is news to people who were told about the advisory. */
export function fingerprint(a: Advisory, kev = false, memberIds: readonly string[] = []): string {
  // A new CVE id is news; another database's record of the same vulnerability (GHSA, PYSEC, PSF) is not.
  const members = new Set(memberIds);
  const material = {
    withdrawn: Boolean(a.withdrawn),
    summary: a.summary ?? "",
    aliases: a.aliases.filter((x) => x.startsWith("CVE-") && !members.has(x)).sort(),
    severity: a.severity.map((s) => `${s.type}:${s.score}`).sort(),
    affected: a.affected.map((x) => ({ p: x.package?.name, r: x.ranges.filter((r) => r.type === "ECOSYSTEM").map((r) => r.events), v: x.versions })),
    dbSeverity: a.database_specific?.["severity"] ?? null,
    kev,
  };
  return createHash("sha256").update(JSON.stringify(material)).digest("hex").slice(0, 16);
}

function instant(ts: string): number {
  const t = Date.parse(ts);
  return Number.isNaN(t) ? 0 : t;
}

/** Decides what an incoming record means relative to the stored copy. Pure. */
export function classify(prev: StoredAdvisory | undefined, next: Advisory, now: Date, quiet = false, kev = prev?.kev ?? false, memberIds: readonly string[] = []): Change {
  const change = classifyChange(prev, next, now, kev, memberIds);
  if (!quiet || change.kind === "unchanged") return change;
  // Seeding is history, not news: store what changed, announce nothing.
  const { pendingEvent: _none, ...current } = change.current;
  return { ...change, kind: "unchanged", current };
}

function classifyChange(prev: StoredAdvisory | undefined, next: Advisory, now: Date, kev: boolean, memberIds: readonly string[]): Change {
  const fp = fingerprint(next, kev, memberIds);
  if (!prev) {
    const current: StoredAdvisory = { v: 1, advisory: next, revision: 1, fingerprint: fp, firstSeen: now.toISOString() };
    // A record that is already withdrawn when first seen is no news to anyone.
    return next.withdrawn ? { kind: "unchanged", current, write: true } : { kind: "new", current: { ...current, pendingEvent: "new" }, write: true };
  }
  // Compare instants, not strings: fraction lengths vary. An older copy never overwrites a newer one.
  if (instant(next.modified) < instant(prev.advisory.modified)) return { kind: "unchanged", current: prev, previous: prev, write: false };
  if (fp === prev.fingerprint) {
    // The fan-out of this very revision was interrupted: emit it again (the outbox drops duplicates).
    if (prev.pendingEvent) return { kind: prev.pendingEvent, current: prev, previous: prev, write: false };
    const same = next.modified === prev.advisory.modified;
    return { kind: "unchanged", current: same ? prev : { ...prev, advisory: next }, previous: prev, write: !same };
  }
  const kind = next.withdrawn && !prev.advisory.withdrawn ? "withdrawn" : "updated";
  return { kind, current: { ...prev, advisory: next, revision: prev.revision + 1, fingerprint: fp, pendingEvent: kind, ...(kev && { kev }) }, previous: prev, write: true };
}

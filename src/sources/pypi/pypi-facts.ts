import { setImmediate } from "node:timers/promises";
import { z } from "zod";
import { cmp, isVersion } from "../../matching/intervals.js";
import { isPrerelease } from "../../matching/upgrade.js";

/** PEP 792 project status markers; a project with none is active. */
export const PROJECT_STATUSES = ["active", "archived", "quarantined", "deprecated"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export interface Publisher {
  readonly kind: string;
  readonly repository?: string;
  readonly workflow?: string;
}

export interface PypiRelease {
  /** The earliest upload time of its files. */
  readonly uploaded?: string;
  readonly yanked: boolean;
  readonly yankedReason?: string;
  /** One of its files carries PEP 740 provenance, at this Integrity API URL. */
  readonly provenanceUrl?: string;
}

/** What PyPI says about one watched project, kept in the store so answers need no network. */
export interface PypiFacts {
  readonly v: 1;
  readonly name: string;
  readonly status: ProjectStatus;
  readonly statusReason?: string;
  readonly releases: Readonly<Record<string, PypiRelease>>;
  /** License per version, for the newest releases (PEP 639 License-Expression, else License, else the classifiers). */
  readonly licenses: Readonly<Record<string, string>>;
  /** The Trusted Publisher of a release's provenance, for the newest releases (null: none could be read). */
  readonly publishers: Readonly<Record<string, Publisher | null>>;
  /** Signal ids already sent: a repeat poll sends nothing. */
  readonly emitted: readonly string[];
  readonly checkedAt: string;
}

// The Simple API's JSON form (PEP 691), with PEP 792's project-status and PEP 740's provenance.
const SimpleHead = z.object({
  name: z.string(),
  "project-status": z.object({ status: z.string(), reason: z.string().nullish() }).nullish(),
  versions: z.array(z.string()).default([]),
  files: z.array(z.unknown()).default([]),
});
const SimpleFile = z.object({
  filename: z.string(),
  "upload-time": z.string().nullish(),
  yanked: z.union([z.boolean(), z.string()]).nullish(),
  provenance: z.string().nullish(),
});

/** Versions or files handled between two turns of the event loop: a page of 100,000 files never holds it for long. */
const CHUNK = 2_000;

/**
 * Facts from a Simple API answer (`GET /simple/<name>/`, `application/vnd.pypi.simple.v1+json`).
 * Throws on junk. Its versions and files are read a chunk at a time, giving the event loop a turn
 * between chunks (webhooks, deliveries and other sources go on meanwhile).
 */
export async function parseSimpleDetail(text: string): Promise<Pick<PypiFacts, "name" | "status" | "releases"> & { statusReason?: string }> {
  const d = SimpleHead.parse(JSON.parse(text));
  const releases: Record<string, PypiRelease> = {};
  for (let i = 0; i < d.versions.length; i++) {
    if (i > 0 && i % CHUNK === 0) await setImmediate();
    const v = d.versions[i]!;
    if (isVersion(v)) releases[v] = { yanked: false };
  }
  const versionOf = fileVersions(d.name, Object.keys(releases));
  for (let i = 0; i < d.files.length; i++) {
    if (i > 0 && i % CHUNK === 0) await setImmediate();
    const f = SimpleFile.parse(d.files[i]);
    const version = versionOf(f.filename);
    if (!version) continue;
    const r = releases[version]!;
    const uploaded = f["upload-time"] ?? undefined;
    const yankedReason = typeof f.yanked === "string" && f.yanked ? f.yanked : r.yankedReason;
    const provenanceUrl = r.provenanceUrl ?? f.provenance ?? undefined;
    releases[version] = {
      ...(uploaded && (!r.uploaded || uploaded < r.uploaded) ? { uploaded } : r.uploaded ? { uploaded: r.uploaded } : {}),
      yanked: r.yanked || Boolean(f.yanked),
      ...(yankedReason && { yankedReason }),
      ...(provenanceUrl && { provenanceUrl }),
    };
  }
  const raw = d["project-status"]?.status ?? "active";
  const status = (PROJECT_STATUSES as readonly string[]).includes(raw) ? (raw as ProjectStatus) : "active";
  const reason = d["project-status"]?.reason ?? undefined;
  return { name: d.name, status, releases, ...(reason && { statusReason: reason }) };
}

const norm = (s: string) => s.toLowerCase().replace(/[-_.]+/g, "_");

/**
 * The release a distribution file belongs to: the longest listed version its name carries after
 * the project's ("2.28.1.tar.gz" and "2.28.1-py3-none-any.whl" both read "2_28_1_…"; 1.0.1 over
 * 1.0). The versions are looked up by their normalised form at each "_" of the name, so a page is
 * read in time linear in its files, not files × versions (4,000 versions took 8.9 s).
 */
function fileVersions(project: string, versions: readonly string[]): (filename: string) => string | undefined {
  const byForm = new Map<string, string>();
  for (const v of versions) {
    const form = norm(v);
    const known = byForm.get(form);
    if (known === undefined || v.length > known.length) byForm.set(form, v);
  }
  const prefix = `${norm(project)}_`;
  return (filename) => {
    const stem = norm(filename);
    if (!stem.startsWith(prefix)) return undefined;
    const rest = stem.slice(prefix.length);
    if (byForm.has(rest)) return byForm.get(rest);
    for (let end = rest.lastIndexOf("_"); end > 0; end = rest.lastIndexOf("_", end - 1)) {
      const found = byForm.get(rest.slice(0, end));
      if (found !== undefined) return found;
    }
    return undefined;
  };
}

const JsonApi = z.object({
  info: z.object({
    version: z.string(),
    license: z.string().nullish(),
    license_expression: z.string().nullish(),
    classifiers: z.array(z.string()).nullish(),
  }),
});

/** The license a release declares (`GET /pypi/<name>/<version>/json`): PEP 639 first, then License, then classifiers. */
export function parseLicense(text: string): { version: string; license: string } {
  const { info } = JsonApi.parse(JSON.parse(text));
  const classifiers = (info.classifiers ?? []).filter((c) => c.startsWith("License ::")).map((c) => c.split(" :: ").at(-1)!).sort();
  const short = info.license && info.license.length <= 100 && !info.license.includes("\n") ? info.license.trim() : "";
  const license = info.license_expression?.trim() || short || classifiers.join(", ") || "not stated";
  return { version: info.version, license };
}

const Provenance = z.object({
  attestation_bundles: z.array(z.object({ publisher: z.object({ kind: z.string(), repository: z.string().nullish(), workflow: z.string().nullish() }).passthrough().nullish() })).default([]),
});

/** The Trusted Publisher named by a provenance object (`GET /integrity/<name>/<version>/<file>/provenance`). */
export function parsePublisher(text: string): Publisher | null {
  const p = Provenance.parse(JSON.parse(text)).attestation_bundles.find((b) => b.publisher)?.publisher;
  if (!p) return null;
  return { kind: p.kind, ...(p.repository && { repository: p.repository }), ...(p.workflow && { workflow: p.workflow }) };
}

/** Releases people install by default, newest first: not yanked, not pre-releases. */
export function installable(facts: Pick<PypiFacts, "releases">): string[] {
  return Object.entries(facts.releases).filter(([v, r]) => !r.yanked && !isPrerelease(v)).map(([v]) => v).sort((a, b) => cmp(b, a));
}

/** When the project's first file was uploaded. */
export function firstRelease(facts: Pick<PypiFacts, "releases">): string | undefined {
  return Object.values(facts.releases).map((r) => r.uploaded).filter((u): u is string => Boolean(u)).sort()[0];
}

/** Projects younger than this get a warning ("first released N days ago"). */
const YOUNG_DAYS = 90;

/** Whole days since the first release, when that is under YOUNG_DAYS (the usual age of a typosquat). */
export function youngDays(facts: Pick<PypiFacts, "releases">, now: Date): number | undefined {
  const first = firstRelease(facts);
  const days = first === undefined ? undefined : Math.floor((now.getTime() - Date.parse(first)) / 86_400_000);
  return days !== undefined && days >= 0 && days < YOUNG_DAYS ? days : undefined;
}

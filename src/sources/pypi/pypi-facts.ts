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
const SimpleDetail = z.object({
  name: z.string(),
  "project-status": z.object({ status: z.string(), reason: z.string().nullish() }).nullish(),
  versions: z.array(z.string()).default([]),
  files: z.array(z.object({
    filename: z.string(),
    "upload-time": z.string().nullish(),
    yanked: z.union([z.boolean(), z.string()]).nullish(),
    provenance: z.string().nullish(),
  })).default([]),
});

/** Facts from a Simple API answer (`GET /simple/<name>/`, `application/vnd.pypi.simple.v1+json`). Throws on junk. */
export function parseSimpleDetail(text: string): Pick<PypiFacts, "name" | "status" | "releases"> & { statusReason?: string } {
  const d = SimpleDetail.parse(JSON.parse(text));
  const releases: Record<string, PypiRelease> = {};
  for (const v of d.versions) if (isVersion(v)) releases[v] = { yanked: false };
  for (const f of d.files) {
    const version = versionOfFile(d.name, f.filename, Object.keys(releases));
    if (!version) continue;
    const r = releases[version] ?? { yanked: false };
    const uploaded = f["upload-time"] ?? undefined;
    const yankedReason = typeof f.yanked === "string" && f.yanked ? f.yanked : r.yankedReason;
    releases[version] = {
      ...(uploaded && (!r.uploaded || uploaded < r.uploaded) ? { uploaded } : r.uploaded ? { uploaded: r.uploaded } : {}),
      yanked: r.yanked || Boolean(f.yanked),
      ...(yankedReason && { yankedReason }),
      ...((r.provenanceUrl ?? f.provenance) && { provenanceUrl: (r.provenanceUrl ?? f.provenance)! }),
    };
  }
  const raw = d["project-status"]?.status ?? "active";
  const status = (PROJECT_STATUSES as readonly string[]).includes(raw) ? (raw as ProjectStatus) : "active";
  const reason = d["project-status"]?.reason ?? undefined;
  return { name: d.name, status, releases, ...(reason && { statusReason: reason }) };
}

/** The release a distribution file belongs to: the longest listed version its name carries after the project's. */
function versionOfFile(project: string, filename: string, versions: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[-_.]+/g, "_");
  const stem = norm(filename);
  const prefix = `${norm(project)}_`;
  if (!stem.startsWith(prefix)) return undefined;
  const rest = stem.slice(prefix.length);
  // "2.28.1.tar.gz" and "2.28.1-py3-none-any.whl" both read "2_28_1_…": the longest version that fits wins (1.0.1 over 1.0).
  return versions.filter((v) => rest === norm(v) || rest.startsWith(`${norm(v)}_`)).sort((a, b) => b.length - a.length)[0];
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

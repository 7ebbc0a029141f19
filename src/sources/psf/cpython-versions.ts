import { z } from "zod";
import type { NormalizedName } from "../../advisory/names.js";
import type { Advisory, Affected } from "../../advisory/osv-schema.js";
import { UpstreamError } from "../../errors.js";
import type { HttpClient } from "../../http/client.js";
import { isVersion } from "../../matching/intervals.js";

export interface CpythonResolverOptions {
  readonly http: HttpClient;
  readonly osvApiUrl: string;
  readonly cveApiUrl: string;
}

const OsvVuln = z.object({ affected: z.array(z.object({ versions: z.array(z.string()).default([]) }).passthrough()).default([]) }).passthrough();
const CveRecord = z.object({
  containers: z.object({
    cna: z.object({
      affected: z.array(z.object({
        vendor: z.string().optional(),
        product: z.string().optional(),
        versions: z.array(z.object({ version: z.string(), status: z.string().optional(), lessThan: z.string().optional(), lessThanOrEqual: z.string().optional() })).default([]),
      })).default([]),
    }),
  }),
});

const PYTHON = { ecosystem: "CPython", name: "python" as NormalizedName };

async function fetchJson(http: HttpClient, url: string, source: string): Promise<unknown | undefined> {
  try {
    const text = await http.text(url, { source, maxBytes: 4 * 1024 * 1024 });
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  } catch (err) {
    if (err instanceof UpstreamError && err.status === 404) return undefined;
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** Release tags (`v3.12.1`) from OSV's enriched copy, as PEP 440 versions. */
function fromOsv(raw: unknown): Affected | undefined {
  const parsed = OsvVuln.safeParse(raw);
  if (!parsed.success) return undefined;
  const versions = [...new Set(parsed.data.affected.flatMap((a) => a.versions).map((v) => v.replace(/^v/, "")).filter(isVersion))];
  return versions.length ? { package: PYTHON, ranges: [], versions } : undefined;
}

/** The CNA's `affected` ranges (`version` … `lessThan`) for CPython, as an ECOSYSTEM range. */
function fromCve(raw: unknown): Affected | undefined {
  const parsed = CveRecord.safeParse(raw);
  if (!parsed.success) return undefined;
  const events: Affected["ranges"][number]["events"] = [];
  for (const a of parsed.data.containers.cna.affected) {
    if (!/cpython|python/i.test(`${a.vendor ?? ""} ${a.product ?? ""}`)) continue;
    for (const v of a.versions) {
      if (v.status !== undefined && v.status !== "affected") continue;
      const start = v.version === "0" || isVersion(v.version) ? v.version : undefined;
      const end = v.lessThan ?? v.lessThanOrEqual;
      if (start === undefined || end === undefined || !isVersion(end)) continue;
      events.push({ kind: "introduced", version: start }, { kind: v.lessThan ? "fixed" : "last_affected", version: end });
    }
  }
  return events.length ? { package: PYTHON, ranges: [{ type: "ECOSYSTEM", events }], versions: [] } : undefined;
}

/**
 * PSF records carry only GIT ranges on python/cpython. The affected CPython versions come from OSV's
 * enriched copy (versions resolved from tags), else from the CVE record the PSF publishes as CNA;
 * failing both, the record names `python` with no versions, so every `python` watcher is told and
 * the alert says the versions are not stated.
 */
export function createCpythonResolver(opts: CpythonResolverOptions): (a: Advisory) => Promise<Advisory> {
  return async (a) => {
    const osv = fromOsv(await fetchJson(opts.http, `${opts.osvApiUrl}/v1/vulns/${encodeURIComponent(a.id)}`, "psf"));
    const cveId = a.aliases.find((x) => /^CVE-\d{4}-\d+$/.test(x));
    const resolved = osv ?? (cveId ? fromCve(await fetchJson(opts.http, `${opts.cveApiUrl}/api/cve/${cveId}`, "psf")) : undefined);
    const affected: Affected = resolved ?? { package: PYTHON, ranges: [], versions: [] };
    return { ...a, affected: [...a.affected.filter((x) => x.ranges.some((r) => r.type === "GIT")), affected] };
  };
}

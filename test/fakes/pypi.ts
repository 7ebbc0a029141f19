import { createHash } from "node:crypto";
import { startFakeServer, type FakeServer } from "./fake-server.js";

/** One release as the fake serves it: its files share the upload time, yank and provenance. */
export interface FakeRelease {
  readonly version: string;
  readonly uploaded: string;
  /** true, or the reason given. */
  readonly yanked?: boolean | string;
  /** The Trusted Publisher of its provenance; undefined: uploaded without attestations. */
  readonly publisher?: { readonly kind: string; readonly repository: string; readonly workflow: string };
  readonly license?: string;
  readonly licenseExpression?: string;
}

export interface FakeProject {
  readonly name: string;
  readonly status?: "archived" | "quarantined" | "deprecated";
  readonly reason?: string;
  readonly releases: readonly FakeRelease[];
}

export interface FakePypi extends FakeServer {
  readonly projects: Map<string, FakeProject>;
  /** Answers /simple/<name>/ with this instead (malformed JSON, say). */
  readonly raw: Map<string, string>;
}

const filesOf = (p: FakeProject, r: FakeRelease) => [`${p.name.replace(/-/g, "_")}-${r.version}-py3-none-any.whl`, `${p.name}-${r.version}.tar.gz`];

/**
 * PyPI on 127.0.0.1, in the shapes its documentation gives: the Simple API as JSON (PEP 691, with
 * PEP 792 `project-status` and PEP 740 `provenance`), the JSON API per release (`info` with the
 * license fields), and the Integrity API's provenance objects. ETags make repeat polls 304s.
 */
export async function startFakePypi(projects: readonly FakeProject[]): Promise<FakePypi> {
  const map = new Map(projects.map((p) => [p.name, p]));
  const raw = new Map<string, string>();
  let base = "";
  const server = await startFakeServer((req, res): void => {
    const path = (req.url ?? "/").split("?")[0]!;
    const json = (body: unknown, type = "application/json"): void => {
      const text = typeof body === "string" ? body : JSON.stringify(body);
      const etag = `"${createHash("sha1").update(text).digest("hex")}"`;
      if (req.headers["if-none-match"] === etag) res.writeHead(304, { etag }).end();
      else res.writeHead(200, { "content-type": type, etag }).end(text);
    };
    const notFound = (): void => void res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not Found" }));
    let m = /^\/simple\/([^/]+)\/$/.exec(path);
    if (m) {
      const name = decodeURIComponent(m[1]!);
      if (raw.has(name)) return json(raw.get(name)!, "application/vnd.pypi.simple.v1+json");
      const p = map.get(name);
      if (!p) return notFound();
      // A quarantined project's files are not served (PEP 792); its status still is.
      const releases = p.status === "quarantined" ? [] : p.releases;
      return json({
        meta: { "api-version": "1.4", "_last-serial": 1 },
        name: p.name,
        "project-status": { status: p.status ?? "active", ...(p.reason && { reason: p.reason }) },
        versions: releases.map((r) => r.version),
        files: releases.flatMap((r) => filesOf(p, r).map((filename) => ({
          filename, url: `${base}/packages/${filename}`, hashes: { sha256: "0".repeat(64) }, "requires-python": ">=3.9", size: 1000,
          "upload-time": r.uploaded, yanked: r.yanked ?? false, "core-metadata": false,
          provenance: r.publisher ? `${base}/integrity/${p.name}/${r.version}/${filename}/provenance` : null,
        }))),
      }, "application/vnd.pypi.simple.v1+json");
    }
    m = /^\/pypi\/([^/]+)\/([^/]+)\/json$/.exec(path);
    if (m) {
      const p = map.get(decodeURIComponent(m[1]!));
      const r = p?.status === "quarantined" ? undefined : p?.releases.find((x) => x.version === decodeURIComponent(m![2]!));
      if (!p || !r) return notFound();
      return json({ info: { name: p.name, version: r.version, license: r.license ?? null, license_expression: r.licenseExpression ?? null, classifiers: [], yanked: Boolean(r.yanked), yanked_reason: typeof r.yanked === "string" ? r.yanked : null }, urls: [], vulnerabilities: [] });
    }
    m = /^\/integrity\/([^/]+)\/([^/]+)\/([^/]+)\/provenance$/.exec(path);
    if (m) {
      const p = map.get(decodeURIComponent(m[1]!));
      const r = p?.releases.find((x) => x.version === decodeURIComponent(m![2]!));
      if (!r?.publisher) return notFound();
      return json({ version: 1, attestation_bundles: [{ attestations: [{ version: 1, envelope: { signature: "", statement: "" }, verification_material: { certificate: "", transparency_entries: [] } }], publisher: { ...r.publisher, claims: null, environment: "" } }] }, "application/vnd.pypi.integrity.v1+json");
    }
    notFound();
  });
  base = server.url;
  return { ...server, projects: map, raw };
}

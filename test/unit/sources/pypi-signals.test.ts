import { expect, it } from "vitest";
import { parseLicense, parsePublisher, parseSimpleDetail, type PypiFacts } from "../../../src/sources/pypi/pypi-facts.js";
import { signalsOf } from "../../../src/sources/pypi/pypi-signals.js";

const now = new Date("2026-12-02T00:00:00Z");
const facts = (over: Partial<PypiFacts>): PypiFacts => ({ v: 1, name: "demo", status: "active", releases: {}, licenses: {}, publishers: {}, emitted: [], checkedAt: now.toISOString(), ...over });

it("reads the Simple API's JSON: versions from file names, earliest upload, yank reasons, provenance, PEP 792 status", async () => {
  const f = await parseSimpleDetail(JSON.stringify({
    name: "demo", "project-status": { status: "archived", reason: "moved to demo2" }, versions: ["1.0", "1.0.1", "2.0rc1"],
    files: [
      { filename: "demo-1.0.tar.gz", "upload-time": "2024-01-02T00:00:00Z", yanked: false, provenance: null },
      { filename: "demo-1.0-py3-none-any.whl", "upload-time": "2024-01-01T00:00:00Z", yanked: false, provenance: "https://x/integrity/demo/1.0/demo-1.0-py3-none-any.whl/provenance" },
      { filename: "Demo-1.0.1.tar.gz", "upload-time": "2024-02-01T00:00:00Z", yanked: "broken" },
      { filename: "unrelated-9.tar.gz", "upload-time": "2024-02-01T00:00:00Z" },
    ],
  }));
  expect(f.status).toBe("archived");
  expect(f.statusReason).toBe("moved to demo2");
  expect(f.releases["1.0"]).toEqual({ uploaded: "2024-01-01T00:00:00Z", yanked: false, provenanceUrl: "https://x/integrity/demo/1.0/demo-1.0-py3-none-any.whl/provenance" });
  expect(f.releases["1.0.1"]).toEqual({ uploaded: "2024-02-01T00:00:00Z", yanked: true, yankedReason: "broken" });
  expect(f.releases["2.0rc1"]).toEqual({ yanked: false });
  await expect(parseSimpleDetail("{")).rejects.toThrow();
  await expect(parseSimpleDetail(JSON.stringify({ files: "x" }))).rejects.toThrow();
  // An unknown status marker is read as active (PEP 792: indices may add none other).
  expect((await parseSimpleDetail(JSON.stringify({ name: "demo", "project-status": { status: "weird" } }))).status).toBe("active");
});

it("licenses: PEP 639 expression first, then License, then classifiers; publishers from provenance", () => {
  expect(parseLicense(JSON.stringify({ info: { version: "1", license_expression: "MIT", license: "whatever" } })).license).toBe("MIT");
  expect(parseLicense(JSON.stringify({ info: { version: "1", license: "BSD", classifiers: [] } })).license).toBe("BSD");
  expect(parseLicense(JSON.stringify({ info: { version: "1", license: "x".repeat(500), classifiers: ["License :: OSI Approved :: MIT License"] } })).license).toBe("MIT License");
  expect(parsePublisher(JSON.stringify({ attestation_bundles: [{ publisher: { kind: "GitHub", repository: "o/r", workflow: "w.yml", claims: null } }] }))).toEqual({ kind: "GitHub", repository: "o/r", workflow: "w.yml" });
  expect(parsePublisher(JSON.stringify({ attestation_bundles: [] }))).toBeNull();
});

it("compares the newest installable release with the one before, and sends each signal once", () => {
  const releases = {
    "1.0": { uploaded: "2020-01-01T00:00:00Z", yanked: false, provenanceUrl: "p" },
    "1.1": { uploaded: "2020-02-01T00:00:00Z", yanked: true, yankedReason: "oops" },
    "1.2": { uploaded: "2020-03-01T00:00:00Z", yanked: false },
    "2.0b1": { uploaded: "2020-04-01T00:00:00Z", yanked: false },
  };
  const f = facts({ releases, licenses: { "1.2": "Apache-2.0", "1.0": "Apache 2.0" } });
  expect(signalsOf(f, now).map((s) => s.id)).toEqual(["PYPI-YANK-demo-1.1", "PYPI-ATTEST-demo-1.2"]);
  expect(signalsOf({ ...f, emitted: ["PYPI-YANK-demo-1.1", "PYPI-ATTEST-demo-1.2"] }, now)).toEqual([]);
  const relicensed = signalsOf(facts({ releases: { "1.0": releases["1.0"], "1.2": { ...releases["1.2"], provenanceUrl: "p" } }, licenses: { "1.2": "Proprietary", "1.0": "MIT" }, publishers: { "1.0": { kind: "GitHub", repository: "a/b" }, "1.2": { kind: "GitHub", repository: "a/b" } } }), now);
  expect(relicensed.map((s) => s.id)).toEqual(["PYPI-LICENSE-demo-1.2"]);
  expect(signalsOf(facts({ status: "quarantined" }), now).map((s) => s.kind)).toEqual(["quarantined"]);
  expect(signalsOf(facts({ releases: { "0.1": { uploaded: "2026-11-30T00:00:00Z", yanked: false } } }), now)[0]?.summary).toBe("demo is new: first released 2 days ago");
  expect(signalsOf(facts({ name: "we ird/name", status: "deprecated" }), now)[0]?.id).toBe("PYPI-DEPRECATED-we_ird_name");
});

// What the records support, no more: a withdrawn member of a merge and an entry that states no
// versions affect no pin (records of the same shape as PYSEC-2025-74/79 and PYSEC-2025-75).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { runCaptured } from "../helpers/cli.js";
import { startHarness } from "../helpers/harness.js";

const range = (fixed: string) => [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed }] }];
const jinja = { id: "PYSEC-2025-74", modified: "2025-03-01T00:00:00Z", aliases: ["CVE-2025-1000"], summary: "nautobot: template injection", affected: [{ package: { ecosystem: "PyPI", name: "jinja2" }, ranges: range("99") }] };
const withdrawnJinja = { ...jinja, modified: "2025-03-02T00:00:00Z", withdrawn: "2025-03-02T00:00:00Z" };
const nautobot = { id: "PYSEC-2025-79", modified: "2025-03-01T00:00:00Z", aliases: ["CVE-2025-1000"], summary: "nautobot: template injection", affected: [{ package: { ecosystem: "PyPI", name: "nautobot" }, ranges: range("2.3.1") }] };
const keras = { id: "PYSEC-2025-75", modified: "2025-03-01T00:00:00Z", summary: "keras: names the package, states no versions", affected: [{ package: { ecosystem: "PyPI", name: "keras" } }] };

let bucket: FakeOsvBucket;
let dir: string;

const cli = (...argv: string[]) => runCaptured(argv, { STORE_URL: `sqlite://${join(dir, "store.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_LEVEL: "silent" });

beforeAll(async () => {
  bucket = await startFakeOsvBucket([withdrawnJinja, nautobot, keras]);
  dir = mkdtempSync(join(tmpdir(), "pysec-herald-accuracy-"));
});

afterAll(async () => {
  await bucket.close();
  rmSync(dir, { recursive: true, force: true });
});

it("audit reports the active member's package only, and nothing for a versionless entry", async () => {
  expect((await cli("sync")).code).toBe(0);
  const req = join(dir, "requirements.txt");
  writeFileSync(req, "jinja2==3.1.6\nkeras==3.13.2\nnautobot==2.0.0\njinja2==2.10\n");
  const r = await cli("audit", "-r", req, "--format", "json");
  expect(r.code).toBe(1);
  const report = JSON.parse(r.out) as { dependencies: { name: string; version: string; vulns: { id: string }[] }[]; warnings: string[] };
  expect(report.dependencies.map((d) => [d.name, d.version, d.vulns.map((v) => v.id)])).toEqual([
    ["jinja2", "3.1.6", []],
    ["keras", "3.13.2", []],
    ["nautobot", "2.0.0", ["PYSEC-2025-74"]],
    ["jinja2", "2.10", []],
  ]);
  expect(report.warnings).toEqual([expect.stringContaining("jinja2 is pinned 2 times, at ")]);
  expect(r.err).toContain("warning: ");
  expect((await cli("lookup", "jinja2", "3.1.6")).out).toBe("No known advisory affects jinja2 3.1.6.\n");
  expect((await cli("lookup", "keras", "3.13.2")).out).toBe("No known advisory affects keras 3.13.2.\n");
});

it("a channel told about jinja2 gets the withdrawal once the record naming it is withdrawn", async () => {
  const live = await startFakeOsvBucket([jinja, nautobot]);
  const h = await startHarness(live.url);
  try {
    await h.poll("osv");
    await h.command("console:j", "watch jinja2==3.1.6");
    await h.command("console:n", "watch nautobot==2.0.0");
    live.put({ ...jinja, summary: "template injection (now with more words)" }, "2025-03-01T12:00:00Z");
    await h.poll("osv");
    expect(await h.dispatcher.drain()).toBe(2);
    const before = h.output().length;
    live.put(withdrawnJinja, "2025-03-02T00:00:00Z");
    await h.poll("osv");
    // The jinja2 channel hears the withdrawal; the nautobot channel the update of its advisory.
    expect(await h.dispatcher.drain()).toBe(2);
    const out = h.output().slice(before);
    expect(out).toMatch(/\[console:j\]\n=== ADVISORY WITHDRAWN: PYSEC-2025-74/);
    expect(out).toMatch(/\[console:n\]\n=== ADVISORY UPDATED: PYSEC-2025-74/);
  } finally {
    await h.close();
    await live.close();
  }
});

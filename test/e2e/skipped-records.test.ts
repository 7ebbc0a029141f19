// A record a source cannot take (over the body limit, invalid, failing poll after poll) is passed
// over, named in status, /healthz and /status, and tried again once it changes: one bad record
// never blinds the feed (issue: one oversized record stopped every OSV alert, for good).
import { strToU8, zipSync } from "fflate";
import { afterEach, expect, it } from "vitest";
import { stringify } from "yaml";
import { addOpsRoutes } from "../../src/http/ops-routes.js";
import { createHttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log.js";
import { renderStatus } from "../../src/web/status-page.js";
import { startFakeGithub } from "../fakes/github.js";
import { startFakeServer } from "../fakes/fake-server.js";
import { startBucketHarness, startHarness, type Harness } from "../helpers/harness.js";
import { pypaRecord, pypaRecordAs } from "../helpers/fixtures.js";
import type { FakeOsvBucket } from "../fakes/osv-bucket.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function start(env: Record<string, string> = {}): Promise<{ bucket: FakeOsvBucket; h: Harness }> {
  const { bucket, h, close } = await startBucketHarness({ HTTP_TIMEOUT_SECONDS: "1", ...env });
  cleanup.push(close);
  expect(await h.poll("osv")).toBe(true);
  await h.command("console:a", "watch requests");
  return { bucket, h };
}

const record = (id: string, modified: string) => JSON.stringify({ ...pypaRecordAs("requests", "PYSEC-2023-74", id), modified });
/** A valid record padded past the 4 MB body limit. */
const oversized = (id: string, modified: string) => record(id, modified).replace(/}$/, `,"database_specific":{"pad":"${"x".repeat(4 * 1024 * 1024)}"}}`);
const alerts = (h: Harness) => [...h.output().matchAll(/NEW ADVISORY: (\S+)/g)].map((m) => m[1]);

it("an OSV record over the body limit is skipped at once and named; later advisories arrive; a smaller version is taken", async () => {
  const { bucket, h } = await start();
  bucket.putRaw("PYSEC-2099-70", oversized("PYSEC-2099-70", "2026-11-25T10:00:00Z"), "2026-11-25T10:00:00Z");
  bucket.putRaw("PYSEC-2099-71", record("PYSEC-2099-71", "2026-11-25T10:00:01Z"), "2026-11-25T10:00:01Z");
  expect(await h.poll("osv")).toBe(true);
  expect(await h.dispatcher.drain()).toBe(1);
  expect(alerts(h)).toEqual(["PYSEC-2099-71"]);
  const state = await h.services.cursors.get("osv");
  expect(state.cursor).toBe("2026-11-25T10:00:01Z");
  expect(state.skippedRecords).toEqual([{ id: "PYSEC-2099-70", version: "2026-11-25T10:00:00Z", reason: "larger than 4 MB" }]);
  expect(await h.command("console:a", "status")).toContain("1 record skipped: PYSEC-2099-70: larger than 4 MB");

  // /healthz details and the /status page say the same.
  const http = createHttpServer(createLogger("silent"));
  addOpsRoutes(http, { ...h.services, sources: ["osv"] });
  const port = await http.listen(0, "127.0.0.1");
  cleanup.push(() => http.close());
  const health = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { sources: { osv: { skipped?: string } } };
  expect(health.sources.osv.skipped).toBe("1 record skipped: PYSEC-2099-70: larger than 4 MB");
  const page = renderStatus({ sources: { osv: state }, now: h.clock.now(), mirror: { kind: "ready" }, advisories: 1, deliveries: [], latency: [], depth: { pending: 0, parked: 0 }, parked: [] });
  expect(page).toContain("1 record skipped: PYSEC-2099-70: larger than 4 MB");

  // An idle poll (304) keeps saying so; a new modification of the record is fetched and taken.
  expect(await h.poll("osv")).toBe(true);
  expect((await h.services.cursors.get("osv")).skippedRecords).toHaveLength(1);
  bucket.putRaw("PYSEC-2099-70", record("PYSEC-2099-70", "2026-11-25T11:00:00Z"), "2026-11-25T11:00:00Z");
  expect(await h.poll("osv")).toBe(true);
  expect(await h.dispatcher.drain()).toBe(1);
  expect(alerts(h)).toEqual(["PYSEC-2099-71", "PYSEC-2099-70"]);
  expect((await h.services.cursors.get("osv")).skippedRecords).toBeUndefined();
  expect(await h.command("console:a", "status")).not.toContain("skipped");
});

it("an OSV record failing the same way on three polls is passed over; until then the cursor stays", async () => {
  const { bucket, h } = await start();
  const cursor = (await h.services.cursors.get("osv")).cursor;
  bucket.putRaw("PYSEC-2099-72", record("PYSEC-2099-72", "2026-11-25T10:00:00Z"), "2026-11-25T10:00:00Z");
  bucket.putRaw("PYSEC-2099-73", record("PYSEC-2099-73", "2026-11-25T10:00:01Z"), "2026-11-25T10:00:01Z");
  bucket.fault("/PyPI/PYSEC-2099-72.json", { kind: "status", status: 500 }, 1_000);
  for (const polls of [1, 2]) {
    expect(await h.poll("osv")).toBe(false);
    const state = await h.services.cursors.get("osv");
    expect(state.cursor).toBe(cursor);
    expect(state.failingRecords).toEqual([{ key: "PYSEC-2099-72@2026-11-25T10:00:00Z", reason: expect.stringContaining("HTTP 500"), polls }]);
  }
  expect(await h.dispatcher.drain()).toBe(0);
  expect(await h.poll("osv")).toBe(true);
  expect(await h.dispatcher.drain()).toBe(1);
  expect(alerts(h)).toEqual(["PYSEC-2099-73"]);
  const state = await h.services.cursors.get("osv");
  expect(state.cursor).toBe("2026-11-25T10:00:01Z");
  expect(state.failingRecords).toBeUndefined();
  expect(state.skippedRecords?.[0]).toMatchObject({ id: "PYSEC-2099-72", reason: expect.stringMatching(/HTTP 500 \(on 3 polls in a row\)$/) });
});

it("when every record fails (the bucket's files are down), nothing is ever skipped", async () => {
  const { bucket, h } = await start();
  for (const n of [74, 75]) bucket.putRaw(`PYSEC-2099-${n}`, record(`PYSEC-2099-${n}`, "2026-11-25T10:00:00Z"), "2026-11-25T10:00:00Z");
  bucket.fault(".json", { kind: "status", status: 503 }, 1_000);
  for (let i = 0; i < 4; i++) expect(await h.poll("osv")).toBe(false);
  expect((await h.services.cursors.get("osv")).skippedRecords).toBeUndefined();
  bucket.clearFaults();
  expect(await h.poll("osv")).toBe(true);
  expect(await h.dispatcher.drain()).toBe(2);
});

it("a PyPA file over the body limit is skipped and the commit taken; its next change is read", async () => {
  const github = await startFakeGithub();
  cleanup.push(() => github.close());
  const { h: g } = await start({ SOURCES: "osv,pypa", GITHUB_API_URL: github.api, GITHUB_RAW_URL: github.raw });
  const PYPA = "pypa/advisory-database";
  expect(await g.poll("pypa")).toBe(true); // the baseline
  const path = "vulns/requests/PYSEC-2099-76.yaml";
  const yaml = (extra: Record<string, unknown>) => stringify({ ...pypaRecord("requests", "PYSEC-2023-74"), id: "PYSEC-2099-76", aliases: [], modified: "2026-11-25T10:00:00Z", ...extra });
  github.commit(PYPA, "Add a huge one", { [path]: yaml({ details: "x".repeat(10 * 1024 * 1024) }), "vulns/requests/PYSEC-2099-77.yaml": stringify({ ...pypaRecord("requests", "PYSEC-2023-74"), id: "PYSEC-2099-77", aliases: [], modified: "2026-11-25T10:00:00Z" }) });
  expect(await g.poll("pypa")).toBe(true);
  expect(await g.dispatcher.drain()).toBe(1);
  expect(alerts(g)).toEqual(["PYSEC-2099-77"]);
  expect(await g.command("console:a", "status")).toContain("pypa: ");
  expect(await g.command("console:a", "status")).toContain("1 record skipped: PYSEC-2099-76: larger than 10 MB");
  github.commit(PYPA, "Shorten it", { [path]: yaml({ details: "short", modified: "2026-11-25T11:00:00Z" }) });
  expect(await g.poll("pypa")).toBe(true);
  expect(await g.dispatcher.drain()).toBe(1);
  expect(alerts(g)).toEqual(["PYSEC-2099-77", "PYSEC-2099-76"]);
  expect((await g.services.cursors.get("pypa")).skippedRecords).toBeUndefined();
});

it("all.zip entries that cannot be taken are named after the seed; the rest seeds", async () => {
  const entry = (id: string, pad = "") => strToU8(record(id, "2026-11-20T00:00:00Z").replace(/}$/, pad ? `,"database_specific":{"pad":"${pad}"}}` : "}"));
  const zip = zipSync({ "PYSEC-2099-78.json": entry("PYSEC-2099-78"), "PYSEC-2099-79.json": entry("PYSEC-2099-79", "x".repeat(9 * 1024 * 1024)), "PYSEC-2099-80.json": strToU8("{ not json") }, { level: 6 });
  const served = await startFakeServer((req, res) => (req.url === "/PyPI/all.zip" ? res.end(Buffer.from(zip)) : res.writeHead(404).end()));
  cleanup.push(() => served.close());
  const h = await startHarness(served.url);
  cleanup.push(() => h.close());
  expect(await h.poll("osv")).toBe(true);
  expect((await h.services.advisories.get("PYSEC-2099-78"))?.advisory.id).toBe("PYSEC-2099-78");
  const skipped = (await h.services.cursors.get("osv")).skippedRecords ?? [];
  expect(skipped.map((s) => `${s.id}: ${s.reason.replace(/:.*/, "")}`).sort()).toEqual(["all.zip PYSEC-2099-79.json: larger than 8 MB", "all.zip PYSEC-2099-80.json: not a valid OSV record"]);
  expect(await h.command("console:a", "status")).toContain("2 records skipped: all.zip PYSEC-2099-");
});

// Inputs any upstream can send that once silenced or blinded the bot (issue: hostile upstreams):
// each goes through the real poll and ingest, and the next good advisory is still delivered.
import { strToU8, zipSync } from "fflate";
import { afterEach, beforeEach, expect, it } from "vitest";
import { renderEmbed } from "../../adapters/discord/render.js";
import { renderNotification as renderSlack } from "../../adapters/slack/render.js";
import { renderNotification as renderTelegram } from "../../adapters/telegram/render.js";
import { parseOsvJson } from "../../src/advisory/osv-schema.js";
import { cappedWait, MAX_WAIT_MS, UpstreamError } from "../../src/errors.js";
import { createHttpClient } from "../../src/http/client.js";
import { affects } from "../../src/matching/affects.js";
import { parseWatch } from "../../src/matching/specifiers.js";
import { buildNotification } from "../../src/render/notification.js";
import type { FakeOsvBucket } from "../fakes/osv-bucket.js";
import { startFakeServer } from "../fakes/fake-server.js";
import { pypaRecordAs } from "../helpers/fixtures.js";
import { startBucketHarness, startHarness, type Harness } from "../helpers/harness.js";

let bucket: FakeOsvBucket;
let h: Harness;
let close: () => Promise<void>;

beforeEach(async () => {
  ({ bucket, h, close } = await startBucketHarness({ HTTP_TIMEOUT_SECONDS: "1" }));
  expect(await h.poll("osv")).toBe(true);
  await h.command("console:a", "watch requests");
});
afterEach(() => close());

const state = () => h.services.cursors.get("osv");
const alerts = () => [...h.output().matchAll(/NEW ADVISORY: (\S+)/g)].map((m) => m[1]);
const good = (id: string, at: string) => bucket.put(pypaRecordAs("requests", "PYSEC-2023-74", id), at);

it("a record nested 10,000 levels deep is skipped alone; the others in its poll are delivered", async () => {
  const record = JSON.stringify({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-90"), modified: "2026-11-25T10:00:00Z" });
  bucket.putRaw("PYSEC-2099-90", record.replace(/}$/, `,"database_specific":{"deep":${'{"d":'.repeat(10_000)}{}${"}".repeat(10_000)}}}`), "2026-11-25T10:00:00Z");
  good("PYSEC-2099-91", "2026-11-25T10:00:01Z");
  // The re-checked row in the old cursor's instant counts as read too.
  expect(await h.services.poller.pollOnce(h.services.sources[0]!)).toMatchObject({ read: 2, skipped: 1 });
  expect(await h.dispatcher.drain()).toBe(1);
  expect(h.output()).toContain("NEW ADVISORY: PYSEC-2099-91");
  expect((await state()).cursor).toBe("2026-11-25T10:00:01Z");
});

it("a row dated 9999 never becomes the cursor, and later advisories still arrive", async () => {
  bucket.addCsvLine("9999-12-31T23:59:59Z,PYSEC-2099-92");
  good("PYSEC-2099-93", "2026-11-25T10:00:00Z");
  expect(await h.poll("osv")).toBe(true);
  expect((await state()).cursor).toBe("2026-11-25T10:00:00Z");
  expect(bucket.requests.some((r) => r.path.includes("PYSEC-2099-92"))).toBe(false);
  // status says so, and keeps saying so while the file is unchanged (a 304).
  const warning = "warning: modified_id.csv lists 1 row dated in the future (first: 9999-12-31T23:59:59Z,PYSEC-2099-92)";
  expect(await h.command("console:a", "status")).toContain(warning);
  expect(await h.poll("osv")).toBe(true);
  expect(await h.command("console:a", "status")).toContain(warning);
  good("PYSEC-2099-94", "2026-11-25T11:00:00Z");
  expect(await h.poll("osv")).toBe(true);
  expect(await h.dispatcher.drain()).toBe(2);
});

it("an id far longer than any OSV id is never fetched, and many malformed lines are only counted", async () => {
  bucket.addCsvLine(`2026-11-25T10:00:00Z,PYSEC-${"9".repeat(100_000)}`);
  for (let i = 0; i < 1_000; i++) bucket.addCsvLine(`not a row ${i}`);
  good("PYSEC-2099-95", "2026-11-25T10:00:01Z");
  expect(await h.services.poller.pollOnce(h.services.sources[0]!)).toMatchObject({ read: 2, skipped: 1_001 });
  expect(bucket.requests.every((r) => r.path.length < 200)).toBe(true);
  expect(await h.dispatcher.drain()).toBe(1);
});

it("Retry-After and rate-limit resets are capped at an hour, whatever an upstream says", async () => {
  const upstream = await startFakeServer((_req, res) => res.writeHead(503, { "retry-after": "99999999" }).end());
  try {
    const http = createHttpClient({ allowedPrefixes: [upstream.url], timeoutMs: 1000, retries: 0 });
    const err = await http.get(`${upstream.url}/x`, { source: "osv" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).retryAfterMs).toBe(MAX_WAIT_MS);
    expect((err as UpstreamError).message).toContain("waiting at most 3600 s");
  } finally {
    await upstream.close();
  }
  expect([cappedWait(Date.UTC(5138, 0, 1)), cappedWait(-5), cappedWait(Number.NaN), cappedWait(1500)]).toEqual([MAX_WAIT_MS, 0, MAX_WAIT_MS, 1500]);
});

it("an impossible mute date is refused", async () => {
  expect(await h.command("console:a", "mute requests until 2024-02-30")).toContain('"2024-02-30" is not a date');
  expect(await h.command("console:a", "mute requests until 2027-02-28")).not.toContain("is not a date");
});

it("invisible characters reach no platform, bad links are dropped, and the main link is always OSV's", () => {
  const advisory = parseOsvJson(JSON.stringify({
    id: "PYSEC-2099-96", modified: "2026-11-25T10:00:00Z",
    summary: "safe\u202Egnp.exe \u2066x\u2069 \uFEFFzero \u061Cmark \u0000nul \u001b[31mred",
    references: [{ type: "WEB", url: "https://%zz/" }, { type: "WEB", url: "https://example.org/ok" }],
    database_specific: { url: "https://phishing.example/login" },
    affected: [{ package: { ecosystem: "PyPI", name: "requests" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "9" }] }] }],
  }));
  const watch = parseWatch("requests==2.0");
  const n = buildNotification("new", { v: 1, advisory, revision: 1, fingerprint: "f", firstSeen: advisory.modified }, watch, affects(advisory, watch));
  expect(n.url).toBe("https://osv.dev/vulnerability/PYSEC-2099-96");
  expect(n.references).toEqual(["https://example.org/ok"]);
  for (const rendered of [JSON.stringify(renderEmbed(n)), JSON.stringify(renderSlack(n)), JSON.stringify(renderTelegram(n))]) {
    expect(rendered).not.toMatch(/[\u202E\u2066\u2069\uFEFF\u061C]|\\u0000|\\u001b|phishing|%zz/);
    expect(rendered).toContain("gnp.exe");
  }
});

it("an all.zip entry named ../x or lying about its size is skipped; the rest seeds", async () => {
  const record = (id: string) => strToU8(JSON.stringify({ ...pypaRecordAs("requests", "PYSEC-2023-74", id), modified: "2026-11-20T00:00:00Z" }));
  const zip = Buffer.from(zipSync({ "PYSEC-2099-97.json": record("PYSEC-2099-97"), "../PYSEC-2099-98.json": record("PYSEC-2099-98"), "PYSEC-2099-99.json": record("PYSEC-2099-99") }, { level: 6 }));
  // Claim a larger uncompressed size for PYSEC-2099-99, in its local header and its central directory entry.
  const name = Buffer.from("PYSEC-2099-99.json");
  for (const [signature, sizeAt] of [[0x04034b50, 22], [0x02014b50, 24]] as const) {
    for (let at = zip.indexOf(name); at >= 0; at = zip.indexOf(name, at + 1)) {
      const header = at - (signature === 0x04034b50 ? 30 : 46);
      if (header >= 0 && zip.readUInt32LE(header) === signature) zip.writeUInt32LE(zip.readUInt32LE(header + sizeAt) + 100, header + sizeAt);
    }
  }
  const served = await startFakeServer((req, res) => (req.url === "/PyPI/all.zip" ? res.end(zip) : res.writeHead(404).end()));
  const fresh = await startHarness(served.url);
  try {
    expect(await fresh.services.poller.pollOnce(fresh.services.sources[0]!)).toMatchObject({ read: 1, skipped: 2 });
    expect((await fresh.services.advisories.get("PYSEC-2099-97"))?.advisory.id).toBe("PYSEC-2099-97");
    expect(await fresh.services.advisories.get("PYSEC-2099-98")).toBeUndefined();
  } finally {
    await fresh.close();
    await served.close();
  }
});

it("rows in the cursor's own second are fetched once, not again at every poll", async () => {
  const at = "2026-11-25T10:00:00Z";
  for (let i = 0; i < 200; i++) good(`PYSEC-2097-${i}`, at);
  expect(await h.poll("osv")).toBe(true);
  const fetches = () => bucket.requests.filter((r) => r.path.startsWith("/PyPI/PYSEC-2097-")).length;
  expect(fetches()).toBe(200);
  expect((await state()).cursor).toBe(at);
  // The CSV changes (one more row elsewhere), so the poll reads it again down to the cursor.
  good("PYSEC-2099-89", at);
  expect(await h.poll("osv")).toBe(true);
  expect(fetches()).toBe(200);
  expect(bucket.requests.filter((r) => r.path === "/PyPI/PYSEC-2099-89.json")).toHaveLength(1);
  expect(await h.dispatcher.drain()).toBe(201);
});

it("a row dated now + 9 min never becomes the cursor: an advisory modified a moment later still arrives, and the early one is fetched once", async () => {
  const soon = new Date(Date.now() + 9 * 60_000).toISOString().replace(/\.\d+Z$/, "Z");
  good("PYSEC-2099-86", soon);
  expect(await h.poll("osv")).toBe(true);
  expect(await h.dispatcher.drain()).toBe(1);
  expect(Date.parse((await state()).cursor!)).toBeLessThanOrEqual(Date.now());
  good("PYSEC-2099-87", new Date(Date.now() + 5_000).toISOString());
  // Until its moment passes, the early row is read again at each poll, but not fetched again.
  for (let i = 0; i < 3; i++) expect(await h.poll("osv")).toBe(true);
  expect(await h.dispatcher.drain()).toBe(1);
  expect(alerts()).toEqual(["PYSEC-2099-86", "PYSEC-2099-87"]);
  expect(bucket.requests.filter((r) => r.path === "/PyPI/PYSEC-2099-86.json")).toHaveLength(1);
  expect(bucket.requests.filter((r) => r.path === "/PyPI/PYSEC-2099-87.json")).toHaveLength(1);
});

it("modified_id.csv: one 48 MB line is dropped as it streams and counted as malformed; the rest is read", async () => {
  bucket.addCsvLine(`2026-11-25T10:00:00Z,PYSEC-${"9".repeat(48 * 1024 * 1024)}`);
  good("PYSEC-2099-85", "2026-11-25T10:00:01Z");
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  expect(await h.services.poller.pollOnce(h.services.sources[0]!)).toMatchObject({ read: 2, skipped: 1 });
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(process.memoryUsage().rss - rss).toBeLessThan(300 * 1024 * 1024);
  expect(await h.dispatcher.drain()).toBe(1);
  expect((await state()).cursor).toBe("2026-11-25T10:00:01Z");
});

it("dates are shown only once parsed: invisible and control characters in published or modified reach no platform", () => {
  const advisory = parseOsvJson(JSON.stringify({
    id: "PYSEC-2099-83", modified: "2026-11-25T10:00:00Z\u202E\u0000", published: "\u2066\u001b[31m2026-11-20T00:00:00Z",
    summary: "s", affected: [{ package: { ecosystem: "PyPI", name: "requests" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "9\u202E" }] }] }],
  }));
  const watch = parseWatch("requests==2.0");
  const n = buildNotification("new", { v: 1, advisory, revision: 1, fingerprint: "f", firstSeen: "2026-11-25T10:00:00Z" }, watch, affects(advisory, watch));
  for (const rendered of [JSON.stringify(renderEmbed(n)), JSON.stringify(renderSlack(n)), JSON.stringify(renderTelegram(n))]) {
    expect(rendered).not.toMatch(/[\u202E\u2066]|\\u0000|\\u001b/);
  }
  const clean = parseOsvJson(JSON.stringify({ ...JSON.parse(JSON.stringify(advisory)), modified: "2026-11-25T10:00:00.123456Z", published: "2026-11-20T00:00:00Z" }));
  expect(buildNotification("new", { v: 1, advisory: clean, revision: 1, fingerprint: "f", firstSeen: "x" }, watch, affects(clean, watch))).toMatchObject({ published: "2026-11-20T00:00:00Z", modified: "2026-11-25T10:00:00.123Z" });
});

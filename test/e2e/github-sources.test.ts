import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startFakeGithub, type FakeGithub } from "../fakes/github.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { startFakeServer, type FakeServer } from "../fakes/fake-server.js";
import { allOsvRecords, pypaRecord, readFixture } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "../helpers/harness.js";

const PYPA = "pypa/advisory-database";
const PSF = "psf/advisory-database";
let bucket: FakeOsvBucket;
let github: FakeGithub;
let osvApi: FakeServer;
let h: Harness;
const osvApiAnswers = new Map<string, unknown>();

beforeEach(async () => {
  // The mirror lacks jwcrypto's PYSEC-2024-104, so its arrival through PyPA's commits is news.
  bucket = await startFakeOsvBucket(allOsvRecords().filter((r) => r["id"] !== "PYSEC-2024-104"));
  github = await startFakeGithub();
  osvApiAnswers.clear();
  osvApi = await startFakeServer((req, res) => {
    const id = /^\/v1\/vulns\/(.+)$/.exec(req.url ?? "")?.[1];
    const answer = id ? osvApiAnswers.get(decodeURIComponent(id)) : undefined;
    res.writeHead(answer ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(answer ?? { code: 5, message: "Bug not found." }));
  });
  h = await startHarness(bucket.url, {
    SOURCES: "osv,pypa,psf", GITHUB_API_URL: github.api, GITHUB_RAW_URL: github.raw, OSV_API_URL: osvApi.url, CVE_API_URL: osvApi.url,
  });
  await h.poll("osv");
});

afterEach(async () => {
  await h.close();
  await github.close();
  await osvApi.close();
  await bucket.close();
});

const paths = () => github.requests.map((r) => `${r.status} ${r.path.replace(/[0-9a-f]{40}/g, "<sha>")}`);

describe("PyPA advisory-database through GitHub's API, replaying its real commit stream", () => {
  it("takes the head as a baseline, then an idle poll is a single 304", async () => {
    github.setHead(PYPA, github.indexOf(PYPA, "0efdb0f"));
    expect(await h.poll("pypa")).toBe(true);
    expect(h.events).toEqual([]);
    const before = github.requests.length;
    expect(await h.poll("pypa")).toBe(true);
    expect(paths().slice(before)).toEqual(["304 /api/repos/pypa/advisory-database/commits/main"]);
    expect(github.requests.at(-1)!.headers["if-none-match"]).toMatch(/^W\//);
  });

  it("an advisory added by the real Auto import → Analysis → Assign IDs commits is one new event; PYSEC-0000 files are ignored", async () => {
    await h.command("console:j", "watch jwcrypto");
    github.setHead(PYPA, github.indexOf(PYPA, "0efdb0f"));
    await h.poll("pypa");
    github.setHead(PYPA, github.indexOf(PYPA, "3ccb612"));
    expect(await h.poll("pypa")).toBe(true);
    expect(h.events).toEqual([{ id: "PYSEC-2024-104", kind: "new", revision: 1 }]);
    expect(paths().filter((p) => p.includes("/raw/"))).toEqual(["200 /raw/pypa/advisory-database/<sha>/vulns/jwcrypto/PYSEC-2024-104.yaml"]);
    expect(await h.dispatcher.drain()).toBe(1);
    expect(h.output()).toContain("=== NEW ADVISORY: PYSEC-2024-104");
  });

  it("a modified file is an update and a deleted file is a withdrawal", async () => {
    await h.command("console:r", "watch requests");
    await h.poll("pypa"); // baseline at the fixture's head
    const path = "vulns/requests/PYSEC-2023-74.yaml";
    github.commit(PYPA, "Analysis", { [path]: stringify({ ...pypaRecord("requests", "PYSEC-2023-74"), summary: "Proxy-Authorization header leak", modified: "2026-11-25T10:00:00Z" }) });
    await h.poll("pypa");
    expect(h.events).toEqual([{ id: "PYSEC-2023-74", kind: "updated", revision: 2 }]);
    await h.dispatcher.drain();
    github.commit(PYPA, "Remove PYSEC-2023-74", { [path]: null });
    await h.poll("pypa");
    expect(h.events.at(-1)).toEqual({ id: "PYSEC-2023-74", kind: "withdrawn", revision: 3 });
    expect(await h.dispatcher.drain()).toBe(1);
    expect(h.output()).toContain("=== ADVISORY WITHDRAWN: PYSEC-2023-74");
  });

  it("a 5xx on every try leaves the cursor where it was", async () => {
    await h.poll("pypa");
    const cursor = (await h.services.cursors.get("pypa")).cursor;
    github.fault("/commits/main", { kind: "status", status: 502 }, 1_000);
    expect(await h.poll("pypa")).toBe(false);
    expect((await h.services.cursors.get("pypa")).cursor).toBe(cursor);
    expect((await h.services.cursors.get("pypa")).lastError?.message).toMatch(/HTTP 502/);
  });

  it("GitHub's rate-limit headers say how long to wait", async () => {
    const { createHttpClient } = await import("../../src/http/client.js");
    // The reset is measured from the client's wall clock: given here, not read from the system.
    const now = new Date("2026-11-25T09:00:00Z");
    const http = createHttpClient({ allowedPrefixes: [github.api], timeoutMs: 5000, wallClock: { now: () => now } });
    const reset = Math.floor(now.getTime() / 1000) + 120;
    github.fault("/commits/main", { kind: "status", status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(reset) } });
    const err = await http.get(`${github.api}/repos/${PYPA}/commits/main`, { source: "pypa" }).catch((e: { retryAfterMs?: number }) => e);
    expect((err as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(100_000);
    expect((err as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(120_000);
    await expect(http.get("https://api.github.com/repos/x/y/commits/main", { source: "pypa" })).rejects.toThrow(/not under a configured base URL/);
  });
});

describe("PSF advisory-database: CPython advisories", () => {
  const record = JSON.parse(readFixture("psf", "advisories", "python", "PSF-2024-3.json")) as Record<string, unknown>;

  it("resolved versions reach a channel watching python>=3.12, not one watching python<3.9", async () => {
    await h.command("console:new", "watch python>=3.12");
    await h.command("console:old", "watch cpython<3.9");
    await h.poll("psf");
    osvApiAnswers.set("PSF-2024-3", { id: "PSF-2024-3", affected: [{ package: { name: "cpython", ecosystem: "GIT" }, versions: ["v3.12.0", "v3.12.1", "v3.12.2", "v3.13.0a1"] }] });
    github.commit(PSF, "Update OSV records from CVE", { "advisories/python/PSF-2024-3.json": JSON.stringify(record) });
    expect(await h.poll("psf")).toBe(true);
    expect(await h.dispatcher.drain()).toBe(1);
    const out = h.output();
    expect(out).toContain("[console:new]");
    expect(out).not.toContain("[console:old]");
    expect(out).toMatch(/Affected: 3\.12\.0; 3\.12\.1; 3\.12\.2; 3\.13\.0a1/);
  });

  it("unresolved versions go to every python watcher and say so", async () => {
    await h.command("console:a", "watch python>=3.12");
    await h.command("console:b", "watch python<3.9");
    await h.poll("psf");
    github.commit(PSF, "Update OSV records from CVE", { "advisories/python/PSF-2024-3.json": JSON.stringify(record) });
    await h.poll("psf");
    expect(await h.dispatcher.drain()).toBe(2);
    expect(h.output().match(/Affected: versions not stated/g)).toHaveLength(2);
  });
});

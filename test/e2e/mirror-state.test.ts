// Never "no known advisory" when the bot does not know: an empty mirror says it cannot tell, an
// out-of-date one says how old it is (chat, through the real command handler, and the CLI).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { mirrorState } from "../../src/mirror-state.js";
import type { FakeOsvBucket } from "../fakes/osv-bucket.js";
import { runCaptured } from "../helpers/cli.js";
import { startBucketHarness, type Harness } from "../helpers/harness.js";

let bucket: FakeOsvBucket;
let h: Harness;

let close: () => Promise<void>;

beforeEach(async () => void ({ bucket, h, close } = await startBucketHarness({ HTTP_TIMEOUT_SECONDS: "1" })));
afterEach(() => close());

it("an empty mirror cannot tell, and says why once OSV has failed", async () => {
  expect(await h.command("console:a", "lookup django 4.2.1")).toBe("The advisory mirror is not ready yet (its first download has not finished); I cannot tell whether django 4.2.1 is affected.");
  bucket.fault("/PyPI/all.zip", { kind: "status", status: 503 }, 1_000);
  await h.poll("osv");
  expect(await h.command("console:a", "lookup django 4.2.1")).toMatch(/^The advisory mirror is not ready yet \(OSV unreachable since 2026-11-25T09:00:00.000Z: GET .*HTTP 503\); I cannot tell whether django 4.2.1 is affected\.$/);
  const watched = await h.command("console:a", "watch django>=4.2,<5");
  expect(watched).toContain("I cannot tell whether django>=4.2,<5 is affected.");
  expect(watched).not.toMatch(/no known advisory/i);
  expect(await h.command("console:a", "status")).toContain("Mirror: 0 advisories (not ready: answers cannot say whether a version is affected).");
});

it("an out-of-date mirror answers with its age", async () => {
  await h.poll("osv");
  expect(await h.command("console:a", "lookup requests 2.31.0")).toBe("No known advisory affects requests 2.31.0.");
  h.clock.advance(30 * 3_600_000);
  expect(await h.command("console:a", "lookup requests 2.31.0")).toBe("No known advisory affects requests 2.31.0. Note: the advisory mirror was last updated 30 hours ago (2026-11-25T09:00:00.000Z); newer advisories may be missing.");
  expect(await h.command("console:a", "lookup requests 2.28.1")).toMatch(/^requests==2\.28\.1: 1 advisory \(PYSEC-2023-74\) → upgrade to 2\.31\.0\n• PYSEC-2023-74 [\s\S]* Note: the advisory mirror was last updated 30 hours ago/);
});

it("the CLI warns about an out-of-date mirror on stderr and keeps its answer and exit code", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pysec-herald-stale-"));
  try {
    const env = { STORE_URL: `sqlite://${join(dir, "s.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_LEVEL: "silent", MIRROR_STALE_HOURS: "1" };
    const start = new Date(Date.now() - 2 * 3_600_000);
    const run = (...argv: string[]) => runCaptured(argv, env, { now: () => (argv[0] === "sync" ? start : new Date()), sleep: async () => undefined, random: () => 0.5 });
    expect((await run("sync")).code).toBe(0);
    const r = await run("lookup", "requests", "2.31.0");
    expect(r.out).toBe("No known advisory affects requests 2.31.0.\n");
    expect(r.err).toMatch(/^warning: Note: the advisory mirror was last updated 2 hours ago/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("CPython: until the PSF database has been read once, python lookups and watches cannot tell, in chat and on the CLI", async () => {
  await h.poll("osv"); // the OSV mirror is ready: it does not carry CPython's advisories
  expect(await h.command("console:a", "lookup python 3.8.0")).toBe("The PSF advisory database, where CPython's advisories are published, has not been read (the psf source has not read it yet; it is on by default, see SOURCES); I cannot tell whether python 3.8.0 is affected.");
  const watched = await h.command("console:a", "watch python==3.8.0 requests==2.31.0");
  expect(watched).toContain("I cannot tell whether python==3.8.0, requests==2.31.0 is affected.");
  expect(watched).not.toMatch(/no known advisory/i);
  await h.services.cursors.set("psf", { validators: {}, lastError: { at: "2026-11-25T09:00:00.000Z", message: "GET https://api.github.com/…: HTTP 503" } });
  expect(await h.command("console:a", "lookup cpython 3.8.0")).toContain("has not been read (reading it fails since 2026-11-25T09:00:00.000Z: GET https://api.github.com/…: HTTP 503)");
  const dir = mkdtempSync(join(tmpdir(), "pysec-herald-psf-"));
  try {
    const env = { STORE_URL: `sqlite://${join(dir, "s.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_LEVEL: "silent" };
    expect((await runCaptured(["sync"], env)).code).toBe(0);
    const cli = await runCaptured(["lookup", "python", "3.8.0"], env);
    expect(cli.code).toBe(2);
    expect(cli.err).toContain("I cannot tell whether python 3.8.0 is affected.");
    expect(cli.out).toBe("");
    expect((await runCaptured(["lookup", "requests", "2.31.0"], env)).out).toBe("No known advisory affects requests 2.31.0.\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Once it has been read, a python lookup with nothing found says so.
  await h.services.cursors.set("psf", { validators: {}, lastSuccess: "2026-11-25T09:00:00.000Z" });
  expect(await h.command("console:a", "lookup python 3.99.0")).toBe("No known advisory affects python 3.99.0.");
});

it("mirrorState: not ready, stale after the threshold, ready", () => {
  const now = new Date("2026-11-25T12:00:00Z");
  expect(mirrorState(false, { validators: {} }, now, 24)).toEqual({ kind: "not-ready" });
  expect(mirrorState(true, { validators: {}, lastSuccess: "2026-11-24T11:00:00Z" }, now, 24)).toMatchObject({ kind: "stale", ageHours: 25 });
  expect(mirrorState(true, { validators: {}, lastSuccess: "2026-11-24T13:00:00Z" }, now, 24)).toMatchObject({ kind: "ready" });
});

// An upstream that never goes quiet long enough for the idle timeout but never finishes either:
// one byte every 200 ms. The whole answer has a deadline (HTTP_DEADLINE_SECONDS), the poll fails
// as a slow upstream in status, and one slow PyPI project holds none of the others.
import { afterEach, expect, it } from "vitest";
import { startFakeOsvBucket } from "../fakes/osv-bucket.js";
import { startFakePypi } from "../fakes/pypi.js";
import { allOsvRecords, pypaRecordAs } from "../helpers/fixtures.js";
import { startHarness } from "../helpers/harness.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

const SLOW = { HTTP_TIMEOUT_SECONDS: "1", HTTP_DEADLINE_SECONDS: "2" };

it("modified_id.csv sent a byte every 200 ms fails the poll at the deadline, named a slow upstream; the cursor stays", async () => {
  const bucket = await startFakeOsvBucket(allOsvRecords());
  cleanup.push(() => bucket.close());
  const h = await startHarness(bucket.url, SLOW);
  cleanup.push(() => h.close());
  expect(await h.poll("osv")).toBe(true);
  const cursor = (await h.services.cursors.get("osv")).cursor;
  bucket.put(pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-84"), "2026-11-25T10:00:00Z");
  bucket.fault("/PyPI/modified_id.csv", { kind: "trickle", everyMs: 200 }, 1);
  const started = Date.now();
  expect(await h.poll("osv")).toBe(false);
  expect(Date.now() - started).toBeLessThan(6_000);
  const state = await h.services.cursors.get("osv");
  expect(state.cursor).toBe(cursor);
  expect(state.lastError?.message).toMatch(/no complete answer within 2 s \(a slow upstream\)/);
  expect(await h.command("console:a", "status")).toContain("a slow upstream");
  // The next, normal answer catches up.
  expect(await h.poll("osv")).toBe(true);
  expect((await h.services.cursors.get("osv")).cursor).toBe("2026-11-25T10:00:00Z");
});

it("one PyPI project trickling its page holds none of the others", async () => {
  const bucket = await startFakeOsvBucket(allOsvRecords());
  cleanup.push(() => bucket.close());
  const pypi = await startFakePypi([
    { name: "slowlib", releases: [{ version: "1.0", uploaded: "2024-01-01T00:00:00Z" }] },
    ...["alib", "blib", "clib", "dlib", "elib"].map((name) => ({ name, releases: [{ version: "1.0", uploaded: "2024-01-01T00:00:00Z" }] })),
  ]);
  cleanup.push(() => pypi.close());
  const h = await startHarness(bucket.url, { ...SLOW, SOURCES: "osv,pypi", PYPI_URL: pypi.url });
  cleanup.push(() => h.close());
  expect(await h.poll("osv")).toBe(true);
  await h.command("console:a", "watch slowlib alib blib clib dlib elib");
  pypi.fault("/simple/slowlib/", { kind: "trickle", everyMs: 200 }, 10);
  const started = Date.now();
  expect(await h.poll("pypi")).toBe(true);
  expect(Date.now() - started).toBeLessThan(6_000);
  for (const name of ["alib", "blib", "clib", "dlib", "elib"]) expect((await h.services.pypiFacts.get(name))?.releases["1.0"]).toBeDefined();
  expect(await h.services.pypiFacts.get("slowlib")).toBeUndefined();
  expect((await h.services.cursors.get("pypi")).warning).toBe("1 of 6 PyPI checks failed in the last poll");
});

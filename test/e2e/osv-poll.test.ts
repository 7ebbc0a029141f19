import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeOsvBucket } from "../fakes/osv-bucket.js";
import { pypaRecord, pypaRecordAs } from "../helpers/fixtures.js";
import { startBucketHarness, type Harness } from "../helpers/harness.js";

let bucket: FakeOsvBucket;
let h: Harness;

const osv = () => h.services.sources[0]!;
const state = () => h.services.cursors.get("osv");
const alerts = (out: string) => out.match(/=== [A-Z ]+: [^ ]+/g) ?? [];

let close: () => Promise<void>;

beforeEach(async () => void ({ bucket, h, close } = await startBucketHarness({ HTTP_TIMEOUT_SECONDS: "1" })));
afterEach(() => close());

async function seedAndWatch(): Promise<void> {
  expect(await h.services.poller.pollOnce(osv())).toBeDefined();
  await h.command("console:a", "watch requests");
  await h.command("console:b", "watch flask");
}

describe("OSV source against a fake bucket", () => {
  it("seeds from all.zip without alerting anyone, and sets the cursor to the newest record", async () => {
    await h.command("console:a", "watch requests django");
    const outcome = await h.services.poller.pollOnce(osv());
    // 293 PyPA records + the 27 MAL records that have an id (OSV never exports the pending ones).
    expect(outcome?.read).toBe(293 + 27);
    expect(await h.services.advisories.count()).toBe(320);
    expect((await state()).cursor).toBe("2026-09-04T00:47:46.156672516Z");
    expect(await h.dispatcher.drain()).toBe(0);
    expect(h.output()).toBe("");
    expect(bucket.requests.map((r) => r.path)).toEqual(["/PyPI/all.zip"]);
  });

  it("an added and a modified advisory each produce one alert to the watching channel and none to others", async () => {
    await seedAndWatch();
    const added = { ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-1"), aliases: ["CVE-2099-0001"], summary: "A new requests problem" };
    bucket.put(added, "2026-11-25T10:00:00Z");
    const modified = pypaRecord("requests", "PYSEC-2018-28");
    bucket.put({ ...modified, summary: "Now with a summary" }, "2026-11-25T10:00:01Z");
    const outcome = await h.services.poller.pollOnce(osv());
    expect(outcome?.read).toBe(3); // the two changes and the re-checked row at the old cursor
    expect(await h.dispatcher.drain()).toBe(2);
    const out = h.output();
    expect(alerts(out).sort()).toEqual(["=== ADVISORY UPDATED: PYSEC-2018-28", "=== NEW ADVISORY: PYSEC-2099-1"]);
    expect(out.match(/^\[console:a\]$/gm)).toHaveLength(2);
    expect(out).not.toContain("[console:b]");
    expect(out).toContain("Fixed in: 2.31.0");
    expect((await state()).cursor).toBe("2026-11-25T10:00:01Z");
    // The same rows, seen again in the cursor's second, are checked but are no news.
    bucket.put(added, "2026-11-25T10:00:01Z");
    await h.services.poller.pollOnce(osv());
    expect(await h.dispatcher.drain()).toBe(0);
  });

  it("an idle poll is one conditional request answered 304, and produces nothing", async () => {
    await seedAndWatch();
    await h.services.poller.pollOnce(osv()); // first CSV read stores its ETag
    const before = bucket.requests.length;
    expect(await h.services.poller.pollOnce(osv())).toMatchObject({ read: 0 });
    const idle = bucket.requests.slice(before);
    expect(idle).toHaveLength(1);
    expect(idle[0]).toMatchObject({ path: "/PyPI/modified_id.csv", status: 304 });
    expect(idle[0]!.headers["if-none-match"]).toMatch(/^"/);
    expect(await h.dispatcher.drain()).toBe(0);
  });

  it.each([
    ["a 500", { kind: "status", status: 500 } as const, /HTTP 500/],
    ["a timeout", { kind: "stall" } as const, /failed/],
    ["a truncated CSV", { kind: "truncate", bytes: 40 } as const, /ends mid-line/],
  ])("%s leaves the cursor where it was, and the next poll catches up", async (_name, fault, message) => {
    await seedAndWatch();
    const cursor = (await state()).cursor;
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-2") }, "2026-11-25T11:00:00Z");
    // On every try: the client's own retries of one GET do not get past it.
    bucket.fault("/PyPI/modified_id.csv", fault, 1_000);
    expect(await h.services.poller.pollOnce(osv())).toBeUndefined();
    const after = await state();
    expect(after.cursor).toBe(cursor);
    expect(after.lastError?.message).toMatch(message);
    expect(await h.dispatcher.drain()).toBe(0);
    bucket.clearFaults();
    expect(await h.services.poller.pollOnce(osv())).toBeDefined();
    expect(await h.dispatcher.drain()).toBe(1);
    expect((await state()).lastError).toBeUndefined();
  });

  it("a 500 on one record fails the poll without moving the cursor; nothing is lost", async () => {
    await seedAndWatch();
    const cursor = (await state()).cursor;
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-3") }, "2026-11-25T11:00:00Z");
    bucket.fault("/PyPI/PYSEC-2099-3.json", { kind: "status", status: 503 }, 1_000);
    expect(await h.services.poller.pollOnce(osv())).toBeUndefined();
    expect((await state()).cursor).toBe(cursor);
    bucket.clearFaults();
    await h.services.poller.pollOnce(osv());
    expect(await h.dispatcher.drain()).toBe(1);
  });

  it("skips malformed lines and records and ignores PYSEC-0000 ids, and goes on", async () => {
    await seedAndWatch();
    bucket.addCsvLine("this is not a csv row");
    bucket.putRaw("PYSEC-2099-4", "{ not json", "2026-11-25T12:00:00Z");
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-0000-CVE-2099-1") }, "2026-11-25T12:00:01Z");
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-5") }, "2026-11-25T12:00:02Z");
    const outcome = await h.services.poller.pollOnce(osv());
    // PYSEC-2099-5, plus the re-checked row in the cursor's own instant; one bad line, one bad record.
    expect(outcome).toMatchObject({ read: 2, skipped: 2 });
    expect(bucket.requests.some((r) => r.path.includes("PYSEC-0000"))).toBe(false);
    expect(await h.dispatcher.drain()).toBe(1);
    expect(alerts(h.output())).toEqual(["=== NEW ADVISORY: PYSEC-2099-5"]);
  });

  it("a withdrawal is told only to channels that got the alert", async () => {
    await seedAndWatch();
    const rec = { ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-6") };
    bucket.put(rec, "2026-11-25T13:00:00Z");
    await h.services.poller.pollOnce(osv());
    await h.command("console:c", "watch requests"); // joins after the alert
    expect(await h.dispatcher.drain()).toBe(1);
    bucket.put({ ...rec, withdrawn: "2026-11-25T14:00:00Z" }, "2026-11-25T14:00:00Z");
    await h.services.poller.pollOnce(osv());
    expect(await h.dispatcher.drain()).toBe(1);
    expect(alerts(h.output())).toEqual(["=== NEW ADVISORY: PYSEC-2099-6", "=== ADVISORY WITHDRAWN: PYSEC-2099-6"]);
    expect(h.output()).not.toContain("[console:c]");
  });
});

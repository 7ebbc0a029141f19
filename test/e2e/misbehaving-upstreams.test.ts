// Real servers and proxies misbehave: HTTP/1.0 that closes after every response, connections closed,
// stalled or reset mid-body, bodies longer or shorter than declared. Against each, the bot stays up,
// the cursor stays where it was, and the next poll recovers.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Fault } from "../fakes/fake-server.js";
import type { FakeOsvBucket } from "../fakes/osv-bucket.js";
import { pypaRecordAs } from "../helpers/fixtures.js";
import { startBucketHarness, type Harness } from "../helpers/harness.js";

let bucket: FakeOsvBucket;
let h: Harness;

const osv = () => h.services.sources[0]!;
const state = () => h.services.cursors.get("osv");
// Until cleared: more than the client's tries of one GET, so the failure reaches the poll.
const EVERY_TRY = 1_000;

let close: () => Promise<void>;

beforeEach(async () => void ({ bucket, h, close } = await startBucketHarness({ HTTP_TIMEOUT_SECONDS: "1" })));
afterEach(() => close());

const faults: [string, Fault][] = [
  ["a connection closed mid-body", { kind: "close-mid-body", bytes: 2048 }],
  ["a body that stalls", { kind: "stall-body", bytes: 2048 }],
  ["a connection reset mid-body", { kind: "reset", bytes: 2048 }],
  ["fewer bytes than declared", { kind: "wrong-length", extra: -100 }],
];

describe("upstreams that misbehave", () => {
  it("an HTTP/1.0 bucket that closes after every response: seed, poll, alert", async () => {
    bucket.http10(true);
    expect(await h.services.poller.pollOnce(osv())).toMatchObject({ read: 320 });
    await h.command("console:a", "watch requests");
    for (let i = 0; i < 3; i++) bucket.put(pypaRecordAs("requests", "PYSEC-2023-74", `PYSEC-2099-1${i}`), `2026-11-25T10:00:0${i}Z`);
    expect(await h.services.poller.pollOnce(osv())).toBeDefined();
    expect(await h.dispatcher.drain()).toBe(3);
    expect((await state()).cursor).toBe("2026-11-25T10:00:02Z");
  });

  // A stream cut mid-way is not resumed: the seed fails whole and starts over at the next poll.
  it.each(faults)("%s on all.zip: the seed fails with nothing stored, and the next poll seeds", async (_name, fault) => {
    bucket.fault("/PyPI/all.zip", fault);
    expect(await h.services.poller.pollOnce(osv())).toBeUndefined();
    expect((await state()).cursor).toBeUndefined();
    expect((await state()).lastError?.message).toBeTruthy();
    expect(await h.services.advisories.count()).toBe(0);
    expect(await h.services.poller.pollOnce(osv())).toMatchObject({ read: 320 });
    expect((await state()).lastError).toBeUndefined();
  });

  it("more bytes than declared: the declared body is read, the rest ignored", async () => {
    bucket.fault("/PyPI/all.zip", { kind: "wrong-length", extra: 100 });
    expect(await h.services.poller.pollOnce(osv())).toMatchObject({ read: 320 });
    await h.command("console:a", "watch requests");
    bucket.put(pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-22"), "2026-11-25T11:00:00Z");
    bucket.fault("/PyPI/PYSEC-2099-22.json", { kind: "wrong-length", extra: 100 }, EVERY_TRY);
    expect(await h.services.poller.pollOnce(osv())).toBeDefined();
    expect(await h.dispatcher.drain()).toBe(1);
  });

  it.each(faults)("%s once on a record: retried within the poll, which delivers", async (_name, fault) => {
    expect(await h.services.poller.pollOnce(osv())).toBeDefined();
    await h.command("console:a", "watch requests");
    bucket.put(pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-20"), "2026-11-25T11:00:00Z");
    bucket.fault("/PyPI/PYSEC-2099-20.json", fault);
    expect(await h.services.poller.pollOnce(osv())).toBeDefined();
    expect(await h.dispatcher.drain()).toBe(1);
  });

  it.each(faults)("%s on every try of a record: the poll fails, the cursor stays, the next poll delivers", async (_name, fault) => {
    expect(await h.services.poller.pollOnce(osv())).toBeDefined();
    await h.command("console:a", "watch requests");
    const cursor = (await state()).cursor;
    bucket.put(pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-21"), "2026-11-25T11:00:00Z");
    bucket.fault("/PyPI/PYSEC-2099-21.json", fault, EVERY_TRY);
    expect(await h.services.poller.pollOnce(osv())).toBeUndefined();
    expect((await state()).cursor).toBe(cursor);
    expect(await h.dispatcher.drain()).toBe(0);
    bucket.clearFaults();
    expect(await h.services.poller.pollOnce(osv())).toBeDefined();
    expect(await h.dispatcher.drain()).toBe(1);
  });

  it("one 502 among 200 record fetches no longer fails the poll", async () => {
    expect(await h.services.poller.pollOnce(osv())).toBeDefined();
    await h.command("console:a", "watch requests");
    for (let i = 0; i < 200; i++) bucket.put(pypaRecordAs("requests", "PYSEC-2023-74", `PYSEC-2098-${i}`), new Date(Date.UTC(2026, 10, 25, 12, 0, i)).toISOString());
    bucket.fault("/PyPI/PYSEC-2098-117.json", { kind: "status", status: 502 });
    expect(await h.services.poller.pollOnce(osv())).toBeDefined();
    expect(await h.dispatcher.drain()).toBe(200);
    expect(bucket.requests.filter((r) => r.path === "/PyPI/PYSEC-2098-117.json").map((r) => r.status)).toEqual([502, 200]);
  });
});

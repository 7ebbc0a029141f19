import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDigestScheduler, type DigestScheduler } from "../../src/scheduler/digest.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { allOsvRecords, pypaRecordAs } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "../helpers/harness.js";

let bucket: FakeOsvBucket;
let h: Harness;
let digests: DigestScheduler;

beforeEach(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  h = await startHarness(bucket.url);
  digests = createDigestScheduler({ ...h.services, maxLength: (p) => (p === "console" ? 100_000 : undefined) });
  await h.services.poller.pollOnce(h.services.sources[0]!); // 2026-11-25T09:00Z on the manual clock
});

afterEach(async () => {
  await h.close();
  await bucket.close();
});

async function publish(id: string, extra: Record<string, unknown> = {}, pkg = "requests", base = "PYSEC-2023-74"): Promise<void> {
  bucket.put({ ...pypaRecordAs(pkg, base, id), ...extra }, h.clock.now().toISOString());
  await h.services.poller.pollOnce(h.services.sources[0]!);
}

const digestsPrinted = () => h.output().match(/pysec-herald digest, [^\n]*/g) ?? [];

describe("daily digests through the real stores and the console", () => {
  it("collects alerts and sends them once at the channel's local time, with floor and mutes applied", async () => {
    await h.command("console:d", "watch requests flask");
    await h.command("console:d", "mode digest");
    await h.command("console:d", "digest-time 08:00 America/New_York"); // 13:00Z
    await h.command("console:d", "mute PYSEC-2099-42");
    await publish("PYSEC-2099-40");
    await publish("PYSEC-2099-41", {}, "flask", "PYSEC-2023-62");
    await publish("PYSEC-2099-42");
    expect(await h.dispatcher.drain()).toBe(0); // nothing live
    expect(await digests.tick()).toBe(0);
    h.clock.advance(3 * 3600_000 + 59 * 60_000); // 12:59Z
    expect(await digests.tick()).toBe(0);
    h.clock.advance(60_000);
    expect(await digests.tick()).toBe(1);
    expect(await h.dispatcher.drain()).toBe(1);
    expect(digestsPrinted()).toEqual(["pysec-herald digest, 2026-11-25: 2 advisories for 2 packages"]);
    const out = h.output();
    expect(out).toContain("PYSEC-2099-40");
    expect(out).toContain("PYSEC-2099-41");
    expect(out).not.toContain("PYSEC-2099-42");
    expect(await digests.tick()).toBe(0); // not twice
    expect(await h.services.digests.list("console:d")).toEqual([]);
  });

  it("nothing new means no message, unless all-clear is on", async () => {
    await h.command("console:d", "watch requests");
    await h.command("console:d", "mode digest");
    h.clock.advance(24 * 3600_000);
    expect(await digests.tick()).toBe(0);
    await h.command("console:d", "all-clear on");
    h.clock.advance(24 * 3600_000);
    await h.services.poller.pollOnce(h.services.sources[0]!); // a mirror updated just now can say "all clear"
    expect(await digests.tick()).toBe(1);
    await h.dispatcher.drain();
    expect(digestsPrinted()).toEqual(["pysec-herald digest, 2026-11-27: all clear, nothing new for the packages this channel watches."]);
  });

  it("an all-clear digest from a mirror that is out of date says so instead of all clear", async () => {
    await h.command("console:d", "watch requests");
    await h.command("console:d", "mode digest");
    await h.command("console:d", "all-clear on");
    h.clock.advance(3 * 24 * 3600_000); // no poll for three days
    expect(await digests.tick()).toBe(1);
    await h.dispatcher.drain();
    expect(digestsPrinted()).toEqual([
      "pysec-herald digest, 2026-11-28: nothing new for the packages this channel watches, but this is not an all-clear. Note: the advisory mirror was last updated 3 days ago (2026-11-25T09:00:00.000Z); newer advisories may be missing.",
    ]);
  });

  it("a digest due while the bot was down is sent when it comes back, once", async () => {
    await h.command("console:d", "watch requests");
    await h.command("console:d", "mode digest");
    await publish("PYSEC-2099-43");
    h.clock.advance(4 * 24 * 3600_000); // four missed days
    expect(await digests.tick()).toBe(1);
    expect(await digests.tick()).toBe(0);
    await h.dispatcher.drain();
    expect(digestsPrinted()).toEqual(["pysec-herald digest, 2026-11-29: 1 advisory for 1 package"]);
  });

  it("malicious packages skip the digest (urgent live), and wait for it with urgent digest", async () => {
    const mal = { ...pypaRecordAs("requests", "PYSEC-2023-74", "MAL-2099-1"), summary: "Malicious code in requests (PyPI)" };
    await h.command("console:d", "watch requests");
    await h.command("console:d", "mode digest");
    bucket.put(mal, h.clock.now().toISOString());
    await h.services.poller.pollOnce(h.services.sources[0]!);
    expect(await h.dispatcher.drain()).toBe(1);
    expect(h.output()).toContain("=== MALICIOUS PACKAGE: MAL-2099-1");
    await h.command("console:d", "urgent digest");
    bucket.put({ ...mal, id: "MAL-2099-2" }, h.clock.now().toISOString());
    await h.services.poller.pollOnce(h.services.sources[0]!);
    expect(await h.dispatcher.drain()).toBe(0);
    expect((await h.services.digests.list("console:d")).map((e) => e.advisoryId)).toEqual(["MAL-2099-2"]);
  });

  it("quiet hours hold a live alert until the window ends", async () => {
    await h.command("console:q", "watch requests");
    await h.command("console:q", "quiet 08:00-10:00"); // it is 09:00 UTC
    await publish("PYSEC-2099-44");
    expect(await h.dispatcher.drain()).toBe(0);
    h.clock.advance(59 * 60_000);
    expect(await h.dispatcher.drain()).toBe(0);
    h.clock.advance(60_000);
    expect(await h.dispatcher.drain()).toBe(1);
  });
});

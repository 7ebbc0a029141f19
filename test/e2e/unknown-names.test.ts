// A name no source knows is more likely a typo than a safe package: lookups and watches say so,
// with the closest known name, instead of "no known advisory" (chat through the real command
// handler, and the CLI).
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { closestName } from "../../src/commands/unknown-names.js";
import type { FakeOsvBucket } from "../fakes/osv-bucket.js";
import { runCaptured } from "../helpers/cli.js";
import { startBucketHarness, type Harness } from "../helpers/harness.js";

let bucket: FakeOsvBucket;
let h: Harness;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ bucket, h, close } = await startBucketHarness());
  expect(await h.poll("osv")).toBe(true);
});
afterAll(() => close());

it("lookup of a name no advisory or PyPI fact knows says so and suggests the closest; a known name still says no known advisory", async () => {
  expect(await h.command("console:a", "lookup djangoo 3.2.0")).toBe('No package named "djangoo" is known here: no advisory names it and PyPI\'s facts do not know it (did you mean django?).');
  expect(await h.command("console:a", "lookup requests 2.31.0")).toBe("No known advisory affects requests 2.31.0.");
  expect(await h.command("console:a", "lookup zzqqxxyy")).toContain("check the spelling");
});

it("watch accepts an unknown name, with the warning", async () => {
  const answer = await h.command("console:b", "watch djangoo==3.2.0 reqeusts");
  expect(answer).toContain("Now watching djangoo==3.2.0, reqeusts.");
  expect(answer).toContain('No package named "djangoo" is known here: no advisory names it and PyPI\'s facts do not know it (did you mean django?).');
  expect(answer).toContain('No package named "reqeusts" is known here: no advisory names it and PyPI\'s facts do not know it (did you mean requests?).');
  expect((await h.services.channels.get("console:b"))?.watches.map((w) => w.name)).toEqual(["djangoo", "reqeusts"]);
});

it("the CLI lookup says the same", async () => {
  const env = { STORE_URL: `sqlite://${join(h.dir, "store.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_LEVEL: "silent" };
  const r = await runCaptured(["lookup", "djangoo", "3.2.0"], env);
  expect(r.out).toContain("(did you mean django?)");
  expect(r.out).not.toContain("No known advisory");
});

it("closestName: the nearest within two edits, ties in name order, nothing further away", () => {
  expect(closestName("reqeusts", ["requests", "urllib3"])).toBe("requests");
  expect(closestName("djang", ["django", "dang"])).toBe("dang");
  expect(closestName("numpy", ["pandas", "scipy"])).toBeUndefined();
});

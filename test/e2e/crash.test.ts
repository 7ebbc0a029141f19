import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { childEnv } from "../helpers/moved-clock.js";
import { afterAll, beforeAll, expect, it } from "vitest";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { openServices } from "../../src/services.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack-api.js";
import { allOsvRecords, pypaRecordAs } from "../helpers/fixtures.js";

const CHANNELS = 1000;
// Fixed "random" moments (ms after start) at which the bot is killed, spread over ingest and delivery.
const KILL_AFTER_MS = [700, 1300, 1900, 2600, 3400];

let bucket: FakeOsvBucket;
let slack: FakeSlack;
let dir: string;

beforeAll(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  slack = await startFakeSlack();
  dir = mkdtempSync(join(tmpdir(), "pysec-herald-crash-"));
});

afterAll(async () => {
  await slack.close();
  await bucket.close();
  rmSync(dir, { recursive: true, force: true });
});

it(`delivers all of ${CHANNELS} alerts across ${KILL_AFTER_MS.length} SIGKILLs, 16 in flight at a time, and repeats none`, async () => {
  const env = { STORE_URL: `sqlite://${join(dir, "store.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", OSV_POLL_SECONDS: "1", LOG_LEVEL: "info" };
  // Seed the mirror and subscribe 1,000 Slack channels, as earlier runs of the bot would have.
  const services = await openServices(loadConfig(env), createLogger("silent"), systemClock);
  await services.poller.pollOnce(services.sources[0]!);
  for (let i = 0; i < CHANNELS; i++) {
    await services.channels.update(`slack:C${String(i).padStart(5, "0")}`, (c) => ({ ...c, watches: [{ name: "requests" as never, specifier: "" }] }));
  }
  await services.db.close();
  bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-99") });

  const bin = resolve(import.meta.dirname, "../../dist/src/bin.js");
  const binEnv = { ...env, ...childEnv(), PORT: "0", SLACK_BOT_TOKEN: "xoxb-crash", SLACK_SIGNING_SECRET: "s", SLACK_API_URL: slack.api };
  const run = (killAfterMs?: number) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }>((done) => {
      const child = spawn(process.execPath, [bin, "start"], { env: binEnv, stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      const timer = killAfterMs === undefined
        // Stop once everything arrived and the bot is up, with one SIGTERM.
        ? setInterval(() => {
          if (delivered().size < CHANNELS || !err.includes("pysec-herald started")) return;
          child.kill("SIGTERM");
          clearInterval(timer);
        }, 100)
        : setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      child.on("exit", (code, signal) => {
        clearInterval(timer);
        clearTimeout(timer);
        done({ code, signal, err });
      });
    });
  const posts = () => slack.posts().filter((p) => String(p.args["text"]).includes("PYSEC-2099-99"));
  const delivered = () => new Set(posts().map((p) => String(p.args["channel"])));

  const progress: number[] = [];
  for (const ms of KILL_AFTER_MS) {
    const r = await run(ms);
    expect(r.signal).toBe("SIGKILL");
    progress.push(delivered().size);
  }
  const last = await run();
  expect(last.code).toBe(0);
  expect(last.err).not.toMatch(/"level":(50|60)/);

  expect(delivered().size).toBe(CHANNELS);
  const duplicates = posts().length - CHANNELS;
  console.log(`crash test: delivered after each kill ${progress.join(" → ")}; ${duplicates} duplicate(s) over ${KILL_AFTER_MS.length} kills`);
  // Every alert in flight at a kill was marked first and is looked up in the channel's history
  // (message metadata) before it is sent again: none is repeated.
  expect(duplicates).toBe(0);
}, 180_000);

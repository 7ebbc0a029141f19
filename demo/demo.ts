// `npm run demo`: pysec-herald with no network and no chat token. A fake OSV bucket on 127.0.0.1 serves
// the real advisory records in test/fixtures; the bot seeds its mirror from it, the console channel
// watches two packages, then a new advisory is published and reaches the console.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { systemClock } from "../src/clock.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { startBot } from "../src/main.js";
import { startFakeOsvBucket } from "../test/fakes/osv-bucket.js";
import { allOsvRecords, pypaRecordAs } from "../test/helpers/fixtures.js";

const say = (text: string) => process.stdout.write(`\x1b[1m[demo]\x1b[0m ${text}\n\n`);

const bucket = await startFakeOsvBucket(allOsvRecords());
const dir = mkdtempSync(join(tmpdir(), "pysec-herald-demo-"));
say(`fake OSV bucket with ${bucket.records.size} real PyPI advisories at ${bucket.url}`);

const config = loadConfig({
  STORE_URL: `sqlite://${join(dir, "demo.sqlite")}`,
  OSV_BUCKET_URL: bucket.url,
  OSV_POLL_SECONDS: "2",
  SOURCES: "osv",
  LOG_LEVEL: "warn",
});
const screen = new PassThrough();
screen.pipe(process.stdout);
let printed = "";
screen.on("data", (c: Buffer) => (printed += c.toString()));

say("starting the bot: it seeds its mirror (quietly: history is not news), then the console channel watches requests==2.28.1 and django>=4.2,<5");
const bot = await startBot({ config, log: createLogger(config.logLevel), clock: systemClock, stdout: screen, watch: ["requests==2.28.1", "django>=4.2,<5"] });

say("an upstream publishes a new advisory for requests (a real record under a demo id); the next poll picks it up");
bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2026-DEMO"), aliases: ["CVE-2026-00000"], summary: "Demo: a new advisory for requests" });

const deadline = Date.now() + 30_000;
while (!printed.includes("NEW ADVISORY: PYSEC-2026-DEMO") && Date.now() < deadline) await systemClock.sleep(200);
const ok = printed.includes("NEW ADVISORY: PYSEC-2026-DEMO");
say(ok ? "the alert reached the console channel. Run `npm start` to use the real OSV feed." : "the alert did not arrive within 30 s: something is wrong");
await bot.stop();
await bucket.close();
rmSync(dir, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;

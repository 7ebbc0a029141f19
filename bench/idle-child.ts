// An idle bot: the full mirror (a seeded store) and 100,000 channels; prints its RSS once settled.
import { PassThrough } from "node:stream";
import { systemClock } from "../src/clock.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { startBot } from "../src/main.js";

const [storePath, bucketUrl] = process.argv.slice(2);
const config = loadConfig({ STORE_URL: `sqlite://${storePath}`, OSV_BUCKET_URL: bucketUrl, SOURCES: "osv", LOG_LEVEL: "warn" });
const bot = await startBot({ config, log: createLogger("warn"), clock: systemClock, stdout: new PassThrough() });
await systemClock.sleep(5_000);
global.gc?.();
await systemClock.sleep(1_000);
const rssMb = process.memoryUsage().rss / 1024 / 1024;
const channels = (await bot.services.channels.list()).length;
await bot.stop();
process.stdout.write(JSON.stringify({ rssMb, channels }));

// One seed of a fresh SQLite mirror from a served all.zip; prints wall time and peak RSS as JSON.
import { performance } from "node:perf_hooks";
import { systemClock } from "../src/clock.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/log.js";
import { openServices } from "../src/services.js";

const [bucketUrl, storePath] = process.argv.slice(2);
const services = await openServices(loadConfig({ STORE_URL: `sqlite://${storePath}`, OSV_BUCKET_URL: bucketUrl, SOURCES: "osv", LOG_LEVEL: "warn" }), createLogger("warn"), systemClock);
const started = performance.now();
const outcome = await services.poller.pollOnce(services.sources[0]!);
const ms = performance.now() - started;
const count = await services.advisories.count();
await services.db.close();
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024, read: outcome?.read ?? -1, count }));

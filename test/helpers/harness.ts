import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { createConsoleAdapter } from "../../adapters/console/console-adapter.js";
import { createCommandHandler, type CommandHandler } from "../../src/commands/execute.js";
import { loadConfig } from "../../src/config.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { createDispatcher, type Dispatcher } from "../../src/delivery/dispatcher.js";
import { createLogger } from "../../src/log.js";
import { openServices, type Services } from "../../src/services.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { allOsvRecords } from "./fixtures.js";
import { ManualClock } from "./manual-clock.js";

export interface Harness {
  readonly services: Services;
  readonly dispatcher: Dispatcher;
  readonly handle: CommandHandler;
  readonly clock: ManualClock;
  readonly dir: string;
  /** Every advisory event the ingest produced, in order. */
  readonly events: { id: string; kind: string; revision: number }[];
  /** Polls one source by id; returns whether the poll succeeded. */
  poll(id: string): Promise<boolean>;
  /** Everything the console adapter printed so far. */
  output(): string;
  /** Runs a command in a channel as a user who may manage it. */
  command(channel: string, text: string): Promise<string>;
  close(): Promise<void>;
}

/** The bot's real services on a fresh SQLite file, pointed at a fake OSV bucket, with the console adapter. */
export async function startHarness(
  bucketUrl: string,
  env: Record<string, string> = {},
  extraAdapters: (s: Services, clock: ManualClock) => ChatAdapter[] = () => [],
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), "pysec-herald-test-"));
  const config = loadConfig({ STORE_URL: `sqlite://${join(dir, "store.sqlite")}`, OSV_BUCKET_URL: bucketUrl, SOURCES: "osv", LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent", ...env });
  const clock = new ManualClock();
  const log = createLogger(config.logLevel);
  const events: { id: string; kind: string; revision: number }[] = [];
  const services = await openServices(config, log, clock, { onEvent: (c) => events.push({ id: c.current.advisory.id, kind: c.kind, revision: c.current.revision }) });
  const out = new PassThrough();
  let printed = "";
  out.on("data", (c: Buffer) => (printed += c.toString("utf8")));
  const adapter = createConsoleAdapter({ output: out });
  const adapters = [adapter, ...extraAdapters(services, clock)];
  const dispatcher = createDispatcher({ ...services, adapters: new Map(adapters.map((a) => [a.platform, a])) });
  const handle = createCommandHandler(services);
  return {
    services,
    dispatcher,
    handle,
    clock,
    dir,
    events,
    async poll(id) {
      const source = services.sources.find((x) => x.id === id);
      if (!source) throw new Error(`no source ${id} (SOURCES=${config.sources.join(",")})`);
      return (await services.poller.pollOnce(source)) !== undefined;
    },
    output: () => printed,
    command: async (channel, text) => (await handle({ channel, user: "tester", canManage: true, text })).text,
    async close() {
      await services.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fake OSV bucket with every fixture record and a harness on it (the usual start of a source test). */
export async function startBucketHarness(env: Record<string, string> = {}): Promise<{ bucket: FakeOsvBucket; h: Harness; close(): Promise<void> }> {
  const bucket = await startFakeOsvBucket(allOsvRecords());
  const h = await startHarness(bucket.url, env);
  return {
    bucket,
    h,
    async close() {
      await h.close();
      await bucket.close();
    },
  };
}

// Three instances of the compiled bot share a real Redis server (store and BullMQ queues); one is
// killed while it polls and delivers. Polling goes on from the others and every alert arrives once.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { childEnv } from "../helpers/moved-clock.js";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { SCHEDULE_QUEUE } from "../../src/queue/job-schedulers.js";
import { QUEUE_PREFIX } from "../../src/queue/queue-delivery.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { parseWatch } from "../../src/matching/specifiers.js";
import { openServices } from "../../src/services.js";
import { newChannel } from "../../src/channel.js";
import { startFakeDiscord, type FakeDiscord } from "../fakes/discord-api.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { allOsvRecords, pypaRecordAs } from "../helpers/fixtures.js";
import { until } from "../helpers/until.js";

const CHANNELS = 200;
const channelId = (i: number) => String(300_000_000_000_000_000n + BigInt(i));

let bucket: FakeOsvBucket;
let discord: FakeDiscord;
const children: ChildProcess[] = [];

beforeAll(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  discord = await startFakeDiscord();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await discord.close();
  await bucket.close();
});

interface Instance {
  readonly child: ChildProcess;
  readonly port: Promise<number>;
  log(): string;
}

function startInstance(env: NodeJS.ProcessEnv): Instance {
  const bin = resolve(import.meta.dirname, "../../dist/src/bin.js");
  const child = spawn(process.execPath, [bin, "start"], { env, stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let err = "";
  const port = new Promise<number>((ok, fail) => {
    child.stderr!.on("data", (c: Buffer) => {
      err += c.toString();
      const line = err.split("\n").find((l) => l.includes("pysec-herald started"));
      if (line) ok((JSON.parse(line) as { port: number }).port);
    });
    child.on("exit", (code) => fail(new Error(`instance exited (${code}) before starting:\n${err}`)));
  });
  return { child, port, log: () => err };
}

async function metric(i: Instance, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${await i.port}/metrics`)).text();
  return [...text.matchAll(new RegExp(pattern, "g"))].reduce((n, m) => n + Number(m[1]), 0);
}

const POLLS_OK = /pysec_herald_polls_total\{source="osv",outcome="ok"\} (\d+)/;
const SENT = /pysec_herald_deliveries_total\{platform="discord",outcome="sent"\} (\d+)/;

/** Distinct messages created for an advisory (Discord drops repeats of a nonce), and all create calls. */
function delivered(advisoryId: string): { channels: Set<string>; creates: number } {
  const creates = discord.messages().filter((c) => JSON.stringify(c.body).includes(advisoryId));
  return { channels: new Set(creates.map((c) => c.path.split("/")[2]!)), creates: creates.length };
}

describe.skipIf(!inject("redisUrl"))("several instances on one Redis", () => {
  it("three instances on one Redis: a SIGKILL mid-poll and mid-delivery loses no poll and no alert, and sends none twice", async () => {
    const redis = inject("redisUrl");
    const env = {
      ...childEnv(), STORE_URL: `${redis}/21`, QUEUE_URL: `${redis}/22`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", OSV_POLL_SECONDS: "1",
      LOG_LEVEL: "info", PORT: "0", DISCORD_TOKEN: "instances-test-token", DISCORD_APPLICATION_ID: "100000000000000001", DISCORD_API_URL: discord.api,
    };
    for (const url of [env.STORE_URL, env.QUEUE_URL]) {
      const client = new Redis(url);
      await client.flushdb();
      await client.quit();
    }
    // Seed the shared mirror and subscribe the channels, as earlier runs would have.
    const services = await openServices(loadConfig(env), createLogger("silent"), systemClock);
    await services.poller.pollOnce(services.sources[0]!);
    await services.channels.putMany(Array.from({ length: CHANNELS }, (_, i) => ({ ...newChannel(`discord:${channelId(i)}`), watches: [parseWatch("requests")] })));
    await services.close();

    // Instance 0 answers Discord commands too; 1 and 2 only poll and deliver.
    const instances = [
      startInstance({ ...env }),
      startInstance({ ...env, ROLES: "poller,delivery" }),
      startInstance({ ...env, ROLES: "poller,delivery" }),
    ];
    await Promise.all(instances.map((i) => i.port));

    // Each poll now stays in flight a while, so an instance can be caught in the middle of one.
    bucket.csvDelayMs = 300;
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-101") });
    const schedule = new Queue(SCHEDULE_QUEUE, { connection: { url: env.QUEUE_URL }, prefix: QUEUE_PREFIX });
    // The victim holds the running poll (BullMQ's processedBy names the worker's pid) and has sent alerts.
    const victim = await until(async () => {
      const [active] = await schedule.getJobs(["active"]);
      const holder = instances.find((i) => active?.processedBy?.endsWith(`:${i.child.pid}`));
      return holder && (await metric(holder, SENT)) >= 1 && delivered("PYSEC-2099-101").channels.size < CHANNELS / 2 && holder;
    }, 30_000);
    victim.child.kill("SIGKILL");
    await schedule.close();
    const survivors = instances.filter((i) => i !== victim);
    const pollsBefore = (await Promise.all(survivors.map((i) => metric(i, POLLS_OK)))).reduce((a, b) => a + b, 0);

    await until(async () => delivered("PYSEC-2099-101").channels.size === CHANNELS, 60_000);
    // Polling goes on without the killed instance: a later advisory is found and delivered too.
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-102") });
    await until(async () => delivered("PYSEC-2099-102").channels.size === CHANNELS, 60_000);
    expect((await Promise.all(survivors.map((i) => metric(i, POLLS_OK)))).reduce((a, b) => a + b, 0)).toBeGreaterThan(pollsBefore);

    for (const id of ["PYSEC-2099-101", "PYSEC-2099-102"]) {
      const { channels } = delivered(id);
      expect(channels.size).toBe(CHANNELS);
      // Each channel got exactly one message: a create repeated after the kill carries the same nonce.
      const messages = [...discord.byNonce.values()].filter((m) => JSON.stringify(m).includes(id));
      expect(messages.length).toBe(CHANNELS);
    }
    // Only a job the killed instance held (its sends in flight) may have been sent again; nothing else.
    const repeats = delivered("PYSEC-2099-101").creates - CHANNELS;
    expect(repeats).toBeLessThanOrEqual(16);
    expect(delivered("PYSEC-2099-102").creates).toBe(CHANNELS);
    // Every instance sent some: the work is shared.
    const sent = await Promise.all(survivors.map((i) => metric(i, SENT)));
    for (const n of sent) expect(n).toBeGreaterThan(0);
    console.log(`instances test: survivors sent ${sent.join(" + ")}; ${repeats} create(s) repeated after the kill, absorbed by the nonce; victim was instance ${instances.indexOf(victim)}, polls by survivors before the kill ${pollsBefore}`);

    for (const i of survivors) i.child.kill("SIGTERM");
    const codes = await Promise.all(survivors.map((i) => new Promise<number | null>((ok) => (i.child.exitCode !== null ? ok(i.child.exitCode) : i.child.on("exit", (code) => ok(code))))));
    expect(codes).toEqual([0, 0]);
    for (const i of instances) expect(i.log()).not.toContain("instances-test-token");
  }, 180_000);
});

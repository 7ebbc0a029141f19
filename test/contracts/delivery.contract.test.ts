// The same Delivery behaviour on each queue the bot can run on: the embedded outbox on every store
// STORE_URL can name, drained by the in-process dispatcher, and BullMQ on a real Redis, drained by
// its workers. Both go through the same attempt and settle; only the queue underneath differs.
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { createChannelService, type ChannelService } from "../../src/channels/channel-service.js";
import { systemClock } from "../../src/clock.js";
import { createAttempt } from "../../src/delivery/attempt.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { createDispatcher } from "../../src/delivery/dispatcher.js";
import { createSettle } from "../../src/delivery/settle.js";
import { PermanentDeliveryError } from "../../src/errors.js";
import { createLogger } from "../../src/log.js";
import { parseWatch } from "../../src/matching/specifiers.js";
import { WatchIndex } from "../../src/matching/watch-index.js";
import { startDeliveryWorkers } from "../../src/queue/delivery-workers.js";
import { createQueueDelivery } from "../../src/queue/queue-delivery.js";
import { reply } from "../../src/render/notification.js";
import { createKeyvChannelStore } from "../../src/store/keyv-channel-store.js";
import { openDb } from "../../src/store/open.js";
import { openOutbox } from "../../src/store/outbox.js";
import type { Delivery } from "../../src/store/ports/outbox.js";
import { freshPostgresUrl } from "../helpers/databases.js";
import { until } from "../helpers/until.js";

const dir = mkdtempSync(join(tmpdir(), "pysec-herald-delivery-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const log = createLogger("silent");

/** A chat platform that accepts everything but the chats it was told refuse the bot. */
function recordingPlatform() {
  const sent: string[] = [];
  const refusing = new Set<string>();
  const adapter: ChatAdapter = {
    platform: "console",
    host: "console",
    capabilities: { edit: false, maxLength: 1000, idempotentSend: false },
    start: async () => undefined,
    stop: async () => undefined,
    async send(to, msg) {
      if (refusing.has(to)) throw new PermanentDeliveryError("console", "bot was removed from the chat");
      sent.push(`${to} ${msg.type === "reply" ? msg.text : msg.advisoryId}`);
      return { channel: to, id: `m${sent.length}` };
    },
    edit: async (ref) => ref,
  };
  return { adapter, sent, refusing };
}

interface Running {
  readonly delivery: Delivery;
  readonly channels: ChannelService;
  /** Delivers what is due (the embedded dispatcher drains once; BullMQ's workers start and keep running). */
  kick(): Promise<void>;
  close(): Promise<void>;
}

type Backend = (platform: ChatAdapter) => Promise<Running>;

async function channelsOn(url: string) {
  const db = await openDb(url);
  const index = new WatchIndex();
  const channels = createChannelService(createKeyvChannelStore(db), index);
  for (const key of ["console:a", "console:b", "console:c", "console:gone"]) await channels.update(key, (c) => ({ ...c, watches: [parseWatch("requests")] }));
  return { db, index, channels };
}

const embedded = (url: () => Promise<string> | string): Backend => async (adapter) => {
  const { db, index, channels } = await channelsOn(await url());
  const outbox = await openOutbox(db);
  const dispatcher = createDispatcher({ outbox, channels, index, adapters: new Map([["console", adapter]]), clock: systemClock, log });
  return { delivery: outbox, channels, kick: async () => void (await dispatcher.drain()), close: () => db.close() };
};

const bullmq: Backend = async (adapter) => {
  const { db, index, channels } = await channelsOn("memory://");
  const redis = new Redis(`${inject("redisUrl")}/24`, { maxRetriesPerRequest: null });
  await redis.flushdb();
  const delivery = createQueueDelivery(redis);
  const attempt = createAttempt({ delivery, index, adapters: new Map([["console", adapter]]), clock: systemClock, log });
  const settle = createSettle({ delivery, channels, clock: systemClock, log });
  let workers: Worker[] = [];
  return {
    delivery,
    channels,
    // Started on the first kick, so what is pending before it can be seen; they then run by themselves.
    async kick() {
      if (workers.length === 0) workers = startDeliveryWorkers({ redis, platforms: [{ platform: "console", idempotentSend: false }], attempt, settle, told: delivery.toldStore, clock: systemClock, refresh: async () => undefined, log });
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await delivery.close();
      await redis.quit();
      await db.close();
    },
  };
};

const backends: Record<string, Backend> = {
  "outbox on memory": embedded(() => "memory://"),
  "outbox on sqlite": embedded(() => `sqlite://${join(dir, `${Math.random().toString(36).slice(2)}.sqlite`)}`),
  ...(inject("redisUrl") && {
    // A database of its own (the store suite uses 1-20), emptied for each test.
    "outbox on redis": embedded(async () => {
      const url = `${inject("redisUrl")}/25`;
      const redis = new Redis(url);
      await redis.flushdb();
      await redis.quit();
      return url;
    }),
    "BullMQ on redis": bullmq,
  }),
  ...(inject("postgresUrl") && {
    "outbox on postgres": embedded(freshPostgresUrl),
  }),
};

const alert = (channel: string, revision = 1) => ({ channel, advisoryId: "PYSEC-2023-74", revision, message: reply(`alert r${revision}`) });

describe.each(Object.keys(backends))("delivery through the %s", (name) => {
  let current: Running | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  async function start() {
    const platform = recordingPlatform();
    current = await backends[name]!(platform.adapter);
    return { ...platform, ...current };
  }

  it("queues a (channel, advisory, revision) once, delivers it once, and records who was told", async () => {
    const q = await start();
    const now = new Date();
    expect(await q.delivery.put(alert("console:a"), now)).toBe(true);
    expect(await q.delivery.put(alert("console:a"), now)).toBe(false);
    expect(await q.delivery.depth()).toEqual({ pending: 1, parked: 0 });
    await q.kick();
    const told = await until(async () => (await q.delivery.told("PYSEC-2023-74"))["console:a"]);
    expect(told).toMatchObject({ revision: 1, ref: { channel: "console:a", id: "m1" } });
    expect(q.sent).toEqual(["console:a alert r1"]);
    await until(async () => (await q.delivery.depth()).pending === 0);
    // Delivered: the same revision is never queued again; the next one is.
    expect(await q.delivery.put(alert("console:a"), now)).toBe(false);
    expect(await q.delivery.put(alert("console:a", 2), now)).toBe(true);
  });

  it("counts only new deliveries in a fan-out, skipping channels already told", async () => {
    const q = await start();
    const now = new Date();
    await q.delivery.put(alert("console:a"), now);
    await q.kick();
    await until(async () => (await q.delivery.told("PYSEC-2023-74"))["console:a"]);
    const fanOut = ["console:a", "console:b", "console:c", "console:b"].map((channel) => ({ item: alert(channel) }));
    expect(await q.delivery.putMany(fanOut, now)).toBe(2);
    await q.kick();
    await until(async () => Object.keys(await q.delivery.told("PYSEC-2023-74")).length === 3);
    expect([...q.sent].sort()).toEqual(["console:a alert r1", "console:b alert r1", "console:c alert r1"]);
  });

  it("parks a delivery that can never succeed, visible in list and depth, and pauses its channel", async () => {
    const q = await start();
    q.refusing.add("console:gone");
    await q.delivery.put(alert("console:gone"), new Date());
    await q.kick();
    const parked = await until(async () => (await q.delivery.list()).find((i) => i.channel === "console:gone" && i.parked));
    expect(parked.parked).toBe("bot was removed from the chat");
    expect(await q.delivery.depth()).toEqual({ pending: 0, parked: 1 });
    expect((await q.channels.get("console:gone"))?.paused?.reason).toBe("bot was removed from the chat");
    expect(q.sent).toEqual([]);
  });

  it("after a merge, channels told about the absorbed advisory count as told about the survivor", async () => {
    const q = await start();
    await q.delivery.put({ ...alert("console:b"), advisoryId: "GHSA-old" }, new Date());
    await q.kick();
    await until(async () => (await q.delivery.told("GHSA-old"))["console:b"]);
    await q.delivery.adopt("PYSEC-2023-74", ["GHSA-old"]);
    expect((await q.delivery.told("PYSEC-2023-74"))["console:b"]).toMatchObject({ revision: 0, ref: { channel: "console:b" } });
    expect(await q.delivery.told("GHSA-old")).toEqual({});
  });
});

// The BullMQ delivery path on a real Redis server, through the Telegram adapter to the fake Bot API:
// de-duplication by job id and by who was told, Retry-After, permanent failures kept for `status`,
// and a migrated chat re-addressed.
import { Queue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTelegramAdapter } from "../../adapters/telegram/telegram-adapter.js";
import { systemClock } from "../../src/clock.js";
import { createAttempt } from "../../src/delivery/attempt.js";
import { createSettle } from "../../src/delivery/settle.js";
import { createLogger } from "../../src/log.js";
import { parseWatch } from "../../src/matching/specifiers.js";
import { WatchIndex } from "../../src/matching/watch-index.js";
import { createMetrics } from "../../src/metrics.js";
import { startDeliveryWorkers } from "../../src/queue/delivery-workers.js";
import { createQueueDelivery, deliveryQueueName, jobIdOf, QUEUE_PREFIX, type QueueDelivery } from "../../src/queue/queue-delivery.js";
import { createKeyvChannelStore } from "../../src/store/keyv-channel-store.js";
import { openDb, type Db } from "../../src/store/open.js";
import type { ChannelStore } from "../../src/store/ports/channels.js";
import { FAKE_BOT, startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { realNotification } from "../helpers/notifications.js";
import { until } from "../helpers/until.js";

let tg: FakeTelegram;
let redis: Redis;
describe.skipIf(!inject("redisUrl"))("BullMQ delivery on a real Redis", () => {
  let db: Db;
  let channels: ChannelStore;
  let delivery: QueueDelivery;
  let workers: Worker[];
  const index = new WatchIndex();
  const metrics = createMetrics();
  const log = createLogger("silent");

  beforeAll(async () => {
    tg = await startFakeTelegram();
    redis = new Redis(`${inject("redisUrl")}/23`, { maxRetriesPerRequest: null });
    await redis.flushdb();
    db = await openDb("memory://");
    channels = createKeyvChannelStore(db);
    for (const chat of [-1001, -1002, -1003, -1004, -1005]) {
      index.set(await channels.update(`telegram:${chat}`, (c) => ({ ...c, watches: [parseWatch("requests")] })));
    }
    delivery = createQueueDelivery(redis);
    const adapter = createTelegramAdapter({ token: tg.token, apiRoot: tg.url, clock: systemClock, log, botInfo: FAKE_BOT });
    const attempt = createAttempt({ delivery, index, adapters: new Map([["telegram", adapter]]), clock: systemClock, log, metrics });
    // Short backoff, so a retried job comes back within the test.
    const settle = createSettle({ delivery, channels, clock: systemClock, log, retry: { maxAttempts: 2, baseDelayMs: 400 } });
    workers = startDeliveryWorkers({ redis, platforms: [{ platform: "telegram", idempotentSend: adapter.capabilities.idempotentSend }], attempt, settle, told: delivery.toldStore, clock: systemClock, refresh: async () => undefined, log });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await delivery.close();
    await redis.quit();
    await db.close();
    await tg.close();
  });

  const alert = (chat: number, revision = 1) => ({ channel: `telegram:${chat}`, advisoryId: "PYSEC-2023-74", revision, message: realNotification({ revision }) });

  it("enqueues a (channel, advisory, revision) once, delivers it once, and not again after", async () => {
    const now = new Date();
    expect(await delivery.put(alert(-1001), now)).toBe(true);
    expect(await delivery.put(alert(-1001), now)).toBe(false);
    await until(() => tg.sent(-1001).length === 1);
    await until(async () => (await delivery.told("PYSEC-2023-74"))["telegram:-1001"]);
    expect((await delivery.told("PYSEC-2023-74"))["telegram:-1001"]?.revision).toBe(1);
    // Told already: a replay of the same revision (after a crash, say) is not queued at all.
    expect(await delivery.put(alert(-1001), now)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.sent(-1001)).toHaveLength(1);
  });

  it("honours Retry-After by moving the job to delayed, without spending an attempt", async () => {
    tg.rateLimitNextSend(1);
    const started = Date.now();
    await delivery.put(alert(-1002), new Date());
    const queue = new Queue(deliveryQueueName("telegram"), { connection: redis, prefix: QUEUE_PREFIX });
    const id = jobIdOf("telegram:-1002|PYSEC-2023-74|1");
    await until(async () => (await queue.getJobState(id)) === "delayed");
    expect((await queue.getJob(id))?.attemptsMade).toBe(0);
    // The fake's sent() counts every sendMessage call: the refused one, then the one that went through.
    await until(async () => (await delivery.told("PYSEC-2023-74"))["telegram:-1002"], 10_000);
    expect(tg.sent(-1002)).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await metrics.registry.getSingleMetricAsString("pysec_herald_rate_limited_total")).toMatch(/platform="telegram"\} 1/);
    await queue.close();
  });

  it("keeps a permanently failed delivery in the failed list, visible as parked, and pauses the channel", async () => {
    tg.blocked.add(-1003);
    await delivery.put(alert(-1003), new Date());
    const parked = await until(async () => (await delivery.list()).find((i) => i.channel === "telegram:-1003" && i.parked));
    expect(parked.parked).toMatch(/blocked/);
    expect((await channels.get("telegram:-1003"))?.paused?.reason).toMatch(/blocked/);
    expect(tg.sent(-1003)).toHaveLength(1); // one refused attempt, no retries
    expect(await delivery.depth()).toEqual({ pending: 0, parked: 1 });
  });

  it("re-addresses a message when the group became a supergroup", async () => {
    tg.migrated.set(-1004, -1009);
    await delivery.put(alert(-1004), new Date());
    await until(async () => (await delivery.told("PYSEC-2023-74"))["telegram:-1009"], 10_000);
    expect(tg.sent(-1004)).toHaveLength(1);
    expect(tg.sent(-1009)).toHaveLength(1);
    expect(await channels.get("telegram:-1004")).toBeUndefined();
    expect((await channels.get("telegram:-1009"))?.watches.map((w) => w.name)).toEqual(["requests"]);
  });

  it("retries a failed send after settle's backoff, counting the attempt, and parks it after the last", async () => {
    tg.failing.add(-1005);
    const queue = new Queue(deliveryQueueName("telegram"), { connection: redis, prefix: QUEUE_PREFIX });
    const id = jobIdOf("telegram:-1005|PYSEC-2023-74|1");
    await delivery.put(alert(-1005), new Date());
    await until(async () => (await queue.getJobState(id)) === "delayed");
    const job = await queue.getJob(id);
    expect(job?.attemptsMade).toBe(1);
    // Settle's delay for the first retry: 200–400 ms with this policy (BullMQ's own would be 2^0 × its base).
    expect(job?.delay).toBeGreaterThanOrEqual(200);
    expect(job?.delay).toBeLessThanOrEqual(400);
    const parked = await until(async () => (await delivery.list()).find((i) => i.channel === "telegram:-1005" && i.parked), 10_000);
    expect(parked.parked).toMatch(/^gave up after 2 attempts: .*502/);
    expect(tg.sent(-1005)).toHaveLength(2);
    // A failing platform is not the channel's fault: it is not paused.
    expect((await channels.get("telegram:-1005"))?.paused).toBeUndefined();
    await queue.close();
  });
});

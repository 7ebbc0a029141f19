// Telegram's 30 messages per second, held by three instances' delivery workers sharing one real
// Redis: counted at the fake Bot API in sliding one-second windows, as Telegram counts them.
// (BullMQ's own limiter counts fixed windows: bursts from several instances met at a window's edge
// and the fake saw up to 42 messages in one second.)
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTelegramAdapter } from "../../adapters/telegram/telegram-adapter.js";
import { systemClock } from "../../src/clock.js";
import type { ChatAdapter } from "../../src/delivery/chat-adapter.js";
import { createAttempt } from "../../src/delivery/attempt.js";
import { createSettle } from "../../src/delivery/settle.js";
import { createLogger } from "../../src/log.js";
import { parseWatch } from "../../src/matching/specifiers.js";
import { WatchIndex } from "../../src/matching/watch-index.js";
import { createMetrics } from "../../src/metrics.js";
import { startDeliveryWorkers } from "../../src/queue/delivery-workers.js";
import { createQueueDelivery, type QueueDelivery } from "../../src/queue/queue-delivery.js";
import { createSharedRateLimit } from "../../src/queue/shared-rate-limit.js";
import { createKeyvChannelStore } from "../../src/store/keyv-channel-store.js";
import { openDb, type Db } from "../../src/store/open.js";
import { maxInWindow } from "../fakes/fake-server.js";
import { FAKE_BOT, startFakeTelegram, type FakeTelegram } from "../fakes/telegram-api.js";
import { realNotification } from "../helpers/notifications.js";
import { until } from "../helpers/until.js";

const CHATS = 240;
const INSTANCES = 3;

describe.skipIf(!inject("redisUrl"))("a platform's rate across instances", () => {
  let tg: FakeTelegram;
  let db: Db;
  const instances: { redis: Redis; delivery: QueueDelivery; workers: Worker[]; adapter: ChatAdapter }[] = [];

  beforeAll(async () => {
    tg = await startFakeTelegram(undefined, { enforceLimits: true });
    db = await openDb("memory://");
    const channels = createKeyvChannelStore(db);
    const index = new WatchIndex();
    for (let i = 1; i <= CHATS; i++) index.set(await channels.update(`telegram:${-2000 - i}`, (c) => ({ ...c, watches: [parseWatch("requests")] })));
    const log = createLogger("silent");
    const first = new Redis(`${inject("redisUrl")}/24`, { maxRetriesPerRequest: null });
    await first.flushdb();
    for (let n = 0; n < INSTANCES; n++) {
      const redis = n === 0 ? first : new Redis(`${inject("redisUrl")}/24`, { maxRetriesPerRequest: null });
      const delivery = createQueueDelivery(redis);
      const adapter = createTelegramAdapter({ token: tg.token, apiRoot: tg.url, clock: systemClock, log, botInfo: FAKE_BOT });
      const attempt = createAttempt({ delivery, index, adapters: new Map([["telegram", adapter]]), clock: systemClock, log, metrics: createMetrics() });
      const settle = createSettle({ delivery, channels, clock: systemClock, log });
      const workers = startDeliveryWorkers({ redis, platforms: [{ platform: "telegram", idempotentSend: adapter.capabilities.idempotentSend }], attempt, settle, told: delivery.toldStore, clock: systemClock, refresh: async () => undefined, log });
      instances.push({ redis, delivery, workers, adapter });
    }
  });

  afterAll(async () => {
    for (const i of instances) {
      await Promise.all(i.workers.map((w) => w.close()));
      await i.adapter.stop();
      await i.delivery.close();
      await i.redis.quit();
    }
    await db.close();
    await tg.close();
  });

  it(`three instances fan one alert out to ${CHATS} chats: never more than 30 messages in any one second, no 429`, async () => {
    const now = new Date();
    for (let i = 1; i <= CHATS; i++) await instances[0]!.delivery.put({ channel: `telegram:${-2000 - i}`, advisoryId: "PYSEC-2023-74", revision: 1, message: realNotification() }, now);
    const sends = () => tg.calls.filter((c) => c.method === "sendMessage");
    await until(() => sends().length >= CHATS, 60_000);
    const most = maxInWindow(sends().map((c) => c.at), 1000);
    const seconds = (Math.max(...sends().map((c) => c.at)) - Math.min(...sends().map((c) => c.at))) / 1000;
    console.log(`shared rate: ${CHATS} messages from ${INSTANCES} instances in ${seconds.toFixed(1)} s; most in one second ${most}`);
    expect(tg.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(most).toBeLessThanOrEqual(30);
    // The limit is a ceiling, not a crawl: the three together still send near the allowed rate.
    expect(CHATS / seconds).toBeGreaterThan(20);
  }, 90_000);
});

it("a shared limit counts a send in flight until a window after its answer", async () => {
  const url = inject("redisUrl");
  if (!url) return;
  const redis = new Redis(`${url}/25`);
  try {
    await redis.flushdb();
    const limit = createSharedRateLimit(redis, "test:rate", { max: 1, duration: 300 }, systemClock);
    let release!: () => void;
    const slow = limit.around(() => new Promise<void>((r) => (release = r)));
    await until(() => release !== undefined);
    let startedAt: number | undefined;
    const next = limit.around(async () => (startedAt = Date.now()));
    // The one place is held while the slow send is in flight, however long past the window that is.
    await new Promise((r) => setTimeout(r, 500));
    expect(startedAt).toBeUndefined();
    const answered = Date.now();
    release();
    await slow;
    await next;
    expect(startedAt! - answered).toBeGreaterThanOrEqual(290);
  } finally {
    await redis.quit();
  }
});

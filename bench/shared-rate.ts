// Telegram's 30 messages per second across three instances sharing one Redis: one alert fanned out
// to 2,000 chats by three instances' BullMQ delivery workers, counted at the fake Bot API in
// sliding one-second windows (the highest count in any one second).
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { createTelegramAdapter } from "../adapters/telegram/telegram-adapter.js";
import { systemClock } from "../src/clock.js";
import { createAttempt } from "../src/delivery/attempt.js";
import { createSettle } from "../src/delivery/settle.js";
import { createLogger } from "../src/log.js";
import { parseWatch } from "../src/matching/specifiers.js";
import { WatchIndex } from "../src/matching/watch-index.js";
import { createMetrics } from "../src/metrics.js";
import { startDeliveryWorkers } from "../src/queue/delivery-workers.js";
import { createQueueDelivery } from "../src/queue/queue-delivery.js";
import { createKeyvChannelStore } from "../src/store/keyv-channel-store.js";
import { openDb } from "../src/store/open.js";
import { maxInWindow } from "../test/fakes/fake-server.js";
import { FAKE_BOT, startFakeTelegram } from "../test/fakes/telegram-api.js";
import { realNotification } from "../test/helpers/notifications.js";
import { startRedis, stop } from "../test/helpers/servers.js";

const CHATS = 2_000;
const INSTANCES = 3;

type Row = (figure: string, result: string, target: string, met: boolean | undefined) => void;

export async function sharedRateFanOut(row: Row): Promise<void> {
  const figure = `fan-out to ${CHATS.toLocaleString("en")} Telegram chats by ${INSTANCES} instances on one Redis`;
  let server;
  try {
    server = await startRedis();
  } catch (err) {
    row(figure, `not measured: ${(err as Error).message} is missing (apt-get install -y redis-server)`, "≤ 30 in any second, zero 429", undefined);
    return;
  }
  const log = createLogger("silent");
  const tg = await startFakeTelegram(undefined, { enforceLimits: true });
  const db = await openDb("memory://");
  const channels = createKeyvChannelStore(db);
  const index = new WatchIndex();
  for (let i = 1; i <= CHATS; i++) index.set(await channels.update(`telegram:${-5000 - i}`, (c) => ({ ...c, watches: [parseWatch("requests")] })));
  const instances: { redis: Redis; close(): Promise<void> }[] = [];
  const puts = [];
  for (let n = 0; n < INSTANCES; n++) {
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    const delivery = createQueueDelivery(redis);
    const adapter = createTelegramAdapter({ token: tg.token, apiRoot: tg.url, clock: systemClock, log, botInfo: FAKE_BOT });
    const attempt = createAttempt({ delivery, index, adapters: new Map([["telegram", adapter]]), clock: systemClock, log, metrics: createMetrics() });
    const settle = createSettle({ delivery, channels, clock: systemClock, log });
    const workers: Worker[] = startDeliveryWorkers({ redis, platforms: [{ platform: "telegram", idempotentSend: adapter.capabilities.idempotentSend }], attempt, settle, told: delivery.toldStore, clock: systemClock, refresh: async () => undefined, log });
    instances.push({ redis, close: async () => { await Promise.all(workers.map((w) => w.close())); await adapter.stop(); await delivery.close(); await redis.quit(); } });
    if (n === 0) puts.push(delivery);
  }
  const now = new Date();
  for (let i = 1; i <= CHATS; i++) await puts[0]!.put({ channel: `telegram:${-5000 - i}`, advisoryId: "PYSEC-2023-74", revision: 1, message: realNotification() }, now);
  const sends = () => tg.calls.filter((c) => c.method === "sendMessage");
  const deadline = Date.now() + 180_000;
  while (sends().length < CHATS && Date.now() < deadline) await systemClock.sleep(100);
  const times = sends().map((c) => c.at);
  const most = maxInWindow(times, 1000);
  const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
  const refused = tg.requests.filter((r) => r.status === 429).length;
  row(figure, `${times.length} sent in ${seconds.toFixed(1)} s (${(times.length / seconds).toFixed(1)} msg/s); at most ${most} in any one second; ${refused} × 429`, "≤ 30 in any second, zero 429", most <= 30 && refused === 0 && times.length === CHATS);
  for (const i of instances) await i.close();
  await db.close();
  await tg.close();
  await stop(server.child);
}

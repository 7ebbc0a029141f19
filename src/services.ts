import type { Change } from "./advisory/diff.js";
import { systemClock, type Clock } from "./clock.js";
import type { Config } from "./config.js";
import { createHttpClient } from "./http/client.js";
import type { Logger } from "./log.js";
import { WatchIndex, type WatchIndexView } from "./matching/watch-index.js";
import { createIngest } from "./pipeline/ingest.js";
import { createPoller, type Poller } from "./scheduler/poller.js";
import { createSources, sourceUrls } from "./sources/registry.js";
import { openPriorityIndex } from "./store/priority-index.js";
import type { Source } from "./sources/source.js";
import { createKeyvAdvisoryStore } from "./store/keyv-advisory-store.js";
import { createChannelService, type ChannelService } from "./channels/channel-service.js";
import { createKeyvChannelStore } from "./store/keyv-channel-store.js";
import { createKeyvCursorStore } from "./store/keyv-cursor-store.js";
import { createKeyvDigestQueue } from "./store/keyv-digest-queue.js";
import { createKeyvPypiFacts } from "./store/keyv-pypi-facts.js";
import type { PypiFactsStore } from "./sources/pypi/pypi-facts-store.js";
import { openOutbox } from "./store/outbox.js";
import { openDb, type Db } from "./store/open.js";
import type { CursorStore } from "./store/ports/cursors.js";
import type { DigestQueue } from "./store/ports/digests.js";
import type { AdvisoryStore } from "./store/ports/mirror.js";
import type { Delivery, Outbox } from "./store/ports/outbox.js";
import { createMetrics, type Metrics } from "./metrics.js";
import type { QueueDelivery } from "./queue/queue-delivery.js";
import type { Redis } from "ioredis";

/** Everything but the chat adapters: stores, sources, the watch index and the poller. */
export interface Services {
  readonly db: Db;
  readonly advisories: AdvisoryStore;
  /** The channel records and the watch index, kept in step (channels/channel-service.ts). */
  readonly channels: ChannelService;
  readonly cursors: CursorStore;
  /** The embedded outbox (drained by the in-process dispatcher when there is no QUEUE_URL). */
  readonly outbox: Outbox;
  /** Where matches and digests are queued: the outbox, or the BullMQ queues. */
  readonly delivery: Delivery;
  readonly digests: DigestQueue;
  /** PyPI's facts about watched packages (the pypi source writes them; answers read them). */
  readonly pypiFacts: PypiFactsStore;
  readonly index: WatchIndexView;
  readonly sources: readonly Source[];
  readonly poller: Poller;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Set with QUEUE_URL: the Redis connection and the BullMQ delivery queues. */
  readonly queue?: { readonly redis: Redis; readonly delivery: QueueDelivery };
  /** Closes the queue connection (if any) and the store. */
  close(): Promise<void>;
}

export interface ServiceOptions {
  readonly onSeedProgress?: (n: number) => void;
  readonly onEvent?: (change: Change) => void;
  /** Process metrics too (the bot's own registry; tests leave them out). */
  readonly processMetrics?: boolean;
}

export async function openServices(config: Config, log: Logger, clock: Clock, opts: ServiceOptions = {}): Promise<Services> {
  const db = await openDb(config.storeUrl, () => clock.now());
  const advisories = createKeyvAdvisoryStore(db, clock);
  const channelStore = createKeyvChannelStore(db);
  const cursors = createKeyvCursorStore(db);
  const outbox = await openOutbox(db);
  const queue = config.queueUrl ? await openQueue(config.queueUrl, log) : undefined;
  const delivery: Delivery = queue?.delivery ?? outbox;
  const metrics = createMetrics({ defaults: opts.processMetrics ?? false });
  const digests = createKeyvDigestQueue(db);
  const index = new WatchIndex();
  await channelStore.forEach((c) => index.set(c));
  const channels = createChannelService(channelStore, index);
  const http = createHttpClient({ allowedPrefixes: sourceUrls(config), timeoutMs: config.httpTimeoutSeconds * 1000, deadlineMs: config.httpDeadlineSeconds * 1000 });
  const priority = await openPriorityIndex(db);
  const pypiFacts = createKeyvPypiFacts(db);
  const ingest = createIngest({ advisories, delivery, digests, index, clock, log, priority, pypiFacts, metrics, ...(opts.onEvent && { onEvent: opts.onEvent }) });
  const sources = createSources(config, { http, log, wallClock: systemClock, clock, pypiFacts, index, ...(opts.onSeedProgress && { onSeedProgress: opts.onSeedProgress }) });
  const poller = createPoller({ sources, cursors, sink: ingest.sink, apply: ingest.apply, clock, log, metrics });
  return {
    db, advisories, channels, cursors, outbox, delivery, digests, pypiFacts, index, sources, poller, clock, log, metrics,
    ...(queue && { queue }),
    async close() {
      if (queue) {
        await queue.delivery.close();
        await queue.redis.quit().catch(() => undefined);
      }
      await db.close();
    },
  };
}

// BullMQ and its Redis client load only with QUEUE_URL.
async function openQueue(url: string, log: Logger): Promise<{ redis: Redis; delivery: QueueDelivery }> {
  const [{ Redis }, { createQueueDelivery }] = await Promise.all([import("ioredis"), import("./queue/queue-delivery.js")]);
  // BullMQ's workers block on this connection: it must retry commands for as long as Redis is away.
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on("error", (err) => log.warn({ err: err.message }, "QUEUE_URL: Redis connection error"));
  return { redis, delivery: createQueueDelivery(redis) };
}

import { Queue, type Job } from "bullmq";
import { hostname } from "node:os";
import type { Redis } from "ioredis";
import { platformOf } from "../channel.js";
import { DEFAULT_RETRY } from "../delivery/settle.js";
import { untold } from "../store/untold.js";
import { groupBy } from "../util/group-by.js";
import { outboxKey, type Delivery, type OutboxItem, type QueuedDelivery } from "../store/ports/outbox.js";
import { type Told, type ToldStore } from "../store/ports/told.js";

/** Every BullMQ key and our own queue-side keys live under this prefix in QUEUE_URL's Redis. */
export const QUEUE_PREFIX = "pysec-herald";
/** How this instance's workers name themselves on the jobs they take (BullMQ's `processedBy`). */
export const WORKER_NAME = `${hostname()}:${process.pid}`;
export const deliveryQueueName = (platform: string) => `deliver-${platform}`;

/** What a delivery job carries: the outbox item without the fields BullMQ keeps itself. */
export type QueuedItem = Omit<OutboxItem, "attempts" | "notBefore" | "lastError" | "parked">;

export const PLATFORMS = ["discord", "slack", "telegram", "console"] as const;
/** Also settle's limit: the job fails (is parked) on the attempt that settle parks it. */
const MAX_ATTEMPTS = DEFAULT_RETRY.maxAttempts;
/** Not one of BullMQ's own types, so it asks the workers' backoff strategy, which returns the delay settle chose. */
const SETTLED_BACKOFF = "settled";

// BullMQ reserves ':' in custom job ids; the outbox key is otherwise the id, so a repeat add is a no-op.
export const jobIdOf = (key: string) => key.replace(/%/g, "%25").replace(/:/g, "%3A");

/**
 * Who was told what, as one Redis hash per advisory (a field per channel): workers on several
 * instances record deliveries of one advisory at once without overwriting each other.
 */
export function createRedisTold(redis: Redis): ToldStore {
  const key = (advisoryId: string) => `${QUEUE_PREFIX}:told:${advisoryId}`;
  async function get(advisoryId: string): Promise<Told> {
    const fields = await redis.hgetall(key(advisoryId));
    return Object.fromEntries(Object.entries(fields).map(([channel, v]) => [channel, JSON.parse(v) as Told[string]]));
  }
  return {
    get,
    async record(item, ref) {
      await redis.hset(key(item.advisoryId), item.channel, JSON.stringify({ revision: item.revision, ref }));
    },
    async adopt(into, from) {
      for (const id of from) {
        for (const [channel, t] of Object.entries(await get(id))) await redis.hsetnx(key(into), channel, JSON.stringify({ revision: 0, ref: t.ref }));
        await redis.del(key(id));
      }
    },
  };
}

export function toOutboxItem(job: Job<QueuedItem>, failed: boolean): OutboxItem {
  return {
    ...job.data,
    attempts: job.attemptsMade,
    notBefore: new Date(job.timestamp + (job.delay ?? 0)).toISOString(),
    ...(job.failedReason && { lastError: job.failedReason }),
    ...(failed && { parked: job.failedReason || "failed" }),
  };
}

export interface QueueDelivery extends Delivery {
  readonly toldStore: ToldStore;
  close(): Promise<void>;
}

/** The Delivery port on BullMQ: one queue per platform, the job id from the (channel, advisory, revision) key. */
export function createQueueDelivery(redis: Redis): QueueDelivery {
  const queues = new Map<string, Queue<QueuedItem>>();
  const toldStore = createRedisTold(redis);
  const queueFor = (platform: string) => {
    let q = queues.get(platform);
    if (!q) queues.set(platform, (q = new Queue<QueuedItem>(deliveryQueueName(platform), { connection: redis, prefix: QUEUE_PREFIX })));
    return q;
  };
  async function putMany(entries: readonly QueuedDelivery[], now: Date): Promise<number> {
    const candidates = new Map((await untold(toldStore, entries)).map((e) => [outboxKey(e.item.channel, e.item.advisoryId, e.item.revision), e] as const));
    // A job with this id (pending, delayed, failed or completed this week) makes the add a no-op.
    const fresh = (
      await Promise.all([...candidates].map(async ([key, e]) => ((await queueFor(platformOf(e.item.channel)).getJob(jobIdOf(key))) ? undefined : ([key, e] as const))))
    ).filter((x) => x !== undefined);
    for (const [platform, list] of groupBy(fresh, ([, e]) => platformOf(e.item.channel))) {
      await queueFor(platform).addBulk(list.map(([key, { item, notBefore = now }]) => ({
        name: "deliver",
        data: { ...item, key, enqueuedAt: now.toISOString() },
        opts: {
          jobId: jobIdOf(key),
          delay: Math.max(0, notBefore.getTime() - now.getTime()),
          attempts: MAX_ATTEMPTS,
          // settle.ts chooses each retry's delay (the same policy as the embedded outbox).
          backoff: { type: SETTLED_BACKOFF },
          // Completed jobs stay a week (a repeat add within it is a no-op); failed ones stay for `status`.
          removeOnComplete: { age: 7 * 86_400 },
          removeOnFail: false,
        },
      })));
    }
    return fresh.length;
  }

  // Known up front, so `status` on any instance lists every platform's jobs.
  for (const p of PLATFORMS) queueFor(p);
  return {
    put: async (item, now, notBefore) => (await putMany([{ item, ...(notBefore && { notBefore }) }], now)) === 1,
    putMany,
    async list() {
      const out: OutboxItem[] = [];
      for (const q of queues.values()) {
        for (const job of await q.getJobs(["waiting", "prioritized", "delayed", "active"])) if (job) out.push(toOutboxItem(job, false));
        for (const job of await q.getJobs(["failed"])) if (job) out.push(toOutboxItem(job, true));
      }
      return out;
    },
    async depth() {
      let pending = 0;
      let parked = 0;
      for (const q of queues.values()) {
        const counts = await q.getJobCounts("waiting", "prioritized", "delayed", "active", "failed");
        parked += counts["failed"] ?? 0;
        pending += (counts["waiting"] ?? 0) + (counts["prioritized"] ?? 0) + (counts["delayed"] ?? 0) + (counts["active"] ?? 0);
      }
      return { pending, parked };
    },
    adopt: toldStore.adopt,
    told: toldStore.get,
    toldStore,
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

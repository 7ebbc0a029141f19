import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "../log.js";
import type { Source } from "../sources/source.js";
import { LOCK_MS } from "./delivery-workers.js";
import { QUEUE_PREFIX, WORKER_NAME } from "./queue-delivery.js";

export const SCHEDULE_QUEUE = "schedule";
const DIGEST_EVERY_MS = 30_000;

export type ScheduledJob = { readonly kind: "poll"; readonly source: string } | { readonly kind: "digest" };

export interface SchedulerDeps {
  readonly redis: Redis;
  readonly sources: readonly Source[];
  readonly run: (job: ScheduledJob) => Promise<void>;
  readonly log: Logger;
}

export interface Schedulers {
  close(): Promise<void>;
}

/**
 * One BullMQ job scheduler per source and one for digests, on a queue whose global concurrency is 1:
 * each poll runs once per interval on whichever instance is alive, and polls never overlap (they
 * write the same mirror keys, which the shared stores cannot lock).
 */
export async function startSchedulers(deps: SchedulerDeps): Promise<Schedulers> {
  const queue = new Queue<ScheduledJob>(SCHEDULE_QUEUE, { connection: deps.redis, prefix: QUEUE_PREFIX });
  await queue.setGlobalConcurrency(1);
  const wanted = new Map<string, { every: number; job: ScheduledJob }>([
    ...deps.sources.map((s) => [`poll-${s.id}`, { every: s.intervalMs, job: { kind: "poll", source: s.id } as ScheduledJob }] as const),
    ["digest", { every: DIGEST_EVERY_MS, job: { kind: "digest" } }],
  ]);
  for (const [id, { every, job }] of wanted) {
    await queue.upsertJobScheduler(id, { every }, { name: id, data: job, opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }
  // Sources dropped from SOURCES stop being polled.
  for (const s of await queue.getJobSchedulers()) if (s.key && !wanted.has(s.key)) await queue.removeJobScheduler(s.key);
  const worker = new Worker<ScheduledJob>(SCHEDULE_QUEUE, (job) => deps.run(job.data), {
    connection: deps.redis,
    prefix: QUEUE_PREFIX,
    name: WORKER_NAME,
    concurrency: 1,
    lockDuration: LOCK_MS,
    stalledInterval: LOCK_MS / 2,
  });
  worker.on("error", (err) => deps.log.error({ err: err.message }, "scheduler worker error"));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}

import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Attempt } from "../delivery/attempt.js";
import type { Logger } from "../log.js";
import type { MessageRef, OutboxItem, ToldStore } from "../store/ports.js";
import { deliveryQueueName, QUEUE_PREFIX, toOutboxItem, WORKER_NAME, type QueuedItem } from "./queue-delivery.js";

/**
 * Each platform's documented sending rate, kept across every instance by BullMQ's queue limiter:
 * Discord 50 requests/s per bot, Telegram 30 messages/s per bot. Slack documents only 1 message/s
 * per channel (kept by the adapter) and no workspace-wide figure: 20/s leaves room for the
 * adapter's other calls. Per-chat limits stay with each adapter's own limiter.
 */
export const PLATFORM_RATES: Record<string, { readonly max: number; readonly duration: number }> = {
  discord: { max: 50, duration: 1000 },
  telegram: { max: 30, duration: 1000 },
  slack: { max: 20, duration: 1000 },
  console: { max: 1000, duration: 1000 },
};

/** A killed instance's jobs are taken over after about this long (BullMQ's stalled-job check). */
export const LOCK_MS = 10_000;
const BLOCKED_RETRY_MS = 60_000;

export interface DeliveryWorkerDeps {
  readonly redis: Redis;
  /**
   * The platforms with an adapter here. Where a repeated send would be a duplicate (no idempotent
   * send), one job at a time per instance, so a killed instance repeats at most one message.
   */
  readonly platforms: readonly { readonly platform: string; readonly idempotentSend: boolean }[];
  readonly attempt: (item: OutboxItem) => Promise<Attempt>;
  readonly told: ToldStore;
  /** Reloads the watch index when another instance changed a channel (a paused channel blocks delivery). */
  readonly refresh: () => Promise<void>;
  readonly log: Logger;
}

const IDEMPOTENT_CONCURRENCY = 16;

async function later(job: Job, token: string | undefined, ms: number): Promise<never> {
  // BullMQ compares a delay with its own clock, the system's: not the injected one.
  await job.moveToDelayed(Date.now() + ms, token);
  throw new DelayedError();
}

/** Workers for the delivery queues of the platforms this instance has adapters for. */
export function startDeliveryWorkers(deps: DeliveryWorkerDeps): Worker[] {
  return deps.platforms.map(({ platform, idempotentSend }) => {
    const worker = new Worker<QueuedItem, MessageRef | "moved">(
      deliveryQueueName(platform),
      async (job, token) => {
        await deps.refresh();
        const item = toOutboxItem(job, false);
        const result = await deps.attempt(item);
        switch (result.kind) {
          case "sent":
            await deps.told.record(item, result.ref);
            return result.ref;
          case "moved":
            return "moved";
          case "blocked":
            return later(job, token, BLOCKED_RETRY_MS);
          case "rate-limited":
            return later(job, token, result.retryAfterMs);
          case "permanent":
            throw new UnrecoverableError(result.reason);
          case "retry":
            throw new Error(result.reason); // BullMQ retries with exponential backoff, then keeps it as failed
        }
      },
      {
        connection: deps.redis,
        prefix: QUEUE_PREFIX,
        name: WORKER_NAME,
        concurrency: idempotentSend ? IDEMPOTENT_CONCURRENCY : 1,
        limiter: PLATFORM_RATES[platform] ?? { max: 10, duration: 1000 },
        lockDuration: LOCK_MS,
        stalledInterval: LOCK_MS / 2,
      },
    );
    worker.on("failed", (job, err) => {
      if (job && (err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1))) {
        deps.log.warn({ key: job.data.key, err: err.message }, "delivery failed; kept in the failed list (see status)");
      }
    });
    worker.on("error", (err) => deps.log.error({ platform, err: err.message }, "delivery worker error"));
    return worker;
  });
}

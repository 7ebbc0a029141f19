import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Attempt } from "../delivery/attempt.js";
import { DEFAULT_RETRY, retryDelayMs, type Settle, type SettleTarget } from "../delivery/settle.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import type { OutboxItem } from "../store/ports/outbox.js";
import type { ToldStore } from "../store/ports/told.js";
import { createSharedRateLimit, type SharedRate } from "./shared-rate-limit.js";
import { deliveryQueueName, QUEUE_PREFIX, toOutboxItem, WORKER_NAME, type QueuedItem } from "./queue-delivery.js";

/**
 * Each platform's documented sending rate, kept across every instance by a sliding window in Redis
 * (shared-rate-limit.ts): Discord 50 requests/s per bot, Telegram 30 messages/s per bot. Slack documents only 1 message/s
 * per channel (kept by the adapter) and no workspace-wide figure: 20/s leaves room for the
 * adapter's other calls. Per-chat limits stay with each adapter's own limiter.
 */
export const PLATFORM_RATES: Record<string, SharedRate> = {
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
  /** The same settlement as the embedded dispatcher's, carried out in BullMQ's terms. */
  readonly settle: Settle;
  readonly told: ToldStore;
  readonly clock: Clock;
  /** Reloads the watch index when another instance changed a channel (a paused channel blocks delivery). */
  readonly refresh: () => Promise<void>;
  readonly log: Logger;
}

const IDEMPOTENT_CONCURRENCY = 16;

/** A failed attempt, carrying the delay settle chose; BullMQ's backoff strategy reads it. */
class RetryLater extends Error {
  readonly delayMs: number;
  constructor(reason: string, delayMs: number) {
    super(reason);
    this.delayMs = delayMs;
  }
}

/** BullMQ's side of a settlement, for one job: keep, later and park end the processor by throwing, as BullMQ expects. */
function jobTarget(job: Job<QueuedItem>, token: string | undefined, deps: DeliveryWorkerDeps): SettleTarget {
  const inMs = (at: Date) => Math.max(0, at.getTime() - deps.clock.now().getTime());
  async function later(ms: number): Promise<never> {
    // BullMQ compares a delay with its own clock, the system's: not the injected one.
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  }
  return {
    done: (item, ref) => deps.told.record(item, ref),
    keep: () => later(BLOCKED_RETRY_MS),
    async later(_item, at, reason, retry) {
      // A failed attempt counts against the job's attempts; a platform's "later" does not.
      if (retry) throw new RetryLater(reason, inMs(at));
      return later(inMs(at));
    },
    park(_item, reason) {
      throw new UnrecoverableError(reason);
    },
    drop: async () => undefined,
  };
}

/** Workers for the delivery queues of the platforms this instance has adapters for. */
export function startDeliveryWorkers(deps: DeliveryWorkerDeps): Worker[] {
  return deps.platforms.map(({ platform, idempotentSend }) => {
    const rate = createSharedRateLimit(deps.redis, `${QUEUE_PREFIX}:rate:${platform}`, PLATFORM_RATES[platform] ?? { max: 10, duration: 1000 }, deps.clock);
    const worker = new Worker<QueuedItem, void>(
      deliveryQueueName(platform),
      async (job, token) => {
        await deps.refresh();
        const item = toOutboxItem(job, false);
        await deps.settle(item, await rate.around(() => deps.attempt(item)), jobTarget(job, token, deps));
      },
      {
        connection: deps.redis,
        prefix: QUEUE_PREFIX,
        name: WORKER_NAME,
        concurrency: idempotentSend ? IDEMPOTENT_CONCURRENCY : 1,
        lockDuration: LOCK_MS,
        stalledInterval: LOCK_MS / 2,
        // A job that failed otherwise (the store was unreachable, say) backs off by the same policy.
        settings: { backoffStrategy: (attemptsMade, _type, err) => (err instanceof RetryLater ? err.delayMs : retryDelayMs(DEFAULT_RETRY, attemptsMade - 1, deps.clock.random())) },
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

import type { ChannelService } from "../channels/channel-service.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import type { Enqueue, OutboxItem } from "../store/ports/outbox.js";
import type { MessageRef } from "../store/ports/told.js";
import type { Attempt } from "./attempt.js";

/**
 * What a queue does with an item once its attempt is settled. The embedded outbox and the BullMQ
 * workers each implement it in their own terms; what to do, and when, is decided here for both.
 */
export interface SettleTarget {
  /** The platform accepted it: record who was told and take it off the queue. */
  done(item: OutboxItem, ref: MessageRef): Promise<void>;
  /** No adapter for its platform here, or the channel is paused: keep it for later as it is. */
  keep(item: OutboxItem): Promise<void>;
  /** Try again at `at`; `retry` when the attempt failed (and counts), not when the platform said "later". */
  later(item: OutboxItem, at: Date, reason: string, retry: boolean): Promise<void>;
  /** Kept, visible in `status`, never tried again. */
  park(item: OutboxItem, reason: string): Promise<void>;
  /** Dropped without recording a delivery: a copy addressed elsewhere was queued. */
  drop(item: OutboxItem): Promise<void>;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 30_000 };

export interface SettleDeps {
  /** Pausing and moving a channel go through the service, which keeps the index in step. */
  readonly channels: Pick<ChannelService, "update" | "move">;
  /** Re-queues a moved chat's message. */
  readonly delivery: Pick<Enqueue, "put">;
  readonly clock: Clock;
  readonly log: Logger;
  readonly retry?: RetryPolicy;
}

export type Settle = (item: OutboxItem, result: Attempt, target: SettleTarget) => Promise<void>;

/** Exponential backoff with full jitter, capped at an hour. */
export function retryDelayMs(policy: RetryPolicy, attempts: number, random: number): number {
  return Math.min(3_600_000, policy.baseDelayMs * 2 ** attempts) * (0.5 + random / 2);
}

/** One settlement of an attempt's outcome (pause, move and re-queue, back off, park) for every queue. */
export function createSettle(deps: SettleDeps): Settle {
  const { clock, log } = deps;
  const policy = deps.retry ?? DEFAULT_RETRY;
  return async (item, result, target) => {
    const now = clock.now();
    switch (result.kind) {
      case "sent":
        return target.done(item, result.ref);
      case "blocked":
        return target.keep(item);
      case "permanent":
        await deps.channels.update(item.channel, (ch) => ({ ...ch, paused: { at: now.toISOString(), reason: result.reason } }));
        log.warn({ channel: item.channel, reason: result.reason }, "delivery failed permanently; channel paused");
        return target.park(item, result.reason);
      case "moved":
        await deps.channels.move(result.from, result.to);
        await deps.delivery.put({ channel: result.to, advisoryId: item.advisoryId, revision: item.revision, message: item.message }, now);
        log.info({ from: result.from, to: result.to }, "chat moved; subscription moved with it");
        return target.drop(item);
      case "rate-limited":
        return target.later(item, new Date(now.getTime() + result.retryAfterMs), result.reason, false);
      case "retry":
        if (item.attempts + 1 >= policy.maxAttempts) {
          log.warn({ key: item.key, err: result.reason }, "delivery parked after repeated failures");
          return target.park(item, `gave up after ${item.attempts + 1} attempts: ${result.reason}`);
        }
        return target.later(item, new Date(now.getTime() + retryDelayMs(policy, item.attempts, clock.random())), result.reason, true);
    }
  };
}

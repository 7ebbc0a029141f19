import { platformOf } from "../channel.js";
import type { Clock } from "../clock.js";
import { ChannelMovedError, errorMessage, PermanentDeliveryError, RateLimitedError } from "../errors.js";
import type { Logger } from "../log.js";
import type { WatchIndex } from "../matching/watch-index.js";
import type { ChannelStore, MessageRef, Outbox, OutboxItem } from "../store/ports.js";
import type { ChatAdapter } from "./chat-adapter.js";

export interface DispatcherDeps {
  readonly outbox: Outbox;
  readonly channels: ChannelStore;
  readonly index: WatchIndex;
  readonly adapters: ReadonlyMap<string, ChatAdapter>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  /** How often due items are looked for when nothing wakes the dispatcher. */
  readonly idleMs?: number;
}

export interface Dispatcher {
  /** Delivers every item due now (or until `signal` aborts); returns how many were accepted by their platform. */
  drain(signal?: AbortSignal): Promise<number>;
  /** Drains until `signal` aborts, waking early on `wake()`. */
  run(signal: AbortSignal): Promise<void>;
  wake(): void;
}

const BATCH = 100;

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { outbox, clock, log } = deps;
  const maxAttempts = deps.maxAttempts ?? 8;
  const baseDelayMs = deps.baseDelayMs ?? 30_000;
  let wakeUp: AbortController | undefined;

  async function fail(item: OutboxItem, err: unknown): Promise<void> {
    const now = clock.now().getTime();
    if (err instanceof PermanentDeliveryError) {
      await outbox.park(item.key, err.message);
      const c = await deps.channels.update(item.channel, (ch) => ({ ...ch, paused: { at: clock.now().toISOString(), reason: err.message } }));
      deps.index.set(c);
      log.warn({ channel: item.channel, reason: err.message }, "delivery failed permanently; channel paused");
      return;
    }
    if (err instanceof ChannelMovedError) {
      const moved = await deps.channels.move(err.from, err.to);
      deps.index.delete(err.from);
      if (moved) deps.index.set(moved);
      await outbox.put({ channel: err.to, advisoryId: item.advisoryId, revision: item.revision, message: item.message }, clock.now());
      await outbox.remove(item.key);
      log.info({ from: err.from, to: err.to }, "chat moved; subscription moved with it");
      return;
    }
    if (err instanceof RateLimitedError) {
      await outbox.defer(item.key, new Date(now + err.retryAfterMs), err.message);
      return;
    }
    if (item.attempts + 1 >= maxAttempts) {
      await outbox.park(item.key, `gave up after ${item.attempts + 1} attempts: ${errorMessage(err)}`);
      log.warn({ key: item.key, err: errorMessage(err) }, "delivery parked after repeated failures");
      return;
    }
    // Exponential backoff with full jitter, capped at an hour.
    const delay = Math.min(3_600_000, baseDelayMs * 2 ** item.attempts) * (0.5 + Math.random() / 2);
    await outbox.defer(item.key, new Date(now + delay), errorMessage(err));
  }

  /** A change to an advisory the channel was already told about edits that message where the platform can. */
  async function deliver(adapter: ChatAdapter, item: OutboxItem): Promise<MessageRef> {
    const msg = item.message;
    const prior = msg.type === "reply" || msg.event === "new" ? undefined : (await outbox.told(item.advisoryId))[item.channel];
    if (!prior || msg.type === "reply" || !adapter.capabilities.edit) return adapter.send(item.channel, msg);
    try {
      return await adapter.edit(prior.ref, msg);
    } catch (err) {
      if (err instanceof RateLimitedError || err instanceof ChannelMovedError) throw err;
      // The old message is gone or too old to edit: say what changed in a new one.
      log.info({ key: item.key, err: errorMessage(err) }, "edit failed; posting a follow-up instead");
      return adapter.send(item.channel, msg);
    }
  }

  async function drain(signal?: AbortSignal): Promise<number> {
    let delivered = 0;
    const blocked = new Set<string>();
    for (;;) {
      if (signal?.aborted) return delivered;
      const due = (await outbox.due(clock.now(), BATCH + blocked.size)).filter((i) => !blocked.has(i.key));
      if (due.length === 0) return delivered;
      for (const item of due) {
        const adapter = deps.adapters.get(platformOf(item.channel));
        const channel = deps.index.channel(item.channel);
        if (!adapter || channel?.paused) {
          blocked.add(item.key); // stays pending until the platform is configured or the channel resumes
          continue;
        }
        try {
          const ref = await deliver(adapter, item);
          await outbox.done(item.key, ref);
          delivered++;
        } catch (err) {
          await fail(item, err);
          blocked.add(item.key);
        }
      }
    }
  }

  return {
    drain,
    wake() {
      wakeUp?.abort();
    },
    async run(signal) {
      while (!signal.aborted) {
        try {
          await drain(signal);
        } catch (err) {
          log.error({ err: errorMessage(err) }, "dispatcher pass failed");
        }
        wakeUp = new AbortController();
        await clock.sleep(deps.idleMs ?? 1000, AbortSignal.any([signal, wakeUp.signal]));
      }
    },
  };
}

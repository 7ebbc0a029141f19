import { platformOf } from "../channel.js";
import type { Clock } from "../clock.js";
import { ChannelMovedError, errorMessage, PermanentDeliveryError, RateLimitedError } from "../errors.js";
import type { Logger } from "../log.js";
import type { WatchIndexView } from "../matching/watch-index.js";
import type { Metrics } from "../metrics.js";
import type { ChannelKey } from "../channel.js";
import type { OutboxItem } from "../store/ports/outbox.js";
import type { DeliveredTo, MessageRef } from "../store/ports/told.js";
import type { ChatAdapter } from "./chat-adapter.js";

/** What became of one delivery attempt; settle.ts decides what happens next. The attempt itself changes nothing. */
export type Attempt =
  | { readonly kind: "sent"; readonly ref: MessageRef }
  /** No adapter for its platform here, or the channel is paused: keep it for later. */
  | { readonly kind: "blocked" }
  | { readonly kind: "rate-limited"; readonly retryAfterMs: number; readonly reason: string }
  /** Will never succeed as things stand (the bot was removed, the chat is gone). */
  | { readonly kind: "permanent"; readonly reason: string }
  /** The platform renamed the chat (a Telegram group became a supergroup). */
  | { readonly kind: "moved"; readonly from: ChannelKey; readonly to: ChannelKey }
  | { readonly kind: "retry"; readonly reason: string };

export interface AttemptDeps {
  /** Who was told, for edits. */
  readonly delivery: Pick<DeliveredTo, "told">;
  readonly index: WatchIndexView;
  readonly adapters: ReadonlyMap<string, ChatAdapter>;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics?: Metrics;
}

/** Delivers one outbox item through its platform's adapter: shared by the embedded dispatcher and the BullMQ workers. */
export function createAttempt(deps: AttemptDeps): (item: OutboxItem) => Promise<Attempt> {
  const { clock, log } = deps;

  /** A change to an advisory the channel was already told about edits that message where the platform can. */
  async function send(adapter: ChatAdapter, item: OutboxItem): Promise<MessageRef> {
    const msg = item.message;
    const prior = msg.type === "reply" || msg.event === "new" ? undefined : (await deps.delivery.told(item.advisoryId))[item.channel];
    if (!prior || msg.type === "reply" || !adapter.capabilities.edit) return post(adapter, item);
    try {
      return await adapter.edit(prior.ref, msg);
    } catch (err) {
      if (err instanceof RateLimitedError || err instanceof ChannelMovedError) throw err;
      // The old message is gone or too old to edit: say what changed in a new one.
      log.info({ key: item.key, err: errorMessage(err) }, "edit failed; posting a follow-up instead");
      return post(adapter, item);
    }
  }

  /** A new message; one whose send began before (a crash, a lost answer) is looked up first where the platform can. */
  async function post(adapter: ChatAdapter, item: OutboxItem): Promise<MessageRef> {
    if (item.sendingSince && adapter.findSent) {
      // A minute's margin for clocks that differ between this machine and the platform.
      const found = await adapter.findSent(item.channel, item.key, new Date(Date.parse(item.sendingSince) - 60_000));
      if (found) {
        log.info({ key: item.key }, "message already delivered before a restart; not sent again");
        return found;
      }
    }
    return adapter.send(item.channel, item.message, item.key);
  }

  function classify(err: unknown): Attempt {
    if (err instanceof PermanentDeliveryError) return { kind: "permanent", reason: err.message };
    if (err instanceof ChannelMovedError) return { kind: "moved", from: err.from, to: err.to };
    if (err instanceof RateLimitedError) return { kind: "rate-limited", retryAfterMs: err.retryAfterMs, reason: err.message };
    return { kind: "retry", reason: errorMessage(err) };
  }

  return async (item) => {
    const platform = platformOf(item.channel);
    const adapter = deps.adapters.get(platform);
    if (!adapter || deps.index.channel(item.channel)?.paused) return { kind: "blocked" };
    let result: Attempt;
    try {
      // When the platform took it: the channel report lists alerts with this time.
      result = { kind: "sent", ref: { ...(await send(adapter, item)), at: clock.now().toISOString() } };
      deps.metrics?.eventToSend.observe({ platform }, Math.max(0, clock.now().getTime() - Date.parse(item.enqueuedAt)) / 1000);
    } catch (err) {
      result = classify(err);
      if (result.kind === "rate-limited") deps.metrics?.rateLimited.inc({ platform });
    }
    deps.metrics?.deliveries.inc({ platform, outcome: result.kind });
    return result;
  };
}

import { errorMessage } from "../errors.js";
import { groupBy } from "../util/group-by.js";
import { mapLimit } from "../util/map-limit.js";
import type { Outbox, OutboxItem } from "../store/ports/outbox.js";
import { createAttempt, type AttemptDeps } from "./attempt.js";
import { createSettle, type SettleDeps, type SettleTarget } from "./settle.js";

export interface DispatcherDeps extends Omit<AttemptDeps, "delivery">, Omit<SettleDeps, "delivery"> {
  readonly outbox: Outbox;
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
const CONCURRENCY = 16;

/** The embedded mode's delivery loop over the in-store outbox. */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const { outbox, clock, log } = deps;
  const attempt = createAttempt({ ...deps, delivery: outbox });
  const settle = createSettle({ ...deps, delivery: outbox });

  /** The outbox's side of a settlement. */
  const target: SettleTarget = {
    done: (item, ref) => outbox.done(item.key, ref),
    keep: async () => undefined, // stays pending until the platform is configured or the channel resumes
    later: (item, at, reason) => outbox.defer(item.key, at, reason),
    park: (item, reason) => outbox.park(item.key, reason),
    drop: (item) => outbox.remove(item.key),
  };

  /** Attempts and settles one item; true when it was delivered. */
  async function deliver(item: OutboxItem): Promise<boolean> {
    const result = await attempt(item);
    await settle(item, result, target);
    return result.kind === "sent";
  }

  /**
   * One lane per platform, so a slow platform never holds up another. Within a lane, sends go one
   * at a time, so a crash duplicates at most the one message in flight; where the platform drops
   * repeats (idempotentSend), or where the items are marked as being sent first and the platform
   * can look up what it already has (findSent), up to CONCURRENCY channels are served at once, each
   * channel's items still in order.
   */
  async function lane(platform: string, items: readonly OutboxItem[], settled: Set<string>, signal?: AbortSignal): Promise<number> {
    let delivered = 0;
    const adapter = deps.adapters.get(platform);
    const lookup = Boolean(adapter && !adapter.capabilities.idempotentSend && adapter.findSent);
    if (lookup) await outbox.sending(items.map((i) => i.key), clock.now());
    const width = adapter?.capabilities.idempotentSend || lookup ? CONCURRENCY : 1;
    await mapLimit([...groupBy(items, (i) => i.channel).values()], width, async (queue) => {
      for (const item of queue) {
        if (signal?.aborted) return;
        if (await deliver(item)) delivered++;
        else settled.add(item.key);
      }
    });
    return delivered;
  }

  /** Everything due for one platform; platforms never wait for each other (a hung one holds up only itself). */
  async function drainPlatform(platform: string, signal?: AbortSignal): Promise<number> {
    let delivered = 0;
    const settled = new Set<string>();
    for (;;) {
      if (signal?.aborted) return delivered;
      // Items not delivered this pass (blocked, deferred, parked) are skipped until the next.
      const due = (await outbox.due(clock.now(), BATCH + settled.size, platform)).filter((i) => !settled.has(i.key));
      if (due.length === 0) return delivered;
      delivered += await lane(platform, due, settled, signal);
    }
  }

  async function drain(signal?: AbortSignal): Promise<number> {
    let delivered = 0;
    for (const n of await Promise.all([...deps.adapters.keys()].map((p) => drainPlatform(p, signal)))) delivered += n;
    return delivered;
  }

  // One wake-up for every platform's loop: a new item may be for any of them.
  let wakers = new Set<AbortController>();
  async function loop(platform: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const woken = new AbortController();
      wakers.add(woken);
      try {
        await drainPlatform(platform, signal);
      } catch (err) {
        log.error({ platform, err: errorMessage(err) }, "dispatcher pass failed");
      }
      if (!woken.signal.aborted) await clock.sleep(deps.idleMs ?? 1000, AbortSignal.any([signal, woken.signal]));
      wakers.delete(woken);
    }
  }

  return {
    drain,
    wake() {
      const current = wakers;
      wakers = new Set();
      for (const w of current) w.abort();
    },
    async run(signal) {
      await Promise.all([...deps.adapters.keys()].map((p) => loop(p, signal)));
    },
  };
}

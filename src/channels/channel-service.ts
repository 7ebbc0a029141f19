import type { Channel, ChannelKey } from "../channel.js";
import type { WatchIndex } from "../matching/watch-index.js";
import type { ChannelStore } from "../store/ports/channels.js";

/**
 * The one owner of the channel records and of the watch index built from them: every change is
 * persisted and then applied to the index here, so no caller keeps the two in step by hand.
 * Instances sharing a store reload the index from here when the store's revision moved.
 */
export interface ChannelService extends ChannelStore {
  /** Reloads the index if another instance changed a channel since the last look. */
  refresh(): Promise<void>;
  /** Every channel as the index holds it (as current as the last refresh), without reading the store. */
  current(): IterableIterator<Channel>;
}

export function createChannelService(store: ChannelStore, index: WatchIndex): ChannelService {
  let seen: string | undefined;
  let inFlight: Promise<void> | undefined;
  return {
    get: (key: ChannelKey) => store.get(key),
    list: () => store.list(),
    forEach: (visit) => store.forEach(visit),
    current: () => index.all(),
    revision: () => store.revision(),
    async update(key, fn) {
      const next = await store.update(key, fn);
      index.set(next);
      return next;
    },
    async putMany(channels: readonly Channel[]) {
      await store.putMany(channels);
      for (const c of channels) index.set(c);
    },
    async move(from, to) {
      const moved = await store.move(from, to);
      index.delete(from);
      if (moved) index.set(moved);
      return moved;
    },
    refresh: () =>
      (inFlight ??= (async () => {
        try {
          const revision = await store.revision();
          if (revision === seen) return;
          seen = revision;
          const keep = new Set<ChannelKey>();
          await store.forEach((c) => {
            keep.add(c.key);
            index.set(c);
          });
          index.retain(keep);
        } finally {
          inFlight = undefined;
        }
      })()),
  };
}

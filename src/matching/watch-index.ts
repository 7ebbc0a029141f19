import type { NormalizedName } from "../advisory/names.js";
import type { Channel, ChannelKey } from "../channel.js";
import type { Watch } from "./specifiers.js";

/** In-memory inverted index: package → channels watching it, so one advisory never scans all channels. */
export class WatchIndex {
  private readonly byName = new Map<NormalizedName, Map<ChannelKey, Watch[]>>();
  private readonly channels = new Map<ChannelKey, Channel>();

  static from(channels: Iterable<Channel>): WatchIndex {
    const index = new WatchIndex();
    for (const c of channels) index.set(c);
    return index;
  }

  /** Replaces everything the index knows about one channel. */
  set(channel: Channel): void {
    const old = this.channels.get(channel.key);
    for (const w of old?.watches ?? []) {
      const m = this.byName.get(w.name);
      m?.delete(channel.key);
      if (m?.size === 0) this.byName.delete(w.name);
    }
    this.channels.set(channel.key, channel);
    for (const w of channel.watches) {
      let m = this.byName.get(w.name);
      if (!m) this.byName.set(w.name, (m = new Map()));
      m.set(channel.key, [...(m.get(channel.key) ?? []), w]);
    }
  }

  /** Forgets a channel (its record moved or was deleted). */
  delete(key: ChannelKey): void {
    const old = this.channels.get(key);
    if (old) this.set({ ...old, watches: [] });
    this.channels.delete(key);
  }

  channel(key: ChannelKey): Channel | undefined {
    return this.channels.get(key);
  }

  /** Every package name some channel watches. */
  names(): IterableIterator<NormalizedName> {
    return this.byName.keys();
  }

  watchers(name: NormalizedName): ReadonlyMap<ChannelKey, Watch[]> {
    return this.byName.get(name) ?? new Map();
  }
}

import type { NormalizedName } from "../advisory/names.js";
import type { Channel, ChannelKey } from "../channel.js";
import type { Watch } from "./specifiers.js";
import { deletionVariants } from "./lookalike.js";

/** In-memory inverted index: package → channels watching it, so one advisory never scans all channels. */
export class WatchIndex {
  private readonly byName = new Map<NormalizedName, Map<ChannelKey, Watch[]>>();
  private readonly channels = new Map<ChannelKey, Channel>();
  // Deletion variant → watched names, so look-alikes of a name are found without scanning every name.
  private readonly variants = new Map<string, Set<NormalizedName>>();

  private addName(name: NormalizedName): void {
    for (const v of deletionVariants(name)) {
      let s = this.variants.get(v);
      if (!s) this.variants.set(v, (s = new Set()));
      s.add(name);
    }
  }

  private removeName(name: NormalizedName): void {
    for (const v of deletionVariants(name)) {
      const s = this.variants.get(v);
      s?.delete(name);
      if (s?.size === 0) this.variants.delete(v);
    }
  }

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
      if (m?.size === 0) {
        this.byName.delete(w.name);
        this.removeName(w.name);
      }
    }
    this.channels.set(channel.key, channel);
    for (const w of channel.watches) {
      let m = this.byName.get(w.name);
      if (!m) {
        this.byName.set(w.name, (m = new Map()));
        this.addName(w.name);
      }
      m.set(channel.key, [...(m.get(channel.key) ?? []), w]);
    }
  }

  /** Makes the index hold exactly these channels (reloaded from a store other instances write too). */
  sync(channels: readonly Channel[]): void {
    const keep = new Set(channels.map((c) => c.key));
    for (const key of [...this.channels.keys()]) if (!keep.has(key)) this.delete(key);
    for (const c of channels) this.set(c);
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

  /** Watched names that share a deletion variant with `name`: the only ones that can be one edit away. */
  similarNames(name: string): NormalizedName[] {
    const out = new Set<NormalizedName>();
    for (const v of deletionVariants(name)) for (const n of this.variants.get(v) ?? []) out.add(n);
    return [...out];
  }

  watchers(name: NormalizedName): ReadonlyMap<ChannelKey, Watch[]> {
    return this.byName.get(name) ?? new Map();
  }
}

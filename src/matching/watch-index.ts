import type { NormalizedName } from "../advisory/names.js";
import type { Channel, ChannelKey } from "../channel.js";
import { deletionVariants } from "./lookalike.js";

/**
 * In-memory inverted index: package → channels watching it, so one advisory never scans all channels.
 * Kept compact for 100,000 channels and 1,000,000 watches: a plain array of channel keys per name
 * (a channel's watches of that name are read from its record), and each name stored once.
 */
export class WatchIndex {
  private readonly byName = new Map<NormalizedName, ChannelKey[]>();
  private readonly channels = new Map<ChannelKey, Channel>();
  // The index's own copy of each name: records parsed from the store repeat it in every channel.
  private readonly names = new Map<NormalizedName, NormalizedName>();
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
    for (const name of new Set((old?.watches ?? []).map((w) => w.name))) {
      const keys = this.byName.get(name);
      if (!keys) continue;
      const at = keys.indexOf(channel.key);
      if (at !== -1) {
        keys[at] = keys[keys.length - 1]!;
        keys.pop();
      }
      if (keys.length === 0) {
        this.byName.delete(name);
        this.names.delete(name);
        this.removeName(name);
      }
    }
    const watches = channel.watches.map((w) => {
      const name = this.names.get(w.name) ?? w.name;
      return name === w.name ? w : { ...w, name };
    });
    this.channels.set(channel.key, watches.every((w, i) => w === channel.watches[i]) ? channel : { ...channel, watches });
    for (const name of new Set(watches.map((w) => w.name))) {
      let keys = this.byName.get(name);
      if (!keys) {
        this.byName.set(name, (keys = []));
        this.names.set(name, name);
        this.addName(name);
      }
      keys.push(channel.key);
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

  /** Every package some channel watches, except from channels that turned PyPI's signals off (the PyPI source asks only about these). */
  watchedNames(wants: (c: Channel) => boolean = () => true): NormalizedName[] {
    return [...this.byName].filter(([, keys]) => keys.some((k) => { const c = this.channels.get(k); return c !== undefined && wants(c); })).map(([n]) => n);
  }

  /** Channels watching `name` (each once); their watches of it are in `channel(key).watches`. */
  watchers(name: NormalizedName): readonly ChannelKey[] {
    return this.byName.get(name) ?? [];
  }
}

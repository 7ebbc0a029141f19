import type { NormalizedName } from "../advisory/names.js";
import type { Channel, ChannelKey } from "../channel.js";
import { deletionVariants, lookalikesOf } from "./lookalike.js";

/**
 * Channels that get the same answer for one package: they watch it with the same specifiers (in
 * the same order) and share every setting matching reads. An advisory is evaluated once per group.
 */
export interface WatchGroup {
  /** Where it is kept: its specifiers joined, and settingsKey (lookalike groups: "" and whether muting). */
  readonly specKey: string;
  readonly settings: string;
  readonly name: NormalizedName;
  readonly specifiers: readonly string[];
  readonly severity: Channel["severity"];
  readonly fixedOnly: boolean;
  readonly kevOnly: boolean;
  readonly epssFloor: number;
  /** Some channel here mutes something: each one is checked. */
  readonly muting: boolean;
  /** Never paused ones (a paused channel is in no group). */
  readonly channels: Channel[];
  /** Each channel's slot (WatchIndex.visits), in the same order. */
  readonly slots: number[];
  /** The channels of `name` that want look-alike warnings, whatever they watch it with (specifiers empty). */
  readonly forLookalikes: boolean;
}

/** What of a channel's settings matching reads: channels differing in none of them share groups. */
function settingsKey(c: Channel): string {
  return `${c.severity}|${c.fixedOnly ? 1 : 0}|${c.kevOnly ? 1 : 0}|${c.epssFloor}|${c.mutes.length > 0 ? 1 : 0}`;
}

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
  // Package → its groups, a short list searched by (specKey, settings): no key strings are made per
  // watch (indexing a million of them, their garbage stayed committed as the startup peak), and a
  // few string comparisons cost less than nested map lookups.
  private readonly groupsByName = new Map<NormalizedName, WatchGroup[]>();
  private readonly lookalikeGroupsByName = new Map<NormalizedName, WatchGroup[]>();
  // Channel → the groups it is in (for a change of that channel).
  private readonly groupsOf = new Map<ChannelKey, WatchGroup[]>();
  // A small number per channel, so "seen in this fan-out" is an array read rather than a set of keys.
  private readonly slotOf = new Map<ChannelKey, number>();
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private stamps = new Uint32Array(1024);
  private readonly lookalikeMemo = new Map<string, NormalizedName[]>();
  private epoch = 0;

  /**
   * A fresh "already visited" mark for one fan-out: a slot was visited when `stamps[slot] === mark`.
   * Stamping with a counter means nothing is cleared between fan-outs.
   */
  visits(): { readonly stamps: Uint32Array; readonly mark: number } {
    if (++this.epoch === 0xffffffff) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
    return { stamps: this.stamps, mark: this.epoch };
  }

  /** Watched names one edit from `published` (typosquat targets), remembered until the set of names changes. */
  lookalikes(published: string): NormalizedName[] {
    let found = this.lookalikeMemo.get(published);
    if (!found) {
      if (this.lookalikeMemo.size > 50_000) this.lookalikeMemo.clear();
      this.lookalikeMemo.set(published, (found = lookalikesOf(published, this.similarNames(published))));
    }
    return found;
  }

  private leaveGroups(key: ChannelKey): void {
    const slot = this.slotOf.get(key);
    for (const g of this.groupsOf.get(key) ?? []) {
      const at = g.slots.indexOf(slot!);
      if (at !== -1) {
        g.channels[at] = g.channels[g.channels.length - 1]!;
        g.channels.pop();
        g.slots[at] = g.slots[g.slots.length - 1]!;
        g.slots.pop();
      }
      if (g.channels.length === 0) {
        const all = g.forLookalikes ? this.lookalikeGroupsByName : this.groupsByName;
        const list = all.get(g.name) ?? [];
        const i = list.indexOf(g);
        if (i !== -1) list.splice(i, 1);
        if (list.length === 0) all.delete(g.name);
      }
    }
    this.groupsOf.delete(key);
  }

  private joinGroups(channel: Channel): void {
    if (channel.paused) return;
    let slot = this.slotOf.get(channel.key);
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.nextSlot++;
      this.slotOf.set(channel.key, slot);
      if (slot >= this.stamps.length) {
        const grown = new Uint32Array(this.stamps.length * 2);
        grown.set(this.stamps);
        this.stamps = grown;
      }
    }
    const mine: WatchGroup[] = [];
    const settings = settingsKey(channel);
    const muting = channel.mutes.length > 0;
    const join = (all: Map<NormalizedName, WatchGroup[]>, name: NormalizedName, specKey: string, settingsOf: string, specifiers: readonly string[], forLookalikes: boolean) => {
      let list = all.get(name);
      if (!list) all.set(name, (list = []));
      let g: WatchGroup | undefined;
      for (const x of list) if (x.specKey === specKey && x.settings === settingsOf) g = x;
      if (!g) list.push((g = { specKey, settings: settingsOf, name, specifiers, severity: channel.severity, fixedOnly: channel.fixedOnly, kevOnly: channel.kevOnly, epssFloor: channel.epssFloor, muting, channels: [], slots: [], forLookalikes }));
      g.channels.push(channel);
      g.slots.push(slot);
      mine.push(g);
    };
    const { watches } = channel;
    for (let i = 0; i < watches.length; i++) {
      const { name, specifier } = watches[i]!;
      // A channel's watches of one package, in order: usually one (imported files may add more).
      let earlier = false;
      for (let j = 0; j < i && !earlier; j++) earlier = watches[j]!.name === name;
      if (earlier) continue;
      let specifiers: readonly string[] = [specifier];
      for (let j = i + 1; j < watches.length; j++) if (watches[j]!.name === name) specifiers = [...specifiers, watches[j]!.specifier];
      join(this.groupsByName, name, specifiers.length === 1 ? specifier : specifiers.join("\u0001"), settings, specifiers, false);
      // A look-alike warning reads only whether the channel mutes: one group per package, not per specifier.
      if (channel.lookalikes) join(this.lookalikeGroupsByName, name, "", muting ? "muting" : "", [], true);
    }
    this.groupsOf.set(channel.key, mine);
  }

  private addName(name: NormalizedName): void {
    this.lookalikeMemo.clear();
    for (const v of deletionVariants(name)) {
      let s = this.variants.get(v);
      if (!s) this.variants.set(v, (s = new Set()));
      s.add(name);
    }
  }

  private removeName(name: NormalizedName): void {
    this.lookalikeMemo.clear();
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
    const stored = watches.every((w, i) => w === channel.watches[i]) ? channel : { ...channel, watches };
    this.channels.set(channel.key, stored);
    this.leaveGroups(channel.key);
    this.joinGroups(stored);
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
    const slot = this.slotOf.get(key);
    if (slot !== undefined) {
      this.slotOf.delete(key);
      this.freeSlots.push(slot);
    }
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

  /** The groups of channels watching `name` (see WatchGroup). */
  groups(name: NormalizedName): readonly WatchGroup[] {
    return this.groupsByName.get(name) ?? [];
  }

  /** The channels watching `name` that want look-alike warnings, in at most two groups (muting or not). */
  lookalikeGroups(name: NormalizedName): readonly WatchGroup[] {
    return this.lookalikeGroupsByName.get(name) ?? [];
  }

  /** Channels watching `name` (each once); their watches of it are in `channel(key).watches`. */
  watchers(name: NormalizedName): readonly ChannelKey[] {
    return this.byName.get(name) ?? [];
  }
}

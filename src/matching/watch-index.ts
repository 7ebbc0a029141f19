import type { NormalizedName } from "../advisory/names.js";
import type { Channel, ChannelKey } from "../channel.js";
import { deletionVariants, lookalikesOf } from "./lookalike.js";
import type { Watch } from "./specifiers.js";

/**
 * Channels that get the same answer for one package: they watch it with the same specifiers (in
 * the same order) and share every setting matching reads. An advisory is evaluated once per group.
 */
export interface WatchGroup {
  /** What it is found by: its specifiers joined, and settingsKey (look-alike groups: "" and whether muting). */
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
}

/** What of a channel's settings matching reads: channels differing in none of them share groups. */
function settingsKey(c: Channel): string {
  return `${c.severity}|${c.fixedOnly ? 1 : 0}|${c.kevOnly ? 1 : 0}|${c.epssFloor}|${c.mutes.length > 0 ? 1 : 0}`;
}

/**
 * A channel's watches, one call per package it watches, in order: the package's specifiers (usually
 * one; imported files may add more) and the key its group is found by.
 */
function eachPackage(channel: Channel, visit: (name: NormalizedName, specKey: string, specifiers: readonly string[]) => void): void {
  const { watches } = channel;
  for (let i = 0; i < watches.length; i++) {
    const { name, specifier } = watches[i]!;
    let earlier = false;
    for (let j = 0; j < i && !earlier; j++) earlier = watches[j]!.name === name;
    if (earlier) continue;
    let more: string[] | undefined;
    for (let j = i + 1; j < watches.length; j++) if (watches[j]!.name === name) (more ??= [specifier]).push(watches[j]!.specifier);
    if (more) visit(name, more.join("\u0001"), more);
    else visit(name, specifier, [specifier]);
  }
}

/** How many channels (paused or not) watch a name, and the index's one copy of it. */
interface NameEntry {
  readonly name: NormalizedName;
  watchers: number;
}

/** The channels one fan-out has reached, by their index slot. */
export interface VisitMarks {
  has(slot: number): boolean;
  add(slot: number): void;
}

/**
 * The index as everyone but the channel service sees it: read only, so that a second writer does
 * not type-check (the channel service persists a change, then applies it here).
 */
export type WatchIndexView = Pick<WatchIndex, "visits" | "lookalikes" | "all" | "channel" | "similarNames" | "watchedNames" | "groups" | "lookalikeGroups" | "watchers">;

/**
 * In-memory inverted index: package → groups of channels watching it alike, so one advisory never
 * scans all channels and is evaluated once per group. Kept compact for 100,000 channels and
 * 1,000,000 watches: each active channel is in one group per package it watches and nowhere else
 * (who watches a name is read from its groups), each name is stored once, and look-alike groups
 * are made only when a look-alike warning needs them.
 */
export class WatchIndex {
  private readonly channels = new Map<ChannelKey, Channel>();
  // The index's own copy of each name (records parsed from the store repeat it in every channel), and how many channels watch it.
  private readonly names = new Map<NormalizedName, NameEntry>();
  // One copy of each specifier and label: records parsed from the store repeat them in every channel.
  private readonly texts = new Map<string, string>();
  // Paused channels are in no group; there are few, so who watches a name scans them.
  private readonly paused = new Set<ChannelKey>();
  // Deletion variant → watched names, so look-alikes of a name are found without scanning every name.
  private readonly variants = new Map<string, Set<NormalizedName>>();
  // Package → its groups, a short list searched by (specKey, settings): no key strings are made per
  // watch, and a few string comparisons cost less than nested map lookups.
  private readonly groupsByName = new Map<NormalizedName, WatchGroup[]>();
  // A small number per channel, so "seen in this fan-out" is an array read rather than a set of keys.
  private readonly slotOf = new Map<ChannelKey, number>();
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private stamps = new Uint32Array(1024);
  private readonly lookalikeMemo = new Map<string, NormalizedName[]>();
  // Look-alike groups of the names a warning asked about, dropped when that name's groups change.
  private readonly lookalikeGroupsOf = new Map<NormalizedName, readonly WatchGroup[]>();
  private epoch = 0;

  /**
   * Which channels one fan-out has reached, by slot. Stamping with a counter means nothing is
   * cleared between fan-outs; the stamps stay the index's own (only this fan-out's marks are handed out).
   */
  visits(): VisitMarks {
    if (++this.epoch === 0xffffffff) {
      this.stamps.fill(0);
      this.epoch = 1;
    }
    const stamps = this.stamps;
    const mark = this.epoch;
    return { has: (slot) => stamps[slot] === mark, add: (slot) => void (stamps[slot] = mark) };
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

  private intern(text: string): string {
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    if (this.texts.size >= 100_000) this.texts.clear(); // bounded: churn never grows it for ever
    this.texts.set(text, text);
    return text;
  }

  private slotFor(key: ChannelKey): number {
    let slot = this.slotOf.get(key);
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.nextSlot++;
      this.slotOf.set(key, slot);
      if (slot >= this.stamps.length) {
        const grown = new Uint32Array(this.stamps.length * 2);
        grown.set(this.stamps);
        this.stamps = grown;
      }
    }
    return slot;
  }

  private static find(list: readonly WatchGroup[] | undefined, specKey: string, settings: string): WatchGroup | undefined {
    if (list) for (const g of list) if (g.specKey === specKey && g.settings === settings) return g;
    return undefined;
  }

  private leaveGroups(old: Channel): void {
    if (old.paused) return void this.paused.delete(old.key);
    const slot = this.slotOf.get(old.key)!;
    const settings = settingsKey(old);
    eachPackage(old, (name, specKey) => {
      this.lookalikeGroupsOf.delete(name);
      const list = this.groupsByName.get(name);
      const g = WatchIndex.find(list, specKey, settings);
      if (!list || !g) return;
      const at = g.slots.indexOf(slot);
      if (at !== -1) {
        g.channels[at] = g.channels[g.channels.length - 1]!;
        g.channels.pop();
        g.slots[at] = g.slots[g.slots.length - 1]!;
        g.slots.pop();
      }
      if (g.channels.length > 0) return;
      list.splice(list.indexOf(g), 1);
      if (list.length === 0) this.groupsByName.delete(name);
    });
  }

  private joinGroups(channel: Channel): void {
    if (channel.paused) return void this.paused.add(channel.key);
    const slot = this.slotFor(channel.key);
    const settings = settingsKey(channel);
    const muting = channel.mutes.length > 0;
    eachPackage(channel, (name, specKey, specifiers) => {
      this.lookalikeGroupsOf.delete(name);
      let list = this.groupsByName.get(name);
      if (!list) this.groupsByName.set(name, (list = []));
      let g = WatchIndex.find(list, specKey, settings);
      if (!g) list.push((g = { specKey, settings, name, specifiers, severity: channel.severity, fixedOnly: channel.fixedOnly, kevOnly: channel.kevOnly, epssFloor: channel.epssFloor, muting, channels: [], slots: [] }));
      g.channels.push(channel);
      g.slots.push(slot);
    });
  }

  private countNames(watches: Channel["watches"], by: 1 | -1): void {
    const seen = new Set<NormalizedName>();
    for (const { name } of watches) {
      if (seen.has(name)) continue;
      seen.add(name);
      let entry = this.names.get(name);
      if (!entry) {
        this.names.set(name, (entry = { name, watchers: 0 }));
        this.addName(name);
      }
      entry.watchers += by;
      if (entry.watchers === 0) {
        this.names.delete(name);
        this.removeName(name);
      }
    }
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
    if (old) this.leaveGroups(old);
    // The index's copies of the texts: equal strings compare equal, so each watch is rebuilt on them.
    const watches = channel.watches.map((w): Watch => ({
      name: this.names.get(w.name)?.name ?? w.name,
      specifier: this.intern(w.specifier),
      ...(w.label !== undefined && { label: this.intern(w.label) }),
    }));
    const stored = { ...channel, watches };
    // New names counted before old ones are let go, so a name kept is never dropped and re-added.
    this.countNames(stored.watches, 1);
    if (old) this.countNames(old.watches, -1);
    this.channels.set(channel.key, stored);
    this.joinGroups(stored);
  }

  /** Forgets every channel but these (after a reload from a store other instances write too). */
  retain(keep: ReadonlySet<ChannelKey>): void {
    for (const key of [...this.channels.keys()]) if (!keep.has(key)) this.delete(key);
  }

  /** Every channel the index holds. */
  all(): IterableIterator<Channel> {
    return this.channels.values();
  }

  /** Forgets a channel (its record moved or was deleted). */
  delete(key: ChannelKey): void {
    const old = this.channels.get(key);
    if (!old) return;
    this.leaveGroups(old);
    this.countNames(old.watches, -1);
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
    const out = new Set<NormalizedName>();
    for (const [name, groups] of this.groupsByName) if (groups.some((g) => g.channels.some(wants))) out.add(name);
    for (const key of this.paused) {
      const c = this.channels.get(key)!;
      if (wants(c)) for (const w of c.watches) out.add(this.names.get(w.name)?.name ?? w.name);
    }
    return [...out];
  }

  /** The groups of active channels watching `name` (see WatchGroup). */
  groups(name: NormalizedName): readonly WatchGroup[] {
    return this.groupsByName.get(name) ?? [];
  }

  /**
   * The active channels watching `name` that want look-alike warnings, in at most two groups
   * (muting or not): made when a warning first needs them and kept until that name's groups
   * change, so a name with no look-alike costs nothing.
   */
  lookalikeGroups(name: NormalizedName): readonly WatchGroup[] {
    let found = this.lookalikeGroupsOf.get(name);
    if (!found) this.lookalikeGroupsOf.set(name, (found = this.makeLookalikeGroups(name)));
    return found;
  }

  private makeLookalikeGroups(name: NormalizedName): WatchGroup[] {
    const out: WatchGroup[] = [];
    for (const muting of [false, true]) {
      const channels: Channel[] = [];
      const slots: number[] = [];
      for (const g of this.groups(name)) {
        if (g.muting !== muting) continue;
        for (let i = 0; i < g.channels.length; i++) {
          if (!g.channels[i]!.lookalikes) continue;
          channels.push(g.channels[i]!);
          slots.push(g.slots[i]!);
        }
      }
      if (channels.length > 0) out.push({ specKey: "", settings: muting ? "muting" : "", name, specifiers: [], severity: "any", fixedOnly: false, kevOnly: false, epssFloor: 0, muting, channels, slots });
    }
    return out;
  }

  /** Channels watching `name` (each once), paused ones too; their watches of it are in `channel(key).watches`. */
  watchers(name: NormalizedName): ChannelKey[] {
    const out = this.groups(name).flatMap((g) => g.channels.map((c) => c.key));
    for (const key of this.paused) if (this.channels.get(key)!.watches.some((w) => w.name === name)) out.push(key);
    return out;
  }
}

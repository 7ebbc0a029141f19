import type { StoredAdvisory } from "../advisory/diff.js";
import type { NormalizedName } from "../advisory/names.js";
import { meetsFloor, severityOf } from "../advisory/severity.js";
import { isMutedFor, type Channel } from "../channel.js";
import { isMaliciousId } from "../advisory/ids.js";
import { affects, type Effect } from "./affects.js";
import type { Watch } from "./specifiers.js";
import type { WatchGroup, WatchIndexView } from "./watch-index.js";

/** Exploitation floors: unknown signals pass, like an unrated severity; malicious packages always pass. */
function meetsSignals(floors: { readonly kevOnly: boolean; readonly epssFloor: number }, stored: StoredAdvisory, malicious: boolean): boolean {
  if (malicious) return true;
  if (floors.kevOnly && !stored.kev) return false;
  return stored.epss === undefined || stored.epss >= floors.epssFloor;
}

/** The channels that get one answer: the same watch and effect (and look-alike, for a typosquat warning). */
export interface MatchGroup {
  readonly watch: Watch;
  readonly effect: Effect;
  readonly channels: readonly Channel[];
  /** Set for a typosquat warning: the malicious name that was published, and the watched name it imitates. */
  readonly lookalike?: { readonly published: string; readonly watched: string };
}

/**
 * Every channel an advisory concerns (one per channel), after severity floors, mutes, fixed-only
 * and pauses, handed over a group at a time: each group of channels that watch the package alike
 * (WatchGroup) is evaluated once, and its channels are passed on as they are unless some mute.
 */
export function forEachMatchGroup(stored: StoredAdvisory, index: WatchIndexView, now: Date, visit: (g: MatchGroup) => void): void {
  const rating = severityOf(stored.advisory).rating;
  const names = new Set(stored.advisory.affected.flatMap((a) => (a.package ? [a.package.name as NormalizedName] : [])));
  const ids = [stored.advisory.id, ...stored.advisory.aliases];
  const malicious = isMaliciousId(stored.advisory.id);
  // One match per channel: only needed when several names (or look-alikes) could reach a channel twice.
  const track = names.size > 1 || malicious;
  const seen = track ? index.visits() : undefined;
  const muted = (channel: Channel, pkg: string, fixed: boolean) => channel.mutes.length > 0 && isMutedFor(channel, ids, pkg, now, fixed);
  /** A group's channels as they are, or without those already reached and those that mute this (`fixed`: a fix is out for `pkg`). */
  const pass = (g: WatchGroup, pkg: string, fixed: boolean): readonly Channel[] => {
    if (!g.muting && !seen) return g.channels;
    // Usually no channel of the group was reached before: mark them all and pass the group's own array.
    if (!g.muting && seen) {
      const slots = g.slots;
      let fresh = true;
      for (let i = 0; i < slots.length && fresh; i++) fresh = !seen.has(slots[i]!);
      if (fresh) {
        for (let i = 0; i < slots.length; i++) seen.add(slots[i]!);
        return g.channels;
      }
    }
    const out: Channel[] = [];
    const { channels, slots } = g;
    for (let i = 0; i < channels.length; i++) {
      const c = channels[i]!;
      if (g.muting && muted(c, pkg, fixed)) continue;
      if (seen) {
        const slot = slots[i]!;
        if (seen.has(slot)) continue;
        seen.add(slot);
      }
      out.push(c);
    }
    return out;
  };
  for (const name of names) {
    // Thousands of channels share a handful of specifiers for a popular package: evaluate each once.
    const effects = new Map<string, Effect>();
    const effectOf = (specifier: string) => {
      let e = effects.get(specifier);
      if (!e) effects.set(specifier, (e = affects(stored.advisory, { name, specifier })));
      return e;
    };
    for (const g of index.groups(name)) {
      if (!meetsFloor(rating, g.severity) || !meetsSignals(g, stored, malicious)) continue;
      // The channel's first watch of the package that the advisory affects (an advisory that names
      // the package without stating versions is still worth a line in chat).
      const specifier = g.specifiers.find((sp) => {
        const e = effectOf(sp);
        return (e.affected || e.unstated) && !(g.fixedOnly && e.fixed.length === 0 && !malicious);
      });
      if (specifier === undefined) continue;
      const channels = pass(g, name, effectOf(specifier).fixed.length > 0);
      if (channels.length > 0) visit({ watch: { name, specifier }, effect: effectOf(specifier), channels });
    }
  }
  if (malicious && !stored.advisory.withdrawn) {
    for (const published of names) {
      const watch = { name: published, specifier: "" };
      const effect = affects(stored.advisory, watch);
      for (const watched of index.lookalikes(published)) {
        const lookalike = { published, watched };
        for (const g of index.lookalikeGroups(watched)) {
          const channels = pass(g, watched, effect.fixed.length > 0);
          if (channels.length > 0) visit({ watch, effect, channels, lookalike });
        }
      }
    }
  }
}

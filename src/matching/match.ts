import type { StoredAdvisory } from "../advisory/diff.js";
import type { NormalizedName } from "../advisory/names.js";
import { meetsFloor, severityOf } from "../advisory/severity.js";
import { isMutedFor, type Channel } from "../channel.js";
import { isMaliciousId } from "../advisory/ids.js";
import { affects, type Effect } from "./affects.js";
import type { Watch } from "./specifiers.js";
import type { WatchIndex } from "./watch-index.js";
import { lookalikesOf } from "./lookalike.js";

export interface Match {
  readonly channel: Channel;
  readonly watch: Watch;
  readonly effect: Effect;
  /** Set for a typosquat warning: the malicious name that was published, and the watched name it imitates. */
  readonly lookalike?: { readonly published: string; readonly watched: string };
}

/** Exploitation floors: unknown signals pass, like an unrated severity; malicious packages always pass. */
function meetsSignals(channel: Channel, stored: StoredAdvisory, malicious: boolean): boolean {
  if (malicious) return true;
  if (channel.kevOnly && !stored.kev) return false;
  return stored.epss === undefined || stored.epss >= channel.epssFloor;
}

/** Every channel an advisory concerns (one match per channel), after severity floors, mutes, fixed-only and pauses. */
export function matchAdvisory(stored: StoredAdvisory, index: WatchIndex, now: Date): Match[] {
  const rating = severityOf(stored.advisory).rating;
  const names = new Set(stored.advisory.affected.flatMap((a) => (a.package ? [a.package.name as NormalizedName] : [])));
  const out: Match[] = [];
  const ids = [stored.advisory.id, ...stored.advisory.aliases];
  const malicious = isMaliciousId(stored.advisory.id);
  // One match per channel: only needed when several names (or look-alikes) could reach a channel twice.
  const seen = new Set<string>();
  const track = names.size > 1 || malicious;
  const muted = (channel: Channel, pkg: string) => channel.mutes.length > 0 && isMutedFor(channel, ids, pkg, now);
  for (const name of names) {
    // Thousands of channels share a handful of specifiers for a popular package: evaluate each once.
    const effects = new Map<string, Effect>();
    for (const key of index.watchers(name)) {
      if (track && seen.has(key)) continue;
      const channel = index.channel(key);
      if (!channel || channel.paused || !meetsFloor(rating, channel.severity) || !meetsSignals(channel, stored, malicious) || muted(channel, name)) continue;
      for (const watch of channel.watches) {
        if (watch.name !== name) continue;
        let effect = effects.get(watch.specifier);
        if (!effect) effects.set(watch.specifier, (effect = affects(stored.advisory, watch)));
        // An advisory that names the package without stating versions is still worth a line in chat.
        if (!effect.affected && !effect.unstated) continue;
        if (channel.fixedOnly && effect.fixed.length === 0 && !malicious) continue;
        out.push({ channel, watch, effect });
        if (track) seen.add(key);
        break;
      }
    }
  }
  if (malicious && !stored.advisory.withdrawn) {
    for (const published of names) {
      const watch = { name: published, specifier: "" };
      const effect = affects(stored.advisory, watch);
      for (const watched of lookalikesOf(published, index.similarNames(published))) {
        const lookalike = { published, watched };
        for (const key of index.watchers(watched)) {
          const channel = index.channel(key);
          if (seen.has(key) || !channel || channel.paused || !channel.lookalikes) continue;
          if (muted(channel, watched)) continue;
          out.push({ channel, watch, effect, lookalike });
          seen.add(key);
        }
      }
    }
  }
  return out;
}

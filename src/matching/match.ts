import type { StoredAdvisory } from "../advisory/diff.js";
import type { NormalizedName } from "../advisory/names.js";
import { meetsFloor, severityOf } from "../advisory/severity.js";
import { isMutedFor, type Channel } from "../channel.js";
import { isMaliciousId } from "../advisory/ids.js";
import { affects, type Effect } from "./affects.js";
import type { Watch } from "./specifiers.js";
import type { WatchIndex } from "./watch-index.js";

export interface Match {
  readonly channel: Channel;
  readonly watch: Watch;
  readonly effect: Effect;
}

/** Every channel an advisory concerns (one match per channel), after severity floors, mutes, fixed-only and pauses. */
export function matchAdvisory(stored: StoredAdvisory, index: WatchIndex, now: Date): Match[] {
  const rating = severityOf(stored.advisory).rating;
  const names = new Set(stored.advisory.affected.flatMap((a) => (a.package ? [a.package.name as NormalizedName] : [])));
  const out: Match[] = [];
  const seen = new Set<string>();
  for (const name of names) {
    for (const [key, watches] of index.watchers(name)) {
      if (seen.has(key)) continue;
      const channel = index.channel(key);
      if (!channel || channel.paused || !meetsFloor(rating, channel.severity)) continue;
      if (isMutedFor(channel, [stored.advisory.id, ...stored.advisory.aliases], name, now)) continue;
      for (const watch of watches) {
        const effect = affects(stored.advisory, watch);
        if (!effect.affected) continue;
        if (channel.fixedOnly && effect.fixed.length === 0 && !isMaliciousId(stored.advisory.id)) continue;
        out.push({ channel, watch, effect });
        seen.add(key);
        break;
      }
    }
  }
  return out;
}

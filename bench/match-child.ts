// Matches the whole generated mirror against 1,000,000 watches through the inverted index, and a
// sample of advisories by a naive scan over every channel; prints times and peak RSS as JSON.
import { performance } from "node:perf_hooks";
import type { StoredAdvisory } from "../src/advisory/diff.js";
import { toAdvisory } from "../src/advisory/osv-schema.js";
import type { NormalizedName } from "../src/advisory/names.js";
import { meetsFloor, severityOf } from "../src/advisory/severity.js";
import { isMutedFor, type Channel } from "../src/channel.js";
import { isMaliciousId } from "../src/advisory/ids.js";
import { affects, type Effect } from "../src/matching/affects.js";
import { lookalikesOf } from "../src/matching/lookalike.js";
import type { Watch } from "../src/matching/specifiers.js";
import { forEachMatchGroup } from "../src/matching/match.js";
import { WatchIndex } from "../src/matching/watch-index.js";
import { generateChannels, generateRecords } from "./generate.js";

const stored: StoredAdvisory[] = generateRecords().map((r) => ({ v: 1, advisory: toAdvisory(r), revision: 1, fingerprint: "", firstSeen: "" }));
const channels = generateChannels();
const now = new Date();
const built = performance.now();
const index = WatchIndex.from(channels);
const buildMs = performance.now() - built;
const started = performance.now();
let matches = 0;
// Each group of channels that watch a package alike is evaluated once; its channels are counted, not copied.
for (const s of stored) forEachMatchGroup(s, index, now, (g) => (matches += g.channels.length));
const indexedMs = performance.now() - started;

// The per-channel evaluation this replaced, for the ratio: every watcher's settings and watches
// checked and a Match made for each, on a sample of advisories.
function perChannel(s: StoredAdvisory): number {
  const rating = severityOf(s.advisory).rating;
  const out: { channel: Channel; watch: Watch; effect: Effect }[] = [];
  for (const name of new Set(s.advisory.affected.flatMap((a) => (a.package ? [a.package.name as NormalizedName] : [])))) {
    const effects = new Map<string, Effect>();
    for (const key of index.watchers(name)) {
      const channel = index.channel(key);
      if (!channel || channel.paused || !meetsFloor(rating, channel.severity) || (channel.mutes.length > 0 && isMutedFor(channel, [s.advisory.id], name, now))) continue;
      for (const watch of channel.watches) {
        if (watch.name !== name) continue;
        let effect = effects.get(watch.specifier);
        if (!effect) effects.set(watch.specifier, (effect = affects(s.advisory, watch)));
        if (!effect.affected && !effect.unstated) continue;
        out.push({ channel, watch, effect });
        break;
      }
    }
  }
  if (isMaliciousId(s.advisory.id)) {
    const seen = new Set(out.map((m) => m.channel.key));
    for (const a of s.advisory.affected) {
      const published = a.package?.name;
      if (!published) continue;
      const watch = { name: published as NormalizedName, specifier: "" };
      const effect = affects(s.advisory, watch);
      for (const watched of lookalikesOf(published, index.similarNames(published))) {
        for (const key of index.watchers(watched)) {
          const channel = index.channel(key);
          if (!channel || seen.has(key) || channel.paused || !channel.lookalikes) continue;
          out.push({ channel, watch, effect });
          seen.add(key);
        }
      }
    }
  }
  return out.length;
}
// Both ways on the same sample (every 10th advisory), so the ratio compares like with like.
const sample = stored.filter((_, i) => i % 10 === 0);
const perChannelStarted = performance.now();
let perChannelMatches = 0;
for (const s of sample) perChannelMatches += perChannel(s);
const perChannelPerAdvisory = (performance.now() - perChannelStarted) / sample.length;
const groupedStarted = performance.now();
let groupedMatches = 0;
for (const s of sample) forEachMatchGroup(s, index, now, (g) => (groupedMatches += g.channels.length));
const groupedPerAdvisory = (performance.now() - groupedStarted) / sample.length;

const SAMPLE = 100;
const naiveStarted = performance.now();
let naiveMatches = 0;
for (const s of stored.slice(0, SAMPLE)) {
  for (const c of channels) {
    for (const w of c.watches) {
      if (affects(s.advisory, w).affected) {
        naiveMatches++;
        break;
      }
    }
  }
}
const naivePerAdvisory = (performance.now() - naiveStarted) / SAMPLE;
process.stdout.write(JSON.stringify({ buildMs, indexedMs, matches, perChannelPerAdvisoryMs: perChannelPerAdvisory, perChannelMatches, groupedPerAdvisoryMs: groupedPerAdvisory, groupedMatches, naivePerAdvisoryMs: naivePerAdvisory, indexedPerAdvisoryMs: indexedMs / stored.length, naiveMatches, maxRssMb: process.resourceUsage().maxRSS / 1024 }));

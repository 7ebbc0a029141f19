// Matches the whole generated mirror against 1,000,000 watches through the inverted index, and a
// sample of advisories by a naive scan over every channel; prints times and peak RSS as JSON.
import { performance } from "node:perf_hooks";
import type { StoredAdvisory } from "../src/advisory/diff.js";
import { toAdvisory } from "../src/advisory/osv-schema.js";
import { affects } from "../src/matching/affects.js";
import { matchAdvisory } from "../src/matching/match.js";
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
for (const s of stored) matches += matchAdvisory(s, index, now).length;
const indexedMs = performance.now() - started;

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
process.stdout.write(JSON.stringify({ buildMs, indexedMs, matches, naivePerAdvisoryMs: naivePerAdvisory, indexedPerAdvisoryMs: indexedMs / stored.length, naiveMatches, maxRssMb: process.resourceUsage().maxRSS / 1024 }));

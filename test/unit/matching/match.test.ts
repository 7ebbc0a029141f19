// forEachMatchGroup against real records: who an advisory concerns, once each, a group at a time.
import { expect, it } from "vitest";
import type { StoredAdvisory } from "../../../src/advisory/diff.js";
import type { NormalizedName } from "../../../src/advisory/names.js";
import { toAdvisory, type Advisory } from "../../../src/advisory/osv-schema.js";
import { newChannel, type Channel } from "../../../src/channel.js";
import { forEachMatchGroup, type MatchGroup } from "../../../src/matching/match.js";
import { parseWatch } from "../../../src/matching/specifiers.js";
import { WatchIndex } from "../../../src/matching/watch-index.js";
import { pypaRecord, readFixture } from "../../helpers/fixtures.js";

const now = new Date("2026-12-01T12:00:00Z");
const stored = (advisory: Advisory, extra: Partial<StoredAdvisory> = {}): StoredAdvisory => ({ v: 1, advisory, revision: 1, fingerprint: "", firstSeen: "", ...extra });
const channel = (key: string, specs: string[], settings: Partial<Channel> = {}): Channel => ({ ...newChannel(key), watches: specs.map(parseWatch), ...settings });
const keysOf = (groups: MatchGroup[]) => groups.flatMap((g) => g.channels.map((c) => c.key)).sort();

function groupsFor(s: StoredAdvisory, index: WatchIndex): MatchGroup[] {
  const out: MatchGroup[] = [];
  forEachMatchGroup(s, index, now, (g) => out.push(g));
  return out;
}

// aiohttp PYSEC-2023-246: CVSS 3.1 7.5 (high), fixed in 3.8.6. requests PYSEC-2023-74: unrated, 2.3.0 to 2.31.0.
const aiohttp = stored(toAdvisory(pypaRecord("aiohttp", "PYSEC-2023-246")));
const requests = stored(toAdvisory(pypaRecord("requests", "PYSEC-2023-74")));

it("reaches affected pins and unpinned watches, not fixed pins, and each alike group in one visit", () => {
  const index = WatchIndex.from([
    channel("slack:A", ["aiohttp==3.8.5"]),
    channel("slack:B", ["aiohttp==3.8.5"]),
    channel("slack:C", ["aiohttp==3.8.6"]),
    channel("slack:D", ["aiohttp"]),
    channel("slack:E", ["requests"]),
  ]);
  const groups = groupsFor(aiohttp, index);
  expect(keysOf(groups)).toEqual(["slack:A", "slack:B", "slack:D"]);
  // A and B watch it alike: one evaluation, one visit with both.
  expect(groups.find((g) => g.watch.specifier === "==3.8.5")?.channels.map((c) => c.key).sort()).toEqual(["slack:A", "slack:B"]);
  expect(groups.find((g) => g.watch.specifier === "==3.8.5")?.effect.fixed).toEqual(["3.8.6"]);
});

it("applies severity floors, fixed-only, exploitation floors, mutes and pauses", () => {
  const index = WatchIndex.from([
    channel("slack:high", ["aiohttp"], { severity: "high" }),
    channel("slack:critical", ["aiohttp"], { severity: "critical" }),
    channel("slack:kev", ["aiohttp"], { kevOnly: true }),
    channel("slack:epss", ["aiohttp"], { epssFloor: 0.5 }),
    channel("slack:muted", ["aiohttp"], { mutes: [{ kind: "advisory", target: "PYSEC-2023-246" }] }),
    channel("slack:lapsed", ["aiohttp"], { mutes: [{ kind: "package", target: "aiohttp", until: "2026-11-30T00:00:00Z" }] }),
    channel("slack:paused", ["aiohttp"], { paused: { at: "2026-11-01T00:00:00Z", reason: "bot removed" } }),
    channel("slack:fixed-only", ["requests"], { fixedOnly: true }),
    channel("slack:plain", ["requests"]),
  ]);
  expect(keysOf(groupsFor(stored(aiohttp.advisory, { epss: 0.2 }), index))).toEqual(["slack:high", "slack:lapsed"]);
  expect(keysOf(groupsFor(stored(aiohttp.advisory, { kev: true, epss: 0.9 }), index))).toEqual(["slack:epss", "slack:high", "slack:kev", "slack:lapsed"]);
  // An unrated advisory passes every severity floor; requests has a fixed version, so fixed-only hears it.
  expect(keysOf(groupsFor(requests, index))).toEqual(["slack:fixed-only", "slack:plain"]);
  const unfixed = stored({ ...requests.advisory, affected: requests.advisory.affected.map((a) => ({ ...a, ranges: [{ type: "ECOSYSTEM", events: [{ kind: "introduced" as const, version: "0" }] }], versions: [] })) });
  expect(keysOf(groupsFor(unfixed, index))).toEqual(["slack:plain"]);
});

it("reaches a channel once when an advisory names several packages it watches", () => {
  const both = stored({ ...aiohttp.advisory, affected: [...aiohttp.advisory.affected, ...requests.advisory.affected] });
  const index = WatchIndex.from([channel("slack:A", ["aiohttp", "requests"]), channel("slack:B", ["requests"])]);
  expect(groupsFor(both, index).flatMap((g) => g.channels.map((c) => `${c.key} ${g.watch.name}`)).sort()).toEqual(["slack:A aiohttp", "slack:B requests"]);
});

it("warns channels watching a name one edit from a published malicious package, unless they opted out", () => {
  const mal = toAdvisory(JSON.parse(readFixture("malicious", "osv", "malicious", "pypi", "191239aa", "MAL-2024-4722.json")) as Record<string, unknown>);
  // The same malicious record published as "reqests": one deletion from "requests".
  const typo = stored({ ...mal, affected: mal.affected.map((a) => ({ ...a, package: { ...a.package!, name: "reqests" as NormalizedName } })) });
  const index = WatchIndex.from([
    channel("slack:A", ["requests==2.31.0"]),
    channel("slack:B", ["requests"], { lookalikes: false }),
    channel("slack:C", ["requests"], { mutes: [{ kind: "package", target: "requests" }] }),
    channel("slack:D", ["flask"]),
  ]);
  const groups = groupsFor(typo, index);
  expect(keysOf(groups)).toEqual(["slack:A"]);
  expect(groups[0]?.lookalike).toEqual({ published: "reqests", watched: "requests" });
});

it("an until-fixed mute holds while the advisory has no fixed version, and lapses once one is out", () => {
  const index = WatchIndex.from([
    channel("slack:until-fixed", ["requests==2.28.1"], { mutes: [{ kind: "advisory", target: "PYSEC-2023-74", untilFixed: true }] }),
    channel("slack:plain", ["requests==2.28.1"]),
  ]);
  const unfixed = stored({ ...requests.advisory, affected: requests.advisory.affected.map((a) => ({ ...a, ranges: [{ type: "ECOSYSTEM", events: [{ kind: "introduced" as const, version: "0" }] }], versions: [] })) });
  expect(keysOf(groupsFor(unfixed, index))).toEqual(["slack:plain"]);
  // The record gains its fix (2.31.0): the mute no longer holds, and the channel hears it.
  expect(keysOf(groupsFor(requests, index))).toEqual(["slack:plain", "slack:until-fixed"]);
});

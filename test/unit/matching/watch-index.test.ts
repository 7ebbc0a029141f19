import { expect, it } from "vitest";
import { newChannel, type Channel } from "../../../src/channel.js";
import { parseWatch } from "../../../src/matching/specifiers.js";
import { WatchIndex, type WatchIndexView } from "../../../src/matching/watch-index.js";

const channel = (key: string, ...specs: string[]): Channel => ({ ...newChannel(key), watches: specs.map(parseWatch) });

it("keeps each channel once per watched name, and follows changes, removals and a reload", () => {
  const fromStore = JSON.parse(JSON.stringify([channel("slack:A", "django>=4.2", "django<3", "flask"), channel("slack:B", "django"), channel("slack:C", "flask")])) as Channel[];
  const index = WatchIndex.from(fromStore);
  expect([...index.watchers("django" as never)].sort()).toEqual(["slack:A", "slack:B"]);
  expect([...index.watchers("flask" as never)].sort()).toEqual(["slack:A", "slack:C"]);
  expect(index.channel("slack:A")?.watches.map((w) => w.specifier)).toEqual([">=4.2", "<3", ""]);

  index.set(channel("slack:A", "requests"));
  expect(index.watchers("django" as never)).toEqual(["slack:B"]);
  expect(index.watchers("flask" as never)).toEqual(["slack:C"]);
  expect(index.watchers("requests" as never)).toEqual(["slack:A"]);
  index.delete("slack:B");
  expect(index.watchers("django" as never)).toEqual([]);
  expect(index.similarNames("djangoo")).toEqual([]);
  expect(index.similarNames("flasks")).toEqual(["flask"]);
  index.set(channel("slack:C", "flask"));
  index.retain(new Set(["slack:C"]));
  expect(index.channel("slack:A")).toBeUndefined();
  expect(index.watchers("requests" as never)).toEqual([]);
  expect(index.watchers("flask" as never)).toEqual(["slack:C"]);
});

it("groups channels that watch a package alike, and moves a channel when its watches or settings change", () => {
  const groups = (index: WatchIndex, name: string) => [...index.groups(name as never)].map((g) => `${g.specifiers.join("+")}|${g.severity}:${g.channels.map((c) => c.key).sort().join(",")}`).sort();
  const index = WatchIndex.from([channel("slack:A", "django>=4"), channel("slack:B", "django>=4"), channel("slack:C", "django>=4", "django<3"), { ...channel("slack:D", "django>=4"), severity: "high" }]);
  expect(groups(index, "django")).toEqual([">=4+<3|any:slack:C", ">=4|any:slack:A,slack:B", ">=4|high:slack:D"]);
  index.set({ ...channel("slack:A", "django>=4"), severity: "high" });
  expect(groups(index, "django")).toEqual([">=4+<3|any:slack:C", ">=4|any:slack:B", ">=4|high:slack:A,slack:D"]);
  index.set({ ...channel("slack:B", "django>=4"), paused: { at: "2026-01-01", reason: "gone" } });
  index.delete("slack:C");
  expect(groups(index, "django")).toEqual([">=4|high:slack:A,slack:D"]);
  expect([...index.lookalikeGroups("django" as never)].flatMap((g) => g.channels.map((c) => c.key)).sort()).toEqual(["slack:A", "slack:D"]);
  // Kept once made, and made again when a channel of that name changes.
  expect(index.lookalikeGroups("django" as never)).toBe(index.lookalikeGroups("django" as never));
  index.set({ ...channel("slack:D", "django>=4"), severity: "high", lookalikes: false });
  expect([...index.lookalikeGroups("django" as never)].flatMap((g) => g.channels.map((c) => c.key))).toEqual(["slack:A"]);
  // A deleted channel's slot is reused; marks of one fan-out never leak into the next.
  index.set(channel("slack:E", "django"));
  const first = index.visits();
  first.add(0);
  expect(first.has(0)).toBe(true);
  const second = index.visits();
  expect(second.has(0)).toBe(false);
});

it("everyone but the channel service holds a read-only view: a write through it does not type-check", () => {
  const view: WatchIndexView = new WatchIndex();
  // @ts-expect-error set is no part of the view (npm test's type check fails if it ever becomes one)
  const write = view.set;
  // @ts-expect-error nor is delete
  const remove = view.delete;
  expect([typeof write, typeof remove]).toEqual(["function", "function"]); // there at run time: the type keeps writers out
});

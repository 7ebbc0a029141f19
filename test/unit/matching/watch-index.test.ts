import { expect, it } from "vitest";
import { newChannel, type Channel } from "../../../src/channel.js";
import { parseWatch } from "../../../src/matching/specifiers.js";
import { WatchIndex } from "../../../src/matching/watch-index.js";

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
  index.sync([channel("slack:C", "flask")]);
  expect(index.channel("slack:A")).toBeUndefined();
  expect(index.watchers("requests" as never)).toEqual([]);
  expect(index.watchers("flask" as never)).toEqual(["slack:C"]);
});

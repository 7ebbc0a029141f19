import { compare, valid } from "@renovatebot/pep440";
import { expect, it } from "vitest";
import { contains, type Interval } from "../../../src/matching/intervals.js";
import { allOsvRecords } from "../../helpers/fixtures.js";

const point = (v: string): Interval => ({ lower: { version: v, inclusive: true }, upper: { version: v, inclusive: true } });

it("a pin contains exactly the versions PEP 440 orders equal to it, spelled any way", () => {
  const spellings = ["1.0", "1", "1.0.0", "v1.0", "V1.0.0", " 1.0", "01.00", "1.0.0.0.0", "0!1.0", "1!1.0", "1.0rc1", "1.0.post1", "1.0.dev0", "1.0+local", "1.01", "10", "1.0.1", "2.0"].filter((v) => valid(v) !== null);
  expect(spellings.length).toBeGreaterThan(14);
  for (const pin of spellings) {
    for (const v of spellings) expect(contains(point(pin), v), `${pin} vs ${v}`).toBe(compare(v, pin) === 0);
  }
});

it("agrees with the library on every version the fixture records list, pinned to their neighbours", () => {
  const versions = [...new Set(allOsvRecords().flatMap((r) => ((r["affected"] as { versions?: string[] }[] | undefined) ?? []).flatMap((a) => a.versions ?? [])))].filter((v) => {
    try {
      compare(v, v);
      return true;
    } catch {
      return false;
    }
  });
  expect(versions.length).toBeGreaterThan(1000);
  for (let i = 0; i + 1 < versions.length; i += 3) {
    const [a, b] = [versions[i]!, versions[i + 1]!];
    expect(contains(point(a), b), `${a} vs ${b}`).toBe(compare(b, a) === 0);
    expect(contains(point(a), a)).toBe(true);
  }
});

import { describe, expect, it } from "vitest";
import { parseOsvJson, parsePypaYaml, type Advisory } from "../../../src/advisory/osv-schema.js";
import { affects } from "../../../src/matching/affects.js";
import { affectedSet, isAffected } from "../../../src/matching/ranges.js";
import { parseWatch } from "../../../src/matching/specifiers.js";
import { readFixture } from "../../helpers/fixtures.js";

const pypa = (pkg: string, id: string) => parsePypaYaml(readFixture("pypa", "vulns", pkg, `${id}.yaml`));
const affected = (a: Advisory, v: string) => isAffected(affectedSet(a.affected[0]!), v);

function synthetic(events: object[], versions: string[] = []): Advisory {
  return parseOsvJson(JSON.stringify({
    id: "TEST-1", modified: "2024-01-01T00:00:00Z",
    affected: [{ package: { ecosystem: "PyPI", name: "pkg" }, ranges: [{ type: "ECOSYSTEM", events }], versions }],
  }));
}

describe("OSV range evaluation for PyPI", () => {
  it("walks several introduced/fixed pairs (django PYSEC-2011-1)", () => {
    const a = pypa("django", "PYSEC-2011-1");
    expect(["1.0", "1.2.6", "1.3", "1.3.0"].map((v) => affected(a, v))).toEqual([true, true, true, true]);
    expect(["1.2.7", "1.2.8", "1.3.1", "4.2"].map((v) => affected(a, v))).toEqual([false, false, false, false]);
  });

  it("treats last_affected as inclusive (py PYSEC-2022-42969, the only one in the database)", () => {
    const a = pypa("py", "PYSEC-2022-42969");
    expect(affected(a, "1.11.0")).toBe(true);
    expect(affected(a, "1.11")).toBe(true); // 1.11 == 1.11.0 in PEP 440
    expect(affected(a, "1.11.1")).toBe(false);
  });

  it("orders pre-, post- and dev-releases by PEP 440, never by string", () => {
    const beaker = pypa("beaker", "PYSEC-2012-1"); // fixed 1.6.5.post1
    expect(affected(beaker, "1.6.5")).toBe(true);
    expect(affected(beaker, "1.6.5.post1")).toBe(false);
    const hg = pypa("mercurial", "PYSEC-2016-28"); // fixed 3.8-rc == 3.8rc0
    expect(affected(hg, "3.8.dev1")).toBe(true);
    expect(affected(hg, "3.8rc0")).toBe(false);
    expect(affected(hg, "3.10")).toBe(false); // a string compare would say 3.10 < 3.8
    const django = pypa("django", "PYSEC-2015-18"); // fixed 1.8c1 == 1.8rc1
    expect(affected(django, "1.8b2")).toBe(true);
    expect(affected(django, "1.8rc1")).toBe(false);
  });

  it("handles epochs (synthetic: no real record has one)", () => {
    const a = synthetic([{ introduced: "1!0" }, { fixed: "1!2.0" }]);
    expect(affected(a, "5.0")).toBe(false); // epoch 0 sorts before every epoch-1 version
    expect(affected(a, "1!1.5")).toBe(true);
    expect(affected(a, "1!2.0")).toBe(false);
  });

  it("caps a range at its limit (exclusive)", () => {
    const a = synthetic([{ introduced: "0" }, { limit: "3.0" }]);
    expect(affected(a, "2.9")).toBe(true);
    expect(affected(a, "3.0")).toBe(false);
    const b = synthetic([{ introduced: "1.0" }, { fixed: "2.0" }, { introduced: "2.5" }, { limit: "2.7" }]);
    expect(["1.5", "2.2", "2.6", "2.8"].map((v) => affected(b, v))).toEqual([true, false, true, false]);
  });

  it("reads versions-only records (gratient PYSEC-2024-1)", () => {
    const a = pypa("gratient", "PYSEC-2024-1");
    const set = affectedSet(a.affected[0]!);
    expect(set.intervals).toEqual([]);
    expect(affected(a, "0.5")).toBe(true);
    expect(affected(a, "0.5.0")).toBe(true); // `versions` entries compare as PEP 440 versions
    expect(affected(a, "0.7")).toBe(false);
  });

  it("reports versions that are not PEP 440 and keeps the range open rather than guessing (binderhub)", () => {
    const a = pypa("binderhub", "PYSEC-2021-371");
    const set = affectedSet(a.affected[0]!);
    expect(set.invalid).toContain("0.2.0-n653");
    expect(affected(a, "1.0")).toBe(true);
    const effect = affects(a, parseWatch("binderhub==1.0"));
    expect(effect.invalid).toEqual(["0.2.0-n653"]);
  });

  it("normalizes implicit post-releases (ctx 0.1.2-1 is 0.1.2.post1)", () => {
    const a = pypa("ctx", "PYSEC-2022-199");
    expect(affected(a, "0.1.2.post1")).toBe(true);
  });

  it("ignores GIT ranges and honours withdrawn (aiohttp PYSEC-2022-43059)", () => {
    const a = pypa("aiohttp", "PYSEC-2022-43059");
    expect(a.withdrawn).toBeTruthy();
    expect(affects(a, parseWatch("aiohttp")).affected).toBe(false);
    const live = { ...a, withdrawn: undefined };
    expect(affects(live, parseWatch("aiohttp")).affected).toBe(true);
  });

  it("a record for another package affects nothing", () => {
    expect(affects(pypa("requests", "PYSEC-2023-74"), parseWatch("urllib3")).affected).toBe(false);
  });
});

// Merging the records of one vulnerability: a withdrawn member contributes nothing to what the
// advisory affects (the shape of PYSEC-2025-74, withdrawn for wrongly naming jinja2, sharing a CVE
// alias with PYSEC-2025-79 for nautobot).
import { describe, expect, it } from "vitest";
import { mergeRecords } from "../../../src/advisory/merge.js";
import { parseOsvJson, type Advisory } from "../../../src/advisory/osv-schema.js";
import { normalizeName } from "../../../src/advisory/names.js";
import { affects } from "../../../src/matching/affects.js";
import { parseWatch } from "../../../src/matching/specifiers.js";

function record(id: string, pkg: string, extra: Record<string, unknown> = {}): Advisory {
  return parseOsvJson(JSON.stringify({
    id, modified: "2025-03-01T00:00:00Z", published: "2025-02-01T00:00:00Z", aliases: ["CVE-2025-1000"], summary: `${pkg} problem`,
    affected: [{ package: { ecosystem: "PyPI", name: pkg }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "9.0" }] }] }],
    ...extra,
  }));
}

const names = (a: Advisory) => a.affected.map((x) => x.package?.name);

describe("mergeRecords", () => {
  const wrongly = record("PYSEC-2025-74", "jinja2", { withdrawn: "2025-03-02T00:00:00Z", summary: "names the wrong package" });
  const active = record("PYSEC-2025-79", "nautobot");

  it("a withdrawn member names nothing affected, whichever record leads", () => {
    for (const canonical of ["PYSEC-2025-74", "PYSEC-2025-79"]) {
      const merged = mergeRecords(canonical, [wrongly, active]);
      expect(merged.withdrawn).toBeUndefined();
      expect(names(merged)).toEqual([normalizeName("nautobot")]);
      expect(merged.summary).toBe("nautobot problem");
      expect(affects(merged, parseWatch("jinja2==3.1.6")).affected).toBe(false);
      expect(affects(merged, parseWatch("nautobot==2.0")).affected).toBe(true);
      // Its ids still lead to the one advisory.
      expect([merged.id, ...merged.aliases].sort()).toEqual(["CVE-2025-1000", "PYSEC-2025-74", "PYSEC-2025-79"]);
    }
  });

  it("when every member is withdrawn the advisory is withdrawn (at the latest withdrawal) and affects nothing", () => {
    const both = mergeRecords("PYSEC-2025-74", [wrongly, { ...active, withdrawn: "2025-03-05T00:00:00Z" }]);
    expect(both.withdrawn).toBe("2025-03-05T00:00:00Z");
    expect(affects(both, parseWatch("nautobot==2.0")).affected).toBe(false);
  });

  it("unions what active members say", () => {
    const ghsa = record("GHSA-aaaa-bbbb-cccc", "nautobot", { aliases: ["CVE-2025-1000", "CVE-2025-1001"] });
    const merged = mergeRecords("PYSEC-2025-79", [active, ghsa]);
    expect(merged.aliases).toEqual(["CVE-2025-1000", "CVE-2025-1001", "GHSA-aaaa-bbbb-cccc"]);
    expect(names(merged)).toEqual(["nautobot"]);
  });
});

describe("an affected entry that states no versions", () => {
  // The shape of PYSEC-2025-75 (keras), PYSEC-2019-257 (exiv2), PYSEC-2024-261 (gradio): a package, no ranges, no versions.
  const versionless = parseOsvJson(JSON.stringify({ id: "PYSEC-2025-75", modified: "2025-03-01T00:00:00Z", affected: [{ package: { ecosystem: "PyPI", name: "keras" } }] }));

  it("affects no pinned version, and says it names the package without versions", () => {
    const effect = affects(versionless, parseWatch("keras==3.13.2"));
    expect(effect.affected).toBe(false);
    expect(effect.unstated).toBe(true);
    expect(effect.versions).toEqual(["versions not stated"]);
    expect(affects(versionless, parseWatch("tensorflow==2.0")).unstated).toBe(false);
  });

  it("next to an entry with ranges, only the ranges count", () => {
    const mixed = parseOsvJson(JSON.stringify({
      id: "PYSEC-2099-1", modified: "2025-03-01T00:00:00Z",
      affected: [{ package: { ecosystem: "PyPI", name: "keras" } }, { package: { ecosystem: "PyPI", name: "keras" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "3.0" }, { fixed: "3.5" }] }] }],
    }));
    expect(affects(mixed, parseWatch("keras==3.13.2"))).toMatchObject({ affected: false, unstated: false });
    expect(affects(mixed, parseWatch("keras==3.1"))).toMatchObject({ affected: true, versions: ["3.1"] });
  });
});

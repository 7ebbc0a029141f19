import { describe, expect, it } from "vitest";
import { InvalidRecordError, parseOsvJson, parsePypaYaml } from "../../../src/advisory/osv-schema.js";
import { readFixture } from "../../helpers/fixtures.js";

describe("OSV records in", () => {
  it("keeps unquoted YAML timestamps as the original strings", () => {
    const a = parsePypaYaml(readFixture("pypa", "vulns", "gratient", "PYSEC-2024-1.yaml"));
    expect(typeof a.modified).toBe("string");
    expect(a.modified).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(a.published).toBeUndefined();
    expect(a.affected[0]!.versions.length).toBeGreaterThan(0);
  });

  it("normalizes package names as osv.dev does", () => {
    const a = parsePypaYaml(readFixture("pypa", "vulns", "jw.util", "PYSEC-2020-341.yaml"));
    expect(a.affected[0]!.package!.name).toBe("jw-util");
  });

  it("reads ranges as typed events", () => {
    const a = parsePypaYaml(readFixture("pypa", "vulns", "requests", "PYSEC-2023-74.yaml"));
    const eco = a.affected[0]!.ranges.find((r) => r.type === "ECOSYSTEM")!;
    expect(eco.events).toEqual([{ kind: "introduced", version: "2.3.0" }, { kind: "fixed", version: "2.31.0" }]);
    expect(a.aliases).toContain("CVE-2023-32681");
  });

  it("drops a bad array element but keeps the record", () => {
    const a = parseOsvJson(JSON.stringify({
      id: "X-1", modified: "2024-01-01T00:00:00Z",
      affected: [{ package: { ecosystem: "PyPI", name: "a" }, ranges: [{ type: "ECOSYSTEM", events: [{ nonsense: 1 }, { introduced: "0" }] }, "junk"] }, 42],
    }));
    expect(a.affected).toHaveLength(1);
    expect(a.affected[0]!.ranges[0]!.events).toEqual([{ kind: "introduced", version: "0" }]);
  });

  it("rejects a record without id or modified, and text that is not JSON", () => {
    expect(() => parseOsvJson(JSON.stringify({ id: "X" }))).toThrow(InvalidRecordError);
    expect(() => parseOsvJson("{")).toThrow(/not JSON/);
    expect(() => parsePypaYaml("id: [unclosed")).toThrow(InvalidRecordError);
  });

  it("reads every real fixture record", () => {
    const a = parseOsvJson(readFixture("malicious", "osv", "malicious", "pypi", "0requests", "MAL-2026-15859.json"));
    expect(a.id).toBe("MAL-2026-15859");
    expect(a.modified).toBe("2026-09-04T00:47:46.156672516Z");
  });
});

import { describe, expect, it } from "vitest";
import { cvssScore, meetsFloor, ratingOf, severityOf } from "../../../src/advisory/severity.js";
import { parsePypaYaml } from "../../../src/advisory/osv-schema.js";
import { readFixture } from "../../helpers/fixtures.js";

describe("severity", () => {
  it("scores CVSS v3.1, v3.0, v4.0 and v2 vectors", () => {
    expect(cvssScore("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")).toBe(9.8);
    expect(cvssScore("CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N")).toBe(4.3);
    expect(cvssScore("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")).toBe(9.3);
    expect(cvssScore("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P")).toBe(7.5);
    expect(cvssScore("CVSS_V3", "CVSS:3.1/garbage")).toBeUndefined();
  });

  it("prefers v4 over v3 and rates by the CVSS bands", () => {
    const s = severityOf({
      severity: [
        { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
        { type: "CVSS_V4", score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N" },
      ],
      database_specific: undefined,
    });
    expect(s.from).toBe("cvss_v4");
    expect(s.rating).toBe("medium");
    expect([0, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(ratingOf)).toEqual(["none", "low", "medium", "medium", "high", "high", "critical", "critical"]);
  });

  it("falls back to database_specific.severity (GHSA's MODERATE is medium), then unknown", () => {
    expect(severityOf({ severity: [], database_specific: { severity: "MODERATE" } })).toEqual({ rating: "medium", from: "database" });
    expect(severityOf({ severity: [], database_specific: undefined }).rating).toBe("unknown");
  });

  it("rates a real PyPA record from its CVSS_V3 vector", () => {
    const a = parsePypaYaml(readFixture("pypa", "vulns", "urllib3", "PYSEC-2023-192.yaml"));
    const s = severityOf(a);
    expect(s.from).toBe("cvss_v3");
    expect(s.score).toBeGreaterThan(0);
  });

  it("applies a channel's floor; unknown always passes", () => {
    expect(meetsFloor("medium", "high")).toBe(false);
    expect(meetsFloor("critical", "high")).toBe(true);
    expect(meetsFloor("unknown", "critical")).toBe(true);
    expect(meetsFloor("low", "any")).toBe(true);
  });
});

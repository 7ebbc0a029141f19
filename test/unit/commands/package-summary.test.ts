import { expect, it } from "vitest";
import type { StoredAdvisory } from "../../../src/advisory/diff.js";
import { parseOsvJson } from "../../../src/advisory/osv-schema.js";
import { nothingKnownLine, smallestFix, summaryLine } from "../../../src/commands/package-summary.js";
import { affectingOf, formatFinding, naturalOrder } from "../../../src/lookup.js";
import { parseWatch } from "../../../src/matching/specifiers.js";

/** An OSV record for django: affected from `introduced` until each of `fixed` (one range per fix). */
function advisory(id: string, ranges: readonly [string, string | undefined][], score?: string): StoredAdvisory {
  const record = {
    id, modified: "2026-11-25T00:00:00Z", summary: `issue ${id}`,
    ...(score && { severity: [{ type: "CVSS_V3", score }] }),
    affected: [{ package: { ecosystem: "PyPI", name: "django" }, ranges: [{ type: "ECOSYSTEM", events: ranges.flatMap(([introduced, fixed]) => [{ introduced }, ...(fixed ? [{ fixed }] : [])]) }] }],
  };
  return { v: 1, advisory: parseOsvJson(JSON.stringify(record)), revision: 1, fingerprint: id, firstSeen: "2026-11-25T00:00:00Z" };
}

const CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const mirror = [
  advisory("PYSEC-2023-226", [["3.2", "3.2.20"], ["4.0", "4.1.10"]], CRITICAL),
  advisory("PYSEC-2023-61", [["3.0", "3.2.25"]]),
  advisory("GHSA-aaaa-bbbb-cccc", [["3.2", "3.2.4"]], CRITICAL),
  advisory("PYSEC-2024-1", [["0", "4.0rc1"]]),
];
const watch = (text: string) => parseWatch(text);

it("orders ids as people count them", () => {
  expect(["PYSEC-2023-226", "PYSEC-2023-61", "PYSEC-2023-9"].sort(naturalOrder)).toEqual(["PYSEC-2023-9", "PYSEC-2023-61", "PYSEC-2023-226"]);
});

it("one line per pinned package: counts, and the smallest release that fixes everything listed, never a pre-release", () => {
  const pin = watch("django==3.2.0");
  const found = affectingOf(mirror, pin);
  expect(found.map((f) => f.stored.advisory.id)).toEqual(["GHSA-aaaa-bbbb-cccc", "PYSEC-2023-226", "PYSEC-2023-61", "PYSEC-2024-1"]);
  // 4.0rc1 fixes PYSEC-2024-1 but is a pre-release; 3.2.25 is still inside PYSEC-2024-1's range;
  // 4.1.10 is the first release outside every range.
  expect(smallestFix(pin, found)).toBe("4.1.10");
  expect(summaryLine(pin, found)).toBe("django==3.2.0: 4 advisories, 2 critical → upgrade to 4.1.10");
  expect(summaryLine(pin, [...found, ...affectingOf([advisory("PYSEC-2025-5", [["1.0", undefined]])], pin)])).toBe("django==3.2.0: 5 advisories, 2 critical → no single release fixes them all yet");
  const withoutPre = found.filter((f) => f.stored.advisory.id !== "PYSEC-2024-1");
  expect(summaryLine(pin, withoutPre)).toBe("django==3.2.0: 3 advisories (GHSA-aaaa-bbbb-cccc, PYSEC-2023-61, PYSEC-2023-226), 2 critical → upgrade to 3.2.25");
  // A pre-release pin may be advised a pre-release.
  const pre = watch("django==3.9b1");
  expect(smallestFix(pre, affectingOf([mirror[3]!], pre))).toBe("4.0rc1");
});

it("a watch without a version: advisories affect some versions, and how to give yours", () => {
  expect(summaryLine(watch("django"), affectingOf(mirror, watch("django")))).toBe("django: 4 advisories, 2 critical affect some versions; to see whether yours is, give its version: watch django==<version> (or lookup django <version>).");
  expect(summaryLine(watch("django>=4.0,<5"), affectingOf(mirror, watch("django>=4.0,<5")))).toBe("django>=4.0,<5: 1 advisory (PYSEC-2023-226), 1 critical affects some versions in this range; to see whether yours is, give its version: watch django==<version> (or lookup django <version>).");
  expect(nothingKnownLine([watch("flask"), watch("requests==2.31.0")])).toBe("No known advisory affects flask, requests==2.31.0.");
});

it("affected shows the pin as it was written", () => {
  const [f] = affectingOf([mirror[1]!], watch("django==3.2"));
  expect(formatFinding(f!, "3.2")).toContain("affected: 3.2 —");
});

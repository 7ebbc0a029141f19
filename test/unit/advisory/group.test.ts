import { expect, it } from "vitest";
import type { StoredAdvisory } from "../../../src/advisory/diff.js";
import { groupRecord } from "../../../src/advisory/group.js";
import { parseOsvJson } from "../../../src/advisory/osv-schema.js";

const stored = (id: string, firstSeen: string, members?: string[]): StoredAdvisory => ({
  v: 1, advisory: parseOsvJson(JSON.stringify({ id, modified: "2026-01-01T00:00:00Z" })), revision: 1, fingerprint: id, firstSeen, ...(members && { members }),
});

it("a record reaching nothing starts its own advisory", () => {
  expect(groupRecord("GHSA-aaaa-bbbb-cccc", [])).toEqual({ canonical: "GHSA-aaaa-bbbb-cccc", absorbed: [], members: ["GHSA-aaaa-bbbb-cccc"] });
});

it("joining several advisories: the oldest survives (then the smallest id), the others are absorbed with all their members", () => {
  const pysec = stored("PYSEC-2023-74", "2023-05-26T00:00:00Z", ["PYSEC-2023-74", "GHSA-j8r2-6x86-q33q"]);
  const psf = stored("PSF-2023-1", "2023-06-01T00:00:00Z");
  const twin = stored("PYSEC-2023-70", "2023-05-26T00:00:00Z");
  const g = groupRecord("CVE-2023-32681", [psf, pysec, twin]);
  expect(g.canonical).toBe("PYSEC-2023-70");
  expect(g.absorbed.map((a) => a.advisory.id)).toEqual(["PYSEC-2023-74", "PSF-2023-1"]);
  expect(g.members).toEqual(["PYSEC-2023-70", "PYSEC-2023-74", "GHSA-j8r2-6x86-q33q", "PSF-2023-1", "CVE-2023-32681"]);
  // A record already a member is listed once.
  expect(groupRecord("GHSA-j8r2-6x86-q33q", [pysec]).members).toEqual(["PYSEC-2023-74", "GHSA-j8r2-6x86-q33q"]);
});

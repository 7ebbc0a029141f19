// The idempotency core: what an incoming record means against the stored copy.
import { expect, it } from "vitest";
import { classify, fingerprint } from "../../../src/advisory/diff.js";
import { parseOsvJson, type Advisory } from "../../../src/advisory/osv-schema.js";

const now = new Date("2026-12-02T00:00:00Z");
const rec = (extra: Record<string, unknown> = {}): Advisory => parseOsvJson(JSON.stringify({
  id: "PYSEC-2099-1", modified: "2026-11-01T00:00:00Z", summary: "bad", aliases: ["CVE-2099-1"],
  affected: [{ package: { ecosystem: "PyPI", name: "demo" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.0" }] }] }],
  ...extra,
}));

it("new, then unchanged, then updated on a material change, then withdrawn; an older copy never wins", () => {
  const first = classify(undefined, rec(), now);
  expect(first).toMatchObject({ kind: "new", write: true, current: { revision: 1, pendingEvent: "new", firstSeen: now.toISOString() } });
  const stored = { ...first.current, pendingEvent: undefined };
  delete (stored as { pendingEvent?: unknown }).pendingEvent;
  // Only the modified time moved: stored again, announced to nobody.
  expect(classify(stored, rec({ modified: "2026-11-02T00:00:00Z", details: "more words" }), now)).toMatchObject({ kind: "unchanged", write: true, current: { revision: 1 } });
  expect(classify(stored, rec(), now)).toMatchObject({ kind: "unchanged", write: false });
  const fixed = classify(stored, rec({ modified: "2026-11-03T00:00:00Z", affected: [{ package: { ecosystem: "PyPI", name: "demo" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.5" }] }] }] }), now);
  expect(fixed).toMatchObject({ kind: "updated", current: { revision: 2, pendingEvent: "updated" } });
  expect(classify(stored, rec({ modified: "2026-11-04T00:00:00Z", withdrawn: "2026-11-04T00:00:00Z" }), now).kind).toBe("withdrawn");
  expect(classify(stored, rec({ modified: "2026-10-01T00:00:00Z", summary: "older" }), now)).toMatchObject({ kind: "unchanged", write: false, current: stored });
});

it("an interrupted fan-out is emitted again; seeding announces nothing; a record withdrawn when first seen is no news", () => {
  const pending = classify(undefined, rec(), now).current;
  expect(classify(pending, rec(), now)).toMatchObject({ kind: "new", write: false });
  expect(classify(undefined, rec(), now, true)).toMatchObject({ kind: "unchanged", write: true });
  expect(classify(undefined, rec({ withdrawn: "2026-11-01T00:00:00Z" }), now).kind).toBe("unchanged");
});

it("fingerprints: a new CVE alias is news, a member's own id, KEV and the severity are part of it, the details are not", () => {
  const base = fingerprint(rec());
  expect(fingerprint(rec({ details: "x" }))).toBe(base);
  expect(fingerprint(rec({ aliases: ["CVE-2099-1", "CVE-2099-2"] }))).not.toBe(base);
  expect(fingerprint(rec({ aliases: ["CVE-2099-1", "GHSA-aaaa-bbbb-cccc"] }))).toBe(base);
  expect(fingerprint(rec({ aliases: ["CVE-2099-1", "CVE-2099-2"] }), false, ["CVE-2099-2"])).toBe(base);
  expect(fingerprint(rec(), true)).not.toBe(base);
  expect(fingerprint(rec({ severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }] }))).not.toBe(base);
});

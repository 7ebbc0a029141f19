import { describe, expect, it } from "vitest";
import { newChannel, type Channel } from "../../../src/channel.js";
import { quietUntil, routeFor } from "../../../src/delivery/routing.js";
import { buildDigest } from "../../../src/render/digest.js";
import { lastDue } from "../../../src/scheduler/digest.js";
import type { DigestEntry } from "../../../src/store/ports/digests.js";
import { realNotification } from "../../helpers/notifications.js";

const at = (iso: string) => new Date(iso);
const digestChannel = (over: Partial<Channel>): Channel => ({ ...newChannel("console:d"), mode: "digest", ...over });

describe("digest due times", () => {
  it("keeps 09:00 local across the DST switch (Europe/Berlin, 29 March 2026)", () => {
    const c = digestChannel({ digestTime: "09:00", timezone: "Europe/Berlin" });
    expect(lastDue(c, at("2026-03-27T09:00:00Z"), at("2026-03-28T08:30:00Z"))?.toISOString()).toBe("2026-03-28T08:00:00.000Z"); // CET
    expect(lastDue(c, at("2026-03-28T08:00:00Z"), at("2026-03-29T07:30:00Z"))?.toISOString()).toBe("2026-03-29T07:00:00.000Z"); // CEST
    expect(lastDue(c, at("2026-03-28T08:00:00Z"), at("2026-03-29T06:59:00Z"))).toBeUndefined();
  });

  it.each([
    ["America/New_York", "08:30", "2026-11-25T13:30:00.000Z"],
    ["Asia/Tokyo", "09:00", "2026-11-25T00:00:00.000Z"],
    ["Asia/Kolkata", "18:15", "2026-11-25T12:45:00.000Z"],
    ["UTC", "23:59", "2026-11-24T23:59:00.000Z"],
  ])("in %s at %s", (timezone, digestTime, expected) => {
    const c = digestChannel({ timezone, digestTime });
    expect(lastDue(c, at("2026-11-24T14:00:00Z"), at("2026-11-25T14:00:00Z"))?.toISOString()).toBe(expected);
  });

  it("after days of downtime, one digest is due (the latest), not one per missed day", () => {
    const c = digestChannel({ digestTime: "09:00", timezone: "UTC" });
    expect(lastDue(c, at("2026-11-20T09:00:00Z"), at("2026-11-25T10:00:00Z"))?.toISOString()).toBe("2026-11-25T09:00:00.000Z");
  });

  it("weekly digests fall on their day", () => {
    const c = digestChannel({ digestTime: "09:00", timezone: "Europe/Berlin", digestDay: "mon" });
    expect(lastDue(c, at("2026-11-24T00:00:00Z"), at("2026-11-30T07:59:00Z"))).toBeUndefined();
    expect(lastDue(c, at("2026-11-24T00:00:00Z"), at("2026-11-30T08:00:00Z"))?.toISOString()).toBe("2026-11-30T08:00:00.000Z");
  });
});

describe("routing an alert", () => {
  const normal = realNotification();
  const malicious = realNotification({ malicious: true, advisoryId: "MAL-2026-1" });
  const critical = realNotification({ severity: { rating: "critical", score: 9.8, from: "cvss_v3" } });

  it("digest channels collect alerts; malicious and critical ones skip the digest unless the channel says otherwise", () => {
    const c = digestChannel({});
    expect(routeFor(c, normal, at("2026-11-25T10:00:00Z"))).toEqual({ kind: "digest" });
    expect(routeFor(c, malicious, at("2026-11-25T10:00:00Z"))).toEqual({ kind: "live" });
    expect(routeFor(c, critical, at("2026-11-25T10:00:00Z"))).toEqual({ kind: "live" });
    expect(routeFor({ ...c, urgent: "digest" }, malicious, at("2026-11-25T10:00:00Z"))).toEqual({ kind: "digest" });
  });

  it("quiet hours hold live alerts until the window ends, in the channel's timezone; malicious ones still go", () => {
    const c: Channel = { ...newChannel("console:q"), quiet: { from: "22:00", to: "07:00" }, timezone: "Europe/Berlin" };
    expect(quietUntil(c, at("2026-11-25T21:30:00Z"))?.toISOString()).toBe("2026-11-26T06:00:00.000Z"); // 22:30 local
    expect(quietUntil(c, at("2026-11-25T05:00:00Z"))?.toISOString()).toBe("2026-11-25T06:00:00.000Z"); // 06:00 local
    expect(quietUntil(c, at("2026-11-25T12:00:00Z"))).toBeUndefined();
    expect(routeFor(c, normal, at("2026-11-25T21:30:00Z"))).toEqual({ kind: "live", notBefore: at("2026-11-26T06:00:00Z") });
    expect(routeFor(c, malicious, at("2026-11-25T21:30:00Z"))).toEqual({ kind: "live" });
  });
});

describe("digest text", () => {
  const entry = (over: NonNullable<Parameters<typeof realNotification>[0]>): DigestEntry => {
    const n = realNotification({ ...over, ...(over.advisoryId && { url: `https://osv.dev/vulnerability/${over.advisoryId}` }) });
    return { advisoryId: n.advisoryId, revision: 1, notification: n, at: "2026-11-25T00:00:00Z" };
  };

  it("groups by package, most severe first, each entry with id, aliases, summary, versions and link", () => {
    const [text] = buildDigest([
      entry({ advisoryId: "A-1", package: "requests", severity: { rating: "low", score: 3, from: "cvss_v3" } }),
      entry({ advisoryId: "A-2", package: "django", severity: { rating: "critical", score: 9.8, from: "cvss_v3" } }),
      entry({ advisoryId: "A-3", package: "requests", severity: { rating: "high", score: 8, from: "cvss_v3" } }),
    ], "Digest", 100_000);
    expect(text!.split("\n")[0]).toBe("Digest: 3 advisories for 2 packages");
    expect(text!.indexOf("django")).toBeLessThan(text!.indexOf("\nrequests"));
    expect(text!.indexOf("A-3")).toBeLessThan(text!.indexOf("A-1"));
    expect(text).toContain("[CVE-2023-32681, GHSA-j8r2-6x86-q33q]");
    expect(text).toContain("affected: 2.28.1; fixed in 2.31.0");
    expect(text).toContain("https://osv.dev/vulnerability/A-2");
  });

  it("splits between entries to fit the platform, never inside one", () => {
    const entries = Array.from({ length: 30 }, (_, i) => entry({ advisoryId: `PYSEC-2099-${i}`, package: `pkg${i % 4}` }));
    const parts = buildDigest(entries, "Digest", 2000);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThan(10);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    const ids = parts.join("\n").match(/PYSEC-2099-\d+ \(/g);
    expect(ids).toHaveLength(30);
    // Every entry keeps its link line right after it: nothing was cut between a part's end and the next's start.
    for (const p of parts) {
      const lines = p.split("\n");
      lines.forEach((l, i) => l.startsWith("• ") && expect(lines[i + 1]).toMatch(/^ {2}https:\/\/osv\.dev\/vulnerability\/PYSEC-2099-\d+$/));
    }
  });

  it("says 'N more' only as a last resort", () => {
    const entries = Array.from({ length: 200 }, (_, i) => entry({ advisoryId: `PYSEC-2099-${i}` }));
    const parts = buildDigest(entries, "Digest", 800);
    expect(parts).toHaveLength(10);
    expect(parts.at(-1)).toMatch(/… and \d+ more \(use lookup for the rest\)$/);
  });
});

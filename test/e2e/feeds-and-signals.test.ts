import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeFeeds, type FakeFeeds, type FeedEntry } from "../fakes/psf-feeds.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { startFakeServer, type FakeServer } from "../fakes/fake-server.js";
import { allOsvRecords, pypaRecordAs, readFixture } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "../helpers/harness.js";

let bucket: FakeOsvBucket;
let feeds: FakeFeeds;
let priority: FakeServer;
let h: Harness;
let kev: { cveID: string; vendorProject: string; product: string; dateAdded: string }[] = [];
let epss = "";

beforeEach(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  feeds = await startFakeFeeds();
  kev = [{ cveID: "CVE-2021-44228", vendorProject: "Apache", product: "Log4j2", dateAdded: "2021-12-10" }];
  epss = "#model_version:v2025.03.14,score_date:2026-11-25T00:00:00+0000\ncve,epss,percentile\nCVE-2023-32681,0.06124,0.90542\nCVE-2099-0007,0.41,0.99\n";
  priority = await startFakeServer((req, res) => {
    if (req.url === "/kev.json") return res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ title: "CISA Catalog of Known Exploited Vulnerabilities", catalogVersion: "2026.11.25", count: kev.length, vulnerabilities: kev }));
    if (req.url === "/epss.csv") return res.writeHead(200, { "content-type": "text/csv" }).end(epss);
    return res.writeHead(404).end();
  });
  h = await startHarness(bucket.url, {
    SOURCES: "osv,feeds,priority",
    PSF_ANNOUNCE_FEED_URL: `${feeds.url}/archives/list/security-announce@python.org/feed/`,
    PYTHON_INSIDER_FEED_URL: `${feeds.url}/rss.xml`,
    KEV_URL: `${priority.url}/kev.json`,
    EPSS_URL: `${priority.url}/epss.csv`,
  });
  await h.poll("osv");
});

afterEach(async () => {
  await h.close();
  await priority.close();
  await feeds.close();
  await bucket.close();
});

const ANNOUNCE = "/archives/list/security-announce@python.org/feed/";
const announce = (n: number, extra: Partial<FeedEntry> = {}): FeedEntry => ({
  id: `https://mail.python.org/archives/list/security-announce@python.org/message/MSG${n}/`,
  title: `[Security-announce] [High] CVE-2099-000${n}: tarfile module is vulnerable to a ReDoS via excessive backtracking`,
  link: `https://mail.python.org/archives/list/security-announce@python.org/thread/T${n}/`,
  date: `2026-11-2${n}T12:00:00Z`,
  body: `There is a HIGH severity vulnerability affecting CPython. Fixed in Python 3.12.${n} and 3.13.${n}.`,
  ...extra,
});

describe("PSF announcement feeds", () => {
  it("new security posts reach python watchers once, whatever the order or format; older posts are the baseline", async () => {
    await h.command("console:py", "watch python");
    feeds.set(ANNOUNCE, "rss", [announce(1)]);
    feeds.set("/rss.xml", "atom", []);
    expect(await h.poll("security-announce")).toBe(true);
    expect(await h.poll("python-insider")).toBe(true); // an empty feed is fine
    expect(h.events).toEqual([]);
    feeds.set(ANNOUNCE, "rss", [announce(3), announce(1), announce(2)]); // reordered
    await h.poll("security-announce");
    expect(await h.dispatcher.drain()).toBe(2);
    feeds.set(ANNOUNCE, "atom", [announce(2), announce(3), announce(1)]);
    await h.poll("security-announce");
    expect(await h.dispatcher.drain()).toBe(0);
    expect(h.output()).toContain("[Security-announce] [High] CVE-2099-0003");
    expect(h.output()).toMatch(/Affected: 3\.12\.3; 3\.13\.3/);
  });

  it("Python Insider: only security posts count, by a clear rule", async () => {
    await h.command("console:py", "watch python");
    feeds.set("/rss.xml", "rss", []);
    await h.poll("python-insider");
    feeds.set("/rss.xml", "rss", [
      { id: "p1", title: "Python 3.14.1 is now available", link: "https://blog.python.org/2026/11/python-3141.html", date: "2026-11-24T10:00:00Z", body: "This bugfix release brings 200 fixes.", categories: ["releases"] },
      { id: "p2", title: "Python 3.13.9 and 3.12.13 security releases", link: "https://blog.python.org/2026/11/security.html", date: "2026-11-24T11:00:00Z", body: "These releases fix CVE-2099-0009.", categories: ["security"] },
      { id: "p3", title: "The Python Language Summit 2026", link: "https://blog.python.org/2026/11/summit.html", date: "2026-11-24T12:00:00Z", body: "Talks and notes." },
    ]);
    await h.poll("python-insider");
    expect(await h.dispatcher.drain()).toBe(1);
    expect(h.output()).toContain("Python 3.13.9 and 3.12.13 security releases");
  });

  it("a malformed feed fails its poll, keeps its cursor, and touches nothing else", async () => {
    feeds.set(ANNOUNCE, "rss", [announce(1)]);
    await h.poll("security-announce");
    const cursor = (await h.services.cursors.get("security-announce")).cursor;
    feeds.setRaw(ANNOUNCE, "<rss><channel><item><title>unclosed");
    expect(await h.poll("security-announce")).toBe(false);
    expect((await h.services.cursors.get("security-announce")).cursor).toBe(cursor);
    expect((await h.services.cursors.get("security-announce")).lastError?.message).toMatch(/not a readable RSS or Atom feed/);
    expect(await h.poll("osv")).toBe(true);
  });

  it("an announcement naming a CVE an advisory already carries is linked to it, not a second message", async () => {
    await h.command("console:r", "watch requests");
    feeds.set(ANNOUNCE, "rss", []);
    await h.poll("security-announce");
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-70"), aliases: ["CVE-2099-0070"] });
    await h.poll("osv");
    expect(await h.dispatcher.drain()).toBe(1);
    feeds.set(ANNOUNCE, "rss", [announce(5, { title: "[Security-announce] CVE-2099-0070 in requests", body: "See CVE-2099-0070." })]);
    await h.poll("security-announce");
    const stored = await h.services.advisories.get("CVE-2099-0070");
    expect(stored?.advisory.id).toBe("PYSEC-2099-70");
    expect(stored?.members?.some((m) => m.startsWith("PSF-ANN-"))).toBe(true);
    expect(Object.keys(stored?.sources ?? {}).sort()).toEqual(["osv", "security-announce"]);
  });
});

describe("one advisory per vulnerability", () => {
  const pysec = () => ({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-80"), aliases: ["GHSA-aaaa-bbbb-cccc", "CVE-2099-0080"] });
  const ghsa = () => ({ ...pypaRecordAs("requests", "PYSEC-2023-74", "GHSA-aaaa-bbbb-cccc"), aliases: ["CVE-2099-0080"] });

  it.each([["PYSEC first", [pysec, ghsa]], ["GHSA first", [ghsa, pysec]]] as const)("%s: one stored vulnerability, one message", async (_n, order) => {
    await h.command("console:r", "watch requests");
    for (const make of order) {
      bucket.put(make());
      await h.poll("osv");
      await h.dispatcher.drain();
    }
    const a = await h.services.advisories.get("CVE-2099-0080");
    const b = await h.services.advisories.get("PYSEC-2099-80");
    const c = await h.services.advisories.get("GHSA-aaaa-bbbb-cccc");
    expect(a?.advisory.id).toBe(b?.advisory.id);
    expect(b?.advisory.id).toBe(c?.advisory.id);
    expect(h.output().match(/=== NEW ADVISORY/g)).toHaveLength(1);
    expect(h.output()).not.toContain("ADVISORY UPDATED");
  });

  it("a record that links two existing advisories merges them, earliest published, union of aliases", async () => {
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-81"), aliases: [], published: "2023-05-26T18:15:00Z" });
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "GHSA-dddd-eeee-ffff"), aliases: [], published: "2023-05-22T00:00:00Z" });
    await h.poll("osv");
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "CVE-2099-0081"), aliases: ["PYSEC-2099-81", "GHSA-dddd-eeee-ffff"] });
    await h.poll("osv");
    const merged = await h.services.advisories.get("GHSA-dddd-eeee-ffff");
    expect(merged?.advisory.id).toBe(merged && (await h.services.advisories.get("PYSEC-2099-81"))?.advisory.id);
    expect(merged?.members?.sort()).toEqual(["CVE-2099-0081", "GHSA-dddd-eeee-ffff", "PYSEC-2099-81"]);
    expect(merged?.advisory.published).toBe("2023-05-22T00:00:00Z");
    expect((await h.services.advisories.byPackage("requests" as never)).filter((s) => s.members?.includes("PYSEC-2099-81"))).toHaveLength(1);
  });
});

describe("KEV and EPSS", () => {
  it("an alert shows EPSS; a KEV addition updates it", async () => {
    await h.command("console:r", "watch requests");
    await h.poll("priority"); // baseline: today's catalog and scores
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-07"), aliases: ["CVE-2099-0007"] });
    await h.poll("osv");
    await h.dispatcher.drain();
    expect(h.output()).toContain("EPSS 41.0%");
    expect(h.output()).not.toContain("Exploited in the wild");
    kev = [...kev, { cveID: "CVE-2099-0007", vendorProject: "Python", product: "requests", dateAdded: "2026-11-25" }];
    await h.poll("priority");
    expect(h.events.at(-1)).toMatchObject({ id: "PYSEC-2099-07", kind: "updated" });
    expect(await h.dispatcher.drain()).toBe(1);
    expect(h.output()).toMatch(/=== ADVISORY UPDATED: PYSEC-2099-07[\s\S]*Exploited in the wild \(CISA KEV\) · EPSS 41\.0%/);
  });

  it("kev-only and epss floors filter alerts", async () => {
    await h.command("console:k", "watch requests");
    await h.command("console:k", "kev-only on");
    await h.command("console:e", "watch requests");
    await h.command("console:e", "epss 0.5");
    await h.poll("priority");
    bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-08"), aliases: ["CVE-2099-0007"] });
    await h.poll("osv");
    expect(await h.dispatcher.drain()).toBe(0);
  });
});

describe("malicious packages and look-alikes", () => {
  it("warns a channel watching a name one edit away, unless it turned look-alikes off", async () => {
    await h.command("console:on", "watch requests");
    await h.command("console:off", "watch requests");
    await h.command("console:off", "lookalikes off");
    const mal = JSON.parse(readFixture("malicious", "osv", "malicious", "pypi", "0requests", "MAL-2026-15859.json")) as Record<string, unknown>;
    bucket.put({ ...mal, id: "MAL-2099-1", aliases: [], affected: [{ package: { ecosystem: "PyPI", name: "reqeusts" }, versions: ["1.0.0"] }] });
    await h.poll("osv");
    expect(await h.dispatcher.drain()).toBe(1);
    const out = h.output();
    expect(out).toContain("[console:on]");
    expect(out).not.toContain("[console:off]");
    expect(out).toContain("reqeusts was published as malicious; you watch requests");
    expect(out).toContain("remove this package and rotate any secrets");
  });

  it("lookup of any name reports its MAL records", async () => {
    expect(await h.command("console:x", "lookup 0requests")).toMatch(/MAL-2026-15859/);
  });
});

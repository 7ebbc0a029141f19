// PyPI's own data for watched packages, through the real pypi source, ingest, outbox and console:
// a fake PyPI in the documented shapes (Simple API JSON with PEP 792 status and PEP 740 provenance,
// the JSON API's license fields, the Integrity API). Where the cases come from:
// - requests 2.32.0, yanked "Yanked due to conflicts with CVE-2024-35195 mitigation": PyPI's page for
//   requests 2.32.0 (the reason as PyPI shows it; dates rounded);
// - ultralytics 8.3.45, uploaded with a stolen API token and so without the attestations 8.3.44 had
//   (PyPI's analysis of the Ultralytics attack, December 2024; publisher details simplified);
// - PySimpleGUI 5.0.0, relicensed from LGPL to a proprietary license (the project's 2024
//   announcement; the license strings are illustrative);
// - the quarantined, archived, republished and week-old projects are made up in PyPI's shapes.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { startFakePypi, type FakePypi } from "../fakes/pypi.js";
import { runCaptured } from "../helpers/cli.js";
import { allOsvRecords } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { MANUAL_CLOCK_START } from "../helpers/manual-clock.js";

const DAY = 86_400_000;
// The harness runs on a ManualClock: "a week ago" is a week before its start, not before the system date.
const daysAgo = (n: number) => new Date(Date.parse(MANUAL_CLOCK_START) - n * DAY).toISOString();
const GH = (repository: string, workflow = "publish.yml") => ({ kind: "GitHub", repository, workflow });

let bucket: FakeOsvBucket;
let pypi: FakePypi;
let h: Harness;

beforeAll(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  pypi = await startFakePypi([
    { name: "requests", releases: [
      { version: "2.31.0", uploaded: "2023-05-22T15:12:00Z", license: "Apache 2.0" },
      { version: "2.32.0", uploaded: "2024-05-20T15:56:00Z", yanked: "Yanked due to conflicts with CVE-2024-35195 mitigation", license: "Apache-2.0" },
      { version: "2.32.3", uploaded: "2024-05-29T15:37:00Z", license: "Apache-2.0" },
    ] },
    { name: "ultralytics", releases: [
      { version: "8.3.44", uploaded: "2024-12-03T10:00:00Z", publisher: GH("ultralytics/ultralytics"), license: "AGPL-3.0" },
      { version: "8.3.45", uploaded: "2024-12-07T10:00:00Z", license: "AGPL-3.0" },
    ] },
    { name: "pysimplegui", releases: [
      { version: "4.60.5", uploaded: "2023-05-23T12:00:00Z", license: "GNU Lesser General Public License v3 or later (LGPLv3+)" },
      { version: "5.0.0", uploaded: "2024-02-09T12:00:00Z", license: "Proprietary" },
    ] },
    { name: "movedlib", releases: [
      { version: "1.0.0", uploaded: "2024-01-01T00:00:00Z", publisher: GH("acme/movedlib") },
      { version: "1.1.0", uploaded: "2024-06-01T00:00:00Z", publisher: GH("someone-else/movedlib", "release.yml") },
    ] },
    { name: "shadylib", status: "quarantined", reason: "reported as malware", releases: [{ version: "0.1.0", uploaded: "2024-01-01T00:00:00Z" }] },
    { name: "oldlib", status: "archived", releases: [{ version: "3.0", uploaded: "2019-01-01T00:00:00Z" }] },
    { name: "freshlib", releases: [{ version: "0.0.1", uploaded: daysAgo(7) }] },
    { name: "flask", releases: [{ version: "3.0.0", uploaded: "2023-09-30T00:00:00Z" }, { version: "3.1.0", uploaded: "2024-11-13T00:00:00Z" }] },
  ]);
  h = await startHarness(bucket.url, { SOURCES: "osv,pypi", PYPI_URL: pypi.url });
  expect(await h.poll("osv")).toBe(true);
  await h.command("console:a", "watch requests==2.32.0 ultralytics pysimplegui==4.60.5 movedlib shadylib oldlib freshlib");
  await h.command("console:b", "watch requests==2.31.0 flask");
  await h.command("console:c", "watch ultralytics pysimplegui oldlib");
  await h.command("console:c", "signals security");
  await h.command("console:d", "watch shadylib");
  await h.command("console:d", "signals off");
}, 30_000);

afterAll(async () => {
  await h.close();
  await pypi.close();
  await bucket.close();
});

/** Alerts printed for one channel: "[console:x]" then "=== NEW ADVISORY: <id> …" (or MALICIOUS PACKAGE, for a quarantine). */
const alertsFor = (channel: string) => [...h.output().matchAll(/\[(console:[a-z])\]\n=== (?:NEW ADVISORY|MALICIOUS PACKAGE): (\S+)/g)].filter((m) => m[1] === channel).map((m) => m[2]!).sort();

it("each signal reaches exactly the channels watching it, once; a repeat poll sends nothing", async () => {
  expect(await h.poll("pypi")).toBe(true);
  await h.dispatcher.drain();
  expect(alertsFor("console:a")).toEqual([
    "PYPI-ARCHIVED-oldlib", "PYPI-ATTEST-ultralytics-8.3.45", "PYPI-LICENSE-pysimplegui-5.0.0", "PYPI-NEW-freshlib",
    "PYPI-PUBLISHER-movedlib-1.1.0", "PYPI-QUARANTINE-shadylib", "PYPI-YANK-requests-2.32.0",
  ]);
  // Not the pin of the yanked release, and flask has nothing to say.
  expect(alertsFor("console:b")).toEqual([]);
  // "signals security": only what points at a compromise.
  expect(alertsFor("console:c")).toEqual(["PYPI-ATTEST-ultralytics-8.3.45"]);
  expect(alertsFor("console:d")).toEqual([]);
  const out = h.output();
  expect(out).toContain("Possible compromise of ultralytics: 8.3.45 has no provenance attestations, 8.3.44 had them");
  expect(out).toContain("verify before upgrading");
  expect(out).toContain("requests 2.32.0 was yanked from PyPI: Yanked due to conflicts with CVE-2024-35195 mitigation");
  expect(out).toContain(`Details: ${pypi.url}/project/requests/`);
  expect(out).toContain("=== MALICIOUS PACKAGE: PYPI-QUARANTINE-shadylib");
  expect(out).toContain("PyPI has quarantined shadylib");

  const before = h.output().length;
  const requests = pypi.requests.length;
  expect(await h.poll("pypi")).toBe(true);
  expect(await h.dispatcher.drain()).toBe(0);
  expect(h.output().length).toBe(before);
  // One conditional request per watched package, all answered 304.
  const again = pypi.requests.slice(requests);
  expect(again.every((r) => r.path.startsWith("/simple/") && r.status === 304)).toBe(true);
  expect(again.length).toBe(8);
});

it("lookup, watch replies and audit --signals say what PyPI says of a pin, with no network", async () => {
  const lookup = await h.command("console:b", "lookup requests 2.32.0");
  expect(lookup).toContain("PyPI: requests 2.32.0 released 2024-05-20, yanked (Yanked due to conflicts with CVE-2024-35195 mitigation); latest 2.32.3; project active; no provenance");
  const watch = await h.command("console:e", "watch freshlib==0.0.1 oldlib");
  expect(watch).toMatch(/PyPI: freshlib 0\.0\.1 released \d{4}-\d\d-\d\d; latest 0\.0\.1; project active; no provenance; ⚠ first released \d+ days? ago/);
  expect(watch).toContain("PyPI: oldlib; latest 3.0; project ARCHIVED");

  const req = join(h.dir, "requirements.txt");
  writeFileSync(req, "requests==2.32.0\nultralytics==8.3.44\nflask==3.1.0\n");
  const env = { STORE_URL: `sqlite://${join(h.dir, "store.sqlite")}`, LOG_LEVEL: "silent" };
  const json = await runCaptured(["audit", "-r", req, "--format", "json", "--signals"], env);
  const deps = (JSON.parse(json.out) as { dependencies: { name: string; signals: Record<string, unknown> | null }[] }).dependencies;
  expect(deps.find((d) => d.name === "requests")?.signals).toMatchObject({ released: "2024-05-20", latest: "2.32.3", yanked: true, status: "active", provenance: false });
  expect(deps.find((d) => d.name === "ultralytics")?.signals).toMatchObject({ provenance: true, repository: "ultralytics/ultralytics", latest: "8.3.45" });
  const plain = await runCaptured(["audit", "-r", req], env);
  const signals = await runCaptured(["audit", "-r", req, "--signals"], env);
  expect(signals.code).toBe(plain.code); // --signals alone changes no exit code
  expect(signals.out).toMatch(/Released\s+Latest\s+Yanked\s+Status\s+Provenance/);
  const strict = await runCaptured(["audit", "-r", req, "--strict-signals"], env);
  expect(strict.code).toBe(1);
});

it("PyPI answering 404, 429, 5xx or junk leaves what was known, and the next good answer is used", async () => {
  const facts = async () => h.services.pypiFacts.get("requests");
  const known = await facts();
  // More 429s than the client retries: the poll stops and waits as told.
  pypi.fault("/simple/requests/", { kind: "status", status: 429, retryAfter: 1 }, 3);
  expect(await h.poll("pypi")).toBe(false);
  expect((await h.services.cursors.get("pypi")).lastError?.message).toMatch(/HTTP 429/);
  pypi.clearFaults();
  pypi.fault("/simple/flask/", { kind: "status", status: 503 }, 10);
  pypi.raw.set("requests", "{not json");
  expect(await h.poll("pypi")).toBe(true);
  pypi.clearFaults();
  pypi.raw.delete("requests");
  pypi.projects.delete("oldlib"); // 404
  expect(await h.poll("pypi")).toBe(true);
  expect(await facts()).toEqual(known);
  expect(await h.services.pypiFacts.get("oldlib")).toMatchObject({ status: "archived" });
  expect(await h.dispatcher.drain()).toBe(0);

  // A new yank afterwards is news, to the pins of that release only.
  pypi.projects.set("flask", { name: "flask", releases: [{ version: "3.0.0", uploaded: "2023-09-30T00:00:00Z", yanked: "broken wheel" }, { version: "3.1.0", uploaded: "2024-11-13T00:00:00Z" }] });
  await h.command("console:f", "watch flask==3.0.0");
  expect(await h.poll("pypi")).toBe(true);
  await h.dispatcher.drain();
  expect(alertsFor("console:f")).toEqual(["PYPI-YANK-flask-3.0.0"]);
  expect(alertsFor("console:b")).toEqual([]);
});

// A mirror without the network: `sync --from` an all.zip or a directory laid out like OSV's bucket,
// and OSV_BUCKET_URL=file:///dir for a local copy that the bot keeps following.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCaptured } from "../helpers/cli.js";
import { allOsvRecords, pypaRecordAs } from "../helpers/fixtures.js";
import { startHarness } from "../helpers/harness.js";

let dir: string;
const records = allOsvRecords().filter((r) => r["id"]);
// Nothing listens on port 9: any use of the network would fail these tests.
const offline = (store: string) => ({ STORE_URL: `sqlite://${join(dir, store)}`, OSV_BUCKET_URL: "http://127.0.0.1:9", SOURCES: "osv", LOG_LEVEL: "silent" });

function writeBucket(root: string): void {
  mkdirSync(join(root, "PyPI"), { recursive: true });
  const files: Record<string, Uint8Array> = {};
  for (const r of records) files[`${String(r["id"])}.json`] = strToU8(JSON.stringify(r));
  writeFileSync(join(root, "PyPI", "all.zip"), zipSync(files));
  const rows = records.map((r) => `${String(r["modified"])},${String(r["id"])}`).sort().reverse();
  writeFileSync(join(root, "PyPI", "modified_id.csv"), `${rows.join("\n")}\n`);
  for (const r of records) writeFileSync(join(root, "PyPI", `${String(r["id"])}.json`), JSON.stringify(r));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "pysec-herald-offline-"));
  writeBucket(join(dir, "bucket"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("sync --from an all.zip seeds the mirror, and refuses a second zip once seeded", async () => {
  const env = offline("zip.sqlite");
  const r = await runCaptured(["sync", "--from", join(dir, "bucket", "PyPI", "all.zip")], env);
  expect(r.code).toBe(0);
  expect(r.out).toBe("Mirror holds 320 advisories.\n");
  expect((await runCaptured(["lookup", "requests", "2.28.1"], env)).out).toContain("PYSEC-2023-74");
  const again = await runCaptured(["sync", "--from", join(dir, "bucket", "PyPI", "all.zip")], env);
  expect(again.code).toBe(2);
  expect(again.err).toContain("the mirror is seeded already");
});

it("sync --from a directory seeds, then follows its modified_id.csv", async () => {
  const env = offline("dir.sqlite");
  expect((await runCaptured(["sync", "--from", join(dir, "bucket")], env)).out).toBe("Mirror holds 320 advisories.\n");
  const added = { ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-70"), modified: "2026-11-30T00:00:00Z" };
  writeFileSync(join(dir, "bucket", "PyPI", "PYSEC-2099-70.json"), JSON.stringify(added));
  const csv = join(dir, "bucket", "PyPI", "modified_id.csv");
  writeFileSync(csv, `2026-11-30T00:00:00Z,PYSEC-2099-70\n${readFileSync(csv, "utf8")}`);
  expect((await runCaptured(["sync", "--from", join(dir, "bucket")], env)).out).toBe("Mirror holds 321 advisories.\n");
  expect((await runCaptured(["sync", "--from", join(dir, "nowhere")], env)).err).toContain("no such file or directory");
});

it("OSV_BUCKET_URL=file:///dir: the bot polls a local copy and alerts", async () => {
  const root = join(dir, "copy");
  writeBucket(root);
  const h = await startHarness(pathToFileURL(root).href);
  try {
    expect(await h.poll("osv")).toBe(true);
    await h.command("console:a", "watch requests");
    const added = { ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-71"), modified: "2026-11-30T00:00:00Z" };
    writeFileSync(join(root, "PyPI", "PYSEC-2099-71.json"), JSON.stringify(added));
    const csv = join(root, "PyPI", "modified_id.csv");
    writeFileSync(csv, `2026-11-30T00:00:00Z,PYSEC-2099-71\n${readFileSync(csv, "utf8")}`);
    expect(await h.poll("osv")).toBe(true);
    expect(await h.dispatcher.drain()).toBe(1);
    expect(h.output()).toContain("NEW ADVISORY: PYSEC-2099-71");
  } finally {
    await h.close();
  }
});

it("sync --from a zip with no OSV record in it (PyPA's YAML files) refuses it and says what it must be; one that merges records says so", async () => {
  const yamlZip = join(dir, "pypa-yaml.zip");
  writeFileSync(yamlZip, zipSync({ "vulns/requests/PYSEC-2023-74.yaml": strToU8("id: PYSEC-2023-74\nmodified: 2023-05-26T00:00:00Z\n") }));
  const r = await runCaptured(["sync", "--from", yamlZip], offline("yaml.sqlite"));
  expect(r.code).toBe(2);
  expect(r.err).toMatch(/pypa-yaml\.zip: no OSV record in it .* It must be OSV's PyPI export/);
  // Two records that alias each other are one advisory: the report says how many were merged.
  const a = records.find((x) => x["id"] === "PYSEC-2023-74")!;
  const twin = { ...a, id: "GHSA-j8r2-6x86-q33q", aliases: ["PYSEC-2023-74"] };
  const pairZip = join(dir, "pair.zip");
  writeFileSync(pairZip, zipSync({ "PYSEC-2023-74.json": strToU8(JSON.stringify(a)), "GHSA-j8r2-6x86-q33q.json": strToU8(JSON.stringify(twin)), "junk.json": strToU8("{") }));
  const pair = await runCaptured(["sync", "--from", pairZip], offline("pair.sqlite"));
  expect(pair.code).toBe(0);
  expect(pair.out).toBe("Mirror holds 1 advisory.\n");
  expect(pair.err).toMatch(/Read 2 records from .*pair\.zip; 1 merged into others by their aliases; 1 skipped/);
});

// How many people mirror OSV's bucket: files in a directory behind `python3 -m http.server`, which
// answers HTTP/1.0 and closes the connection after every response. The compiled bin seeds from it,
// repeatedly, and the running bot keeps polling it and alerting.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { execFile } from "node:child_process";
import { childEnv, realClockEnv } from "../helpers/moved-clock.js";
import { strToU8, zipSync } from "fflate";
import { afterAll, beforeAll, expect, it } from "vitest";
import { allOsvRecords, pypaRecordAs } from "../helpers/fixtures.js";
import { until } from "../helpers/until.js";

const run = promisify(execFile);
const bin = resolve(import.meta.dirname, "../../dist/src/bin.js");
let dir: string;
let server: ChildProcess;
let url: string;
const rows: string[] = [];

function writeRecord(record: Record<string, unknown>, modified: string): void {
  writeFileSync(join(dir, "www/PyPI", `${String(record["id"])}.json`), JSON.stringify({ ...record, modified }));
  rows.unshift(`${modified},${String(record["id"])}`);
  writeFileSync(join(dir, "www/PyPI/modified_id.csv"), `${rows.join("\n")}\n`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pysec-herald-plain-"));
  mkdirSync(join(dir, "www/PyPI"), { recursive: true });
  const records = allOsvRecords().filter((r) => r["id"]);
  const files: Record<string, Uint8Array> = {};
  for (const r of records) files[`${String(r["id"])}.json`] = strToU8(JSON.stringify(r));
  writeFileSync(join(dir, "www/PyPI/all.zip"), zipSync(files, { level: 6 }));
  for (const r of [...records].sort((a, b) => String(a["modified"]).localeCompare(String(b["modified"])))) writeRecord(r, String(r["modified"]));
  server = spawn("python3", ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", join(dir, "www")], { stdio: ["ignore", "pipe", "pipe"], env: realClockEnv() });
  let banner = "";
  server.stdout!.on("data", (c: Buffer) => (banner += c.toString()));
  await until(() => /port (\d+)/.test(banner), 10_000);
  url = `http://127.0.0.1:${/port (\d+)/.exec(banner)![1]}`;
});

afterAll(() => {
  server.kill();
  rmSync(dir, { recursive: true, force: true });
});

it("sync seeds from it every time, on fresh stores", async () => {
  for (let i = 0; i < 4; i++) {
    const r = await run(process.execPath, [bin, "sync"], { env: { ...childEnv(), STORE_URL: `sqlite://${join(dir, `sync-${i}.sqlite`)}`, OSV_BUCKET_URL: url, SOURCES: "osv", LOG_LEVEL: "warn" } });
    expect(r.stdout + r.stderr).toMatch(/320 advisories/);
  }
});

it("start seeds, then alerts on a record added to the directory", async () => {
  const child = spawn(process.execPath, [bin, "start", "--watch", "requests"], {
    env: { ...childEnv(), STORE_URL: `sqlite://${join(dir, "start.sqlite")}`, OSV_BUCKET_URL: url, SOURCES: "osv", OSV_POLL_SECONDS: "1", LOG_LEVEL: "warn", PORT: "0" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  await until(() => out.includes("Now watching requests"), 20_000);
  writeRecord(pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-88"), new Date().toISOString());
  await until(() => out.includes("=== NEW ADVISORY: PYSEC-2099-88"), 20_000);
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
});

import { strToU8, zipSync } from "fflate";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { zipJsonEntries } from "../../../src/sources/osv/seed-zip.js";
import { zipBomb } from "../../helpers/zip-bomb.js";

const dir = mkdtempSync(join(tmpdir(), "pysec-herald-zip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function entries(zip: Uint8Array): Promise<{ read: string[]; skipped: string[] }> {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.zip`);
  writeFileSync(path, zip);
  const read: string[] = [];
  const skipped: string[] = [];
  for await (const e of zipJsonEntries(path, (name, reason) => skipped.push(`${name}: ${reason}`))) read.push(`${e.name} ${e.text}`);
  return { read, skipped };
}

/** Changes the uncompressed size an entry declares, in its local header and its central directory entry. */
function declareSize(zip: Uint8Array, entry: string, size: (declared: number) => number): Buffer {
  const buf = Buffer.from(zip);
  const name = Buffer.from(entry);
  for (const [signature, sizeAt, before] of [[0x04034b50, 22, 30], [0x02014b50, 24, 46]] as const) {
    for (let at = buf.indexOf(name); at >= 0; at = buf.indexOf(name, at + 1)) {
      const header = at - before;
      if (header >= 0 && buf.readUInt32LE(header) === signature) buf.writeUInt32LE(size(buf.readUInt32LE(header + sizeAt)), header + sizeAt);
    }
  }
  return buf;
}

it("yields stored and deflated records in the zip's order, and only .json entries", async () => {
  const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`R-${String(i).padStart(3, "0")}.json`, [strToU8(`{"i":${i}}`), { level: (i % 2 ? 0 : 6) as 0 | 6 }]]));
  const { read, skipped } = await entries(zipSync({ ...many, "README.txt": strToU8("not a record") }));
  expect(skipped).toEqual([]);
  expect(read).toEqual(Array.from({ length: 200 }, (_, i) => `R-${String(i).padStart(3, "0")}.json {"i":${i}}`));
});

it("skips an entry whose declared size is a lie, either way, and reads the rest", async () => {
  const zip = zipSync({ "A.json": strToU8('{"a":1}'), "B.json": strToU8(`{"b":"${"x".repeat(5000)}"}`), "C.json": strToU8('{"c":3}') }, { level: 6 });
  const smaller = await entries(declareSize(zip, "B.json", (n) => n - 100));
  expect(smaller.read).toEqual(['A.json {"a":1}', 'C.json {"c":3}']);
  expect(smaller.skipped).toEqual([expect.stringMatching(/^B\.json: .*bytes, not the \d+ its header declares/)]);
  const larger = await entries(declareSize(zip, "C.json", (n) => n + 100));
  expect(larger.read.map((r) => r.split(" ")[0])).toEqual(["A.json", "B.json"]);
  expect(larger.skipped).toHaveLength(1);
});

it("never inflates more than the entry limit, whatever the header says (a zip bomb)", async () => {
  const bomb = zipSync({ "bomb.json": new Uint8Array(9 * 1024 * 1024), "ok.json": strToU8("{}") }, { level: 9 });
  const { read, skipped } = await entries(declareSize(bomb, "bomb.json", () => 10));
  expect(read).toEqual(["ok.json {}"]);
  expect(skipped).toEqual([expect.stringMatching(/^bomb\.json: /)]);
});

it("refuses a zip whose entries would unpack to more than the cap, before reading any; reads one under it", async () => {
  const path = join(dir, "bomb.zip");
  writeFileSync(path, zipBomb(20, 64 * 1024));
  const read: string[] = [];
  await expect((async () => {
    for await (const e of zipJsonEntries(path, () => undefined, 1024 * 1024)) read.push(e.name);
  })()).rejects.toThrow(/would unpack to 2 MB, more than the 1 MB/);
  expect(read).toEqual([]);
  for await (const e of zipJsonEntries(path, () => undefined, 2 * 1024 * 1024)) read.push(`${e.name} ${(JSON.parse(e.text) as { id: string }).id}`);
  expect(read).toHaveLength(20);
  expect(read[0]).toBe("PYSEC-BOMB-0.json PYSEC-BOMB");
});

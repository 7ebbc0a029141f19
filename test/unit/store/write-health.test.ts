import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openDb } from "../../../src/store/open.js";
import { describeWriteFailure, isStorageFailure } from "../../../src/store/write-health.js";

const dir = mkdtempSync(join(tmpdir(), "pysec-herald-writes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("a store that runs out of pages (SQLITE_FULL) says so until a write succeeds again; what it held stays", async () => {
  let now = new Date("2026-12-02T10:00:00.123Z");
  const db = await openDb(`sqlite://${join(dir, "full.sqlite")}`, () => now);
  await db.keyv.set("kept", "before");
  expect(db.writes.failure).toBeUndefined();
  const pages = Number((db.sqlite!.db.prepare("PRAGMA page_count").get() as { page_count: number }).page_count);
  db.sqlite!.db.exec(`PRAGMA max_page_count = ${pages + 1}`);

  const big = "x".repeat(64 * 1024);
  await expect(db.transaction(async () => {
    await db.keyv.set("a", big);
    await db.keyv.set("b", big);
  })).rejects.toThrow(/database or disk is full/);
  expect(db.writes.failure).toMatchObject({ message: "database or disk is full", since: new Date("2026-12-02T10:00:00.123Z") });
  now = new Date("2026-12-02T10:05:00Z");
  await expect(db.keyv.set("c", big)).rejects.toThrow(/full/);
  // The first failure's time stays: that is when writing stopped.
  expect(describeWriteFailure(db.writes.failure!)).toBe("cannot write since 2026-12-02T10:00:00Z: database or disk is full");
  expect(await db.keyv.get("kept")).toBe("before");
  expect(await db.keyv.get("a")).toBeUndefined(); // the transaction rolled back whole

  db.sqlite!.db.exec("PRAGMA max_page_count = 1073741823");
  await db.keyv.set("a", big);
  expect(db.writes.failure).toBeUndefined();
  await db.close();
});

it("only failures of the storage count: a bad statement is not a full disk", async () => {
  const db = await openDb(`sqlite://${join(dir, "ok.sqlite")}`);
  expect(() => db.sqlite!.db.exec("INSERT INTO no_such_table VALUES (1)")).toThrow();
  expect(db.writes.failure).toBeUndefined();
  expect(isStorageFailure(Object.assign(new Error("disk I/O error"), { errcode: 778 }))).toBe(true); // SQLITE_IOERR_WRITE
  expect(isStorageFailure(Object.assign(new Error("UNIQUE constraint failed"), { errcode: 2067 }))).toBe(false);
  expect(isStorageFailure(Object.assign(new Error("no space"), { code: "ENOSPC" }))).toBe(true);
  expect(isStorageFailure("database or disk is full")).toBe(false);
  await db.close();
});

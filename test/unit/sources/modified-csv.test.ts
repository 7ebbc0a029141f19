import { Readable } from "node:stream";
import { expect, it } from "vitest";
import { scanModifiedCsv, TruncatedCsvError } from "../../../src/sources/osv/modified-csv.js";

const body = (...chunks: string[]) => Readable.from(chunks.map((c) => Buffer.from(c)));

it("reads newest first until a row older than the cursor, keeping the cursor's own instant", async () => {
  const csv = "2026-11-03T00:00:00Z,C\n2026-11-02T00:00:00.5Z,B\n2026-11-02T00:00:00.5Z,B2\n2026-11-01T00:00:00Z,A\n";
  const scan = await scanModifiedCsv(body(csv.slice(0, 30), csv.slice(30)), "2026-11-02T00:00:00.500Z");
  expect(scan.rows.map((r) => r.id)).toEqual(["C", "B", "B2"]);
  expect(scan.reachedCursor).toBe(true);
  expect((await scanModifiedCsv(body(csv), undefined)).rows).toHaveLength(4);
});

it("counts malformed lines and rows dated in the future without taking them; a cut-off file is an error", async () => {
  const scan = await scanModifiedCsv(body("9999-12-31T23:59:59Z,FUTURE\nnot a row\n2026-11-02T00:00:00Z,bad id with spaces\n2026-11-02T00:00:00Z,OK\r\n", `2026-11-01T00:00:00Z,${"X".repeat(65)}\n`), undefined, Date.parse("2026-12-01T00:00:00Z"));
  expect(scan.rows.map((r) => r.id)).toEqual(["OK"]);
  expect(scan.future).toMatchObject({ count: 1, samples: ["9999-12-31T23:59:59Z,FUTURE"] });
  expect(scan.malformed.count).toBe(3);
  await expect(scanModifiedCsv(body("2026-11-02T00:00:00Z,A\n2026-11-01T00:0"), undefined)).rejects.toBeInstanceOf(TruncatedCsvError);
});

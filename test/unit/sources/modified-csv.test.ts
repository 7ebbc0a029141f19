import { Readable } from "node:stream";
import { expect, it } from "vitest";
import { CsvTooLargeError, scanModifiedCsv, TruncatedCsvError } from "../../../src/sources/osv/modified-csv.js";

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

it("drops a line longer than any row as it streams, in any chunking, counting it; a file past the size cap is refused", async () => {
  const long = "9".repeat(100_000);
  const csv = `2026-11-03T00:00:00Z,C\n2026-11-02T00:00:00Z,${long}\n2026-11-01T00:00:00Z,A\n`;
  for (const size of [7, 1000, 65536]) {
    const chunks = Array.from({ length: Math.ceil(csv.length / size) }, (_, i) => csv.slice(i * size, (i + 1) * size));
    const scan = await scanModifiedCsv(body(...chunks), undefined);
    expect(scan.rows.map((r) => r.id)).toEqual(["C", "A"]);
    expect(scan.malformed).toMatchObject({ count: 1, samples: ["(a line of 100021 characters)"] });
  }
  // A multi-byte character split between chunks is read whole.
  const euro = Buffer.from("€\n");
  const split = Readable.from([Buffer.from("2026-11-03T00:00:00Z,C\n"), euro.subarray(0, 1), euro.subarray(1)]);
  expect((await scanModifiedCsv(split, undefined)).malformed.samples).toEqual(["€"]);
  await expect(scanModifiedCsv(body(csv), undefined, Infinity, 1024)).rejects.toBeInstanceOf(CsvTooLargeError);
  // Reaching the cursor inside the cap is fine, however large the rest of the file.
  expect((await scanModifiedCsv(body(csv.slice(0, 23), csv.slice(23)), "2026-11-03T00:00:00Z", Infinity, 1024)).rows.map((r) => r.id)).toEqual(["C"]);
});

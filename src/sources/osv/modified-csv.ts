import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { formatBytes } from "../../errors.js";

export interface CsvRow {
  readonly modified: string;
  readonly at: number;
  readonly id: string;
}

export interface CsvScan {
  readonly rows: CsvRow[];
  /** How many lines were malformed, and the first few of them (cut to 200 characters). */
  readonly malformed: { readonly count: number; readonly samples: string[] };
  /** Rows dated after `notAfter` (a clock far ahead, or a hostile row): skipped, never a cursor. */
  readonly future: { readonly count: number; readonly samples: string[] };
  /** True when reading stopped at a row strictly older than the cursor (the rest is known). */
  readonly reachedCursor: boolean;
}

export class TruncatedCsvError extends Error {
  override name = "TruncatedCsvError";
}

/** The file ran past MAX_CSV_BYTES before reaching the cursor: what lies beyond was not read. */
export class CsvTooLargeError extends Error {
  override name = "CsvTooLargeError";
}

/**
 * OSV's PyPI modified_id.csv is about a megabyte (one row a record, tens of thousands of records),
 * and a poll reads it only down to the cursor: 64 MB is far past any real file.
 */
export const MAX_CSV_BYTES = 64 * 1024 * 1024;
/** A row is a timestamp, a comma and an id of at most MAX_ID_LENGTH: a longer line is junk, dropped as it streams. */
export const MAX_LINE_LENGTH = 256;

// OSV ids are short (MAL-2024-12345, GHSA-xxxx-xxxx-xxxx): a longer one is not fetched.
export const MAX_ID_LENGTH = 64;
const LINE = new RegExp(`^(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z),([A-Za-z0-9][A-Za-z0-9._:-]{0,${MAX_ID_LENGTH - 1}})$`);
const SAMPLES = 5;

function counter(): { count: number; samples: string[]; add(line: string): void } {
  return {
    count: 0,
    samples: [],
    add(line) {
      this.count++;
      if (this.samples.length < SAMPLES) this.samples.push(line.slice(0, 200));
    },
  };
}

/**
 * Reads OSV's `modified_id.csv` (newest first) until a row strictly older than `cursor`.
 * Rows in the cursor's own instant are kept: the file is not strictly ordered inside one second.
 * A body that ends mid-line is truncated: the caller must not move its cursor. Lines longer than
 * MAX_LINE_LENGTH are counted as malformed without being kept (one 48 MB line once took 750 MB),
 * and a file that runs past `maxBytes` before the cursor is refused (CsvTooLargeError).
 */
export async function scanModifiedCsv(body: Readable, cursor: string | undefined, notAfter = Infinity, maxBytes = MAX_CSV_BYTES): Promise<CsvScan> {
  const limit = cursor === undefined ? -Infinity : Date.parse(cursor);
  const rows: CsvRow[] = [];
  const malformed = counter();
  const future = counter();
  const take = (line: string): boolean => {
    const trimmed = line.replace(/\r$/, "");
    if (trimmed === "") return true;
    const m = LINE.exec(trimmed);
    const at = m ? Date.parse(m[1]!) : Number.NaN;
    if (!m || Number.isNaN(at)) {
      malformed.add(trimmed);
      return true;
    }
    if (at > notAfter) {
      future.add(trimmed);
      return true;
    }
    if (at < limit) return false;
    rows.push({ modified: m[1]!, at, id: m[2]! });
    return true;
  };
  const decoder = new StringDecoder("utf8");
  let pending = "";
  // Characters of an overlong line seen so far (it is dropped, only counted), or -1.
  let overlong = -1;
  let size = 0;
  for await (const chunk of body) {
    const text = decoder.write(chunk as Buffer);
    for (let start = 0; ;) {
      const nl = text.indexOf("\n", start);
      const piece = text.slice(start, nl < 0 ? undefined : nl);
      if (overlong >= 0) overlong += piece.length;
      else if (pending.length + piece.length > MAX_LINE_LENGTH) {
        overlong = pending.length + piece.length;
        pending = "";
      } else pending += piece;
      if (nl < 0) break;
      start = nl + 1;
      if (overlong >= 0) {
        malformed.add(`(a line of ${overlong} characters)`);
        overlong = -1;
      } else if (!take(pending)) {
        body.destroy();
        return { rows, malformed, future, reachedCursor: true };
      }
      pending = "";
    }
    // Checked once the chunk's rows are read: a file that reaches the cursor within it is fine.
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      body.destroy();
      throw new CsvTooLargeError(`modified_id.csv is larger than ${formatBytes(maxBytes)} before reaching the cursor; not read further`);
    }
  }
  pending += decoder.end();
  if (overlong >= 0 || pending !== "") throw new TruncatedCsvError(`modified_id.csv ends mid-line ("${(overlong >= 0 ? `a line of ${overlong} characters` : pending).slice(0, 60)}")`);
  return { rows, malformed, future, reachedCursor: false };
}

import type { Readable } from "node:stream";

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
 * A body that ends mid-line is truncated: the caller must not move its cursor.
 */
export async function scanModifiedCsv(body: Readable, cursor: string | undefined, notAfter = Infinity): Promise<CsvScan> {
  const limit = cursor === undefined ? -Infinity : Date.parse(cursor);
  const rows: CsvRow[] = [];
  const malformed = counter();
  const future = counter();
  let pending = "";
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
  for await (const chunk of body) {
    pending += (chunk as Buffer).toString("utf8");
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!take(line)) {
        body.destroy();
        return { rows, malformed, future, reachedCursor: true };
      }
    }
  }
  if (pending !== "") throw new TruncatedCsvError(`modified_id.csv ends mid-line ("${pending.slice(0, 60)}")`);
  return { rows, malformed, future, reachedCursor: false };
}

import type { Readable } from "node:stream";

export interface CsvRow {
  readonly modified: string;
  readonly at: number;
  readonly id: string;
}

export interface CsvScan {
  readonly rows: CsvRow[];
  readonly malformed: string[];
  /** True when reading stopped at a row strictly older than the cursor (the rest is known). */
  readonly reachedCursor: boolean;
}

export class TruncatedCsvError extends Error {
  override name = "TruncatedCsvError";
}

const LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z),([A-Za-z0-9][A-Za-z0-9._:-]*)$/;

/**
 * Reads OSV's `modified_id.csv` (newest first) until a row strictly older than `cursor`.
 * Rows in the cursor's own instant are kept: the file is not strictly ordered inside one second.
 * A body that ends mid-line is truncated: the caller must not move its cursor.
 */
export async function scanModifiedCsv(body: Readable, cursor: string | undefined): Promise<CsvScan> {
  const limit = cursor === undefined ? -Infinity : Date.parse(cursor);
  const rows: CsvRow[] = [];
  const malformed: string[] = [];
  let pending = "";
  const take = (line: string): boolean => {
    const trimmed = line.replace(/\r$/, "");
    if (trimmed === "") return true;
    const m = LINE.exec(trimmed);
    const at = m ? Date.parse(m[1]!) : Number.NaN;
    if (!m || Number.isNaN(at)) {
      malformed.push(trimmed.slice(0, 200));
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
        return { rows, malformed, reachedCursor: true };
      }
    }
  }
  if (pending !== "") throw new TruncatedCsvError(`modified_id.csv ends mid-line ("${pending.slice(0, 60)}")`);
  return { rows, malformed, reachedCursor: false };
}

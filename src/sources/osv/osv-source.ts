import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { Transform } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { isIgnoredId, isSafeId } from "../../advisory/ids.js";
import { parseOsvJson, type Advisory } from "../../advisory/osv-schema.js";
import { formatBytes, UpstreamError } from "../../errors.js";
import type { HttpClient } from "../../http/client.js";
import type { Logger } from "../../log.js";
import { mapLimit } from "../../util/map-limit.js";
import { recordSkips, type RecordSkips } from "../record-skips.js";
import type { PollOutcome, RecordSink, Source } from "../source.js";
import { CsvTooLargeError, scanModifiedCsv, TruncatedCsvError } from "./modified-csv.js";
import { MAX_ZIP_UNPACKED_BYTES, ZipTooLargeError, zipJsonEntries } from "./seed-zip.js";
import type { Clock } from "../../clock.js";

export interface OsvSourceOptions {
  readonly bucketUrl: string;
  readonly intervalMs: number;
  readonly http: HttpClient;
  readonly log: Logger;
  /** The real present: a `modified` time beyond it (plus an allowance) never becomes the cursor. */
  readonly wallClock: Clock;
  readonly concurrency?: number;
  readonly batchSize?: number;
  /** Called every PROGRESS_EVERY records seeded, for a progress line. */
  readonly onProgress?: (seeded: number) => void;
}

const SOURCE = "osv";
/** A seed reads tens of thousands of records: a progress line every this many says it is under way. */
const PROGRESS_EVERY = 5_000;
const MAX_RECORD_BYTES = 4 * 1024 * 1024;
/** OSV's PyPI export is tens of MB; a download past these is not the export (zipped, it is smaller than unpacked). */
const MAX_ZIP_BYTES = MAX_ZIP_UNPACKED_BYTES;
const MAX_ZIP_MS = 15 * 60_000;
/** Followed by the seeding process's pid: a temporary zip whose process is gone is removed. */
const TEMP_PREFIX = "pysec-herald-seed-";

/**
 * How far ahead of this machine's clock a `modified` time may be and still be fetched (a clock
 * skew); beyond it a row is skipped and warned about. Nothing ahead of now ever becomes the cursor.
 */
const FUTURE_ALLOWANCE_MS = 10 * 60_000;

/** Whether a process with this pid runs here. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function later(a: string | undefined, b: string): string {
  return a === undefined || Date.parse(b) > Date.parse(a) ? b : a;
}

/** OSV's PyPI export: seeds from all.zip once, then follows modified_id.csv down to the cursor. */
export function createOsvSource(opts: OsvSourceOptions): Source {
  const base = `${opts.bucketUrl}/PyPI`;
  const csvUrl = `${base}/modified_id.csv`;
  const batchSize = opts.batchSize ?? 500;
  const log = opts.log.child({ source: SOURCE });

  /** The record, or why it cannot be taken (undefined for an id that is deliberately ignored). */
  function accept(raw: string, where: string): Advisory | { readonly invalid: string } | undefined {
    try {
      const a = parseOsvJson(raw);
      if (isIgnoredId(a.id)) return undefined;
      if (!isSafeId(a.id)) throw new Error(`unusable id "${a.id.slice(0, 60)}"`);
      return a;
    } catch (err) {
      log.warn({ where, err: (err as Error).message }, "skipped malformed record");
      return { invalid: `not a valid OSV record: ${(err as Error).message.slice(0, 200)}` };
    }
  }

  /**
   * Seeds killed half-way leave their temporary zip behind: removed when the process that made it
   * is gone, or once older than any seed can run (another process may have taken its pid).
   */
  async function removeStaleTemp(): Promise<void> {
    for (const name of await readdir(tmpdir()).catch(() => [])) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const path = join(tmpdir(), name);
      const pid = Number(/^(\d+)-/.exec(name.slice(TEMP_PREFIX.length))?.[1]);
      const info = await stat(path).catch(() => undefined);
      const old = info !== undefined && opts.wallClock.now().getTime() - info.mtimeMs > 2 * MAX_ZIP_MS;
      const gone = Number.isInteger(pid) && pid !== process.pid && !alive(pid);
      if (old || gone) await rm(path, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async function seed(sink: RecordSink, signal: AbortSignal): Promise<PollOutcome> {
    const skips = recordSkips({});
    await removeStaleTemp();
    const dir = await mkdtemp(join(tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
    const zipPath = join(dir, "all.zip");
    try {
      const r = await opts.http.get(`${base}/all.zip`, { source: SOURCE, signal, deadlineMs: MAX_ZIP_MS }).catch((err: unknown) => {
        // The first start without the network: say how to seed from a copy.
        if (err instanceof UpstreamError && err.status === undefined) throw new UpstreamError(`${err.message} (without the network, seed from a copy of OSV's PyPI/all.zip: pysec-herald sync --from all.zip)`, SOURCE);
        throw err;
      });
      if (r.notModified) throw new UpstreamError("all.zip answered 304 to an unconditional request", SOURCE);
      if (r.length !== undefined && r.length > MAX_ZIP_BYTES) {
        r.body.destroy();
        throw new UpstreamError(`all.zip declares ${Math.round(r.length / 1048576)} MB, more than the ${formatBytes(MAX_ZIP_BYTES)} an OSV PyPI export can be; not downloaded`, SOURCE);
      }
      let size = 0;
      const capped = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length;
          done(size > MAX_ZIP_BYTES ? new Error(`larger than ${formatBytes(MAX_ZIP_BYTES)}`) : null, chunk);
        },
      });
      try {
        await pipeline(r.body, capped, createWriteStream(zipPath));
      } catch (err) {
        throw new UpstreamError(`all.zip download failed: ${(err as Error).message}`, SOURCE);
      }
      let batch: Advisory[] = [];
      let cursor: string | undefined;
      let read = 0;
      let reported = 0;
      let skipped = 0;
      // One batch is stored while the next is read from the zip: disk reads and store writes overlap.
      let storing: Promise<void> = Promise.resolve();
      const store = async (records: Advisory[]) => {
        await storing;
        storing = sink(records, { seed: true, source: SOURCE }).then(() => {
          read += records.length;
          if (read - reported >= PROGRESS_EVERY) opts.onProgress?.((reported = read));
        });
      };
      try {
        const onSkip = (name: string, reason: string) => {
          skipped++;
          skips.skip(`all.zip ${name}`, undefined, reason);
          log.warn({ entry: name, reason }, "skipped an all.zip entry");
        };
        for await (const entry of zipJsonEntries(zipPath, onSkip)) {
          if (signal.aborted) throw new UpstreamError("seed aborted", SOURCE);
          const a = accept(entry.text, entry.name);
          if (!a || "invalid" in a) {
            if (a) skips.skip(`all.zip ${entry.name}`, undefined, a.invalid);
            skipped++;
            continue;
          }
          batch.push(a);
          // A record dated in the future is stored, but never sets the cursor past now: the
          // first poll reads it again, and whatever comes before it meanwhile.
          if (Date.parse(a.modified) <= opts.wallClock.now().getTime()) cursor = later(cursor, a.modified);
          if (batch.length >= batchSize) {
            await store(batch);
            batch = [];
          }
        }
      } catch (err) {
        await storing.catch(() => undefined);
        if (err instanceof UpstreamError) throw err;
        if (err instanceof ZipTooLargeError) throw new UpstreamError(err.message, SOURCE);
        throw new UpstreamError(`all.zip is not a readable zip: ${(err as Error).message}`, SOURCE);
      }
      await store(batch);
      await storing;
      log.info({ read, skipped, cursor }, "seeded mirror from all.zip");
      return { ...(cursor && { cursor }), validators: {}, read, skipped, skippedRecords: skips.list };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The record at `modified`; undefined when it is gone or passed over (told to `skips`). */
  async function fetchRecord(id: string, modified: string, skips: RecordSkips, signal: AbortSignal): Promise<Advisory | undefined> {
    const url = `${base}/${encodeURIComponent(id)}.json`;
    let text: string | undefined;
    try {
      text = await opts.http.text(url, { source: SOURCE, signal, maxBytes: MAX_RECORD_BYTES });
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) {
        log.warn({ id }, "listed record is gone (404)");
        return undefined;
      }
      if (!(err instanceof UpstreamError) || signal.aborted) throw err;
      skips.failed(id, modified, err);
      return undefined;
    }
    const a = text === undefined ? undefined : accept(text, id);
    if (a && "invalid" in a) return void skips.skip(id, modified, a.invalid);
    if (a) skips.taken(id);
    return a;
  }

  return {
    id: SOURCE,
    intervalMs: opts.intervalMs,
    async poll(state, sink, signal) {
      if (state.cursor === undefined) return seed(sink, signal);
      const r = await opts.http.get(csvUrl, { source: SOURCE, signal, ...(state.validators[csvUrl] && { validators: state.validators[csvUrl] }) });
      // An unchanged file still has whatever was wrong with it.
      if (r.notModified) return { cursor: state.cursor, validators: state.validators, read: 0, skipped: 0, ...(state.warning && { warning: state.warning }), ...(state.skippedRecords && { skippedRecords: state.skippedRecords }) };
      let scan;
      // "Now" by the bucket's clock (its Date header), and never past ours plus the allowance.
      const wallNow = opts.wallClock.now().getTime();
      const now = Math.min(r.date?.getTime() ?? wallNow, wallNow + FUTURE_ALLOWANCE_MS);
      try {
        scan = await scanModifiedCsv(r.body, state.cursor, wallNow + FUTURE_ALLOWANCE_MS);
      } catch (err) {
        const message = err instanceof TruncatedCsvError || err instanceof CsvTooLargeError ? err.message : `modified_id.csv: ${(err as Error).message}`;
        throw new UpstreamError(message, SOURCE);
      }
      if (scan.malformed.count > 0) log.warn({ count: scan.malformed.count, samples: scan.malformed.samples }, "skipped malformed modified_id.csv lines");
      if (scan.future.count > 0) log.warn({ count: scan.future.count, samples: scan.future.samples }, "skipped modified_id.csv rows dated in the future");
      // Rows in the cursor's own second are read again every poll (the file is not ordered within
      // a second), and so are rows ahead of now, which never become the cursor (an advisory
      // modified a moment later would be older than such a cursor, and lost); those already
      // fetched at that very modification are not fetched again.
      const seen = new Set(state.seenAtCursor);
      const fresh = scan.rows.filter((row) => !seen.has(`${row.id}@${row.modified}`));
      // The newest listing of each id: the version a failure or a skip is counted against.
      const listed = new Map<string, string>();
      for (const row of fresh) if (!isIgnoredId(row.id)) listed.set(row.id, later(listed.get(row.id), row.modified));
      const ids = [...listed.keys()];
      // A record that cannot be taken (too large, invalid, failing poll after poll) is passed over,
      // so that it never holds back every advisory after it.
      const skips = recordSkips(state);
      const records = (await mapLimit(ids, opts.concurrency ?? 8, (id) => fetchRecord(id, listed.get(id)!, skips, signal))).filter((a): a is Advisory => a !== undefined);
      skips.settle(records.length > 0 || ids.length === 1);
      for (let i = 0; i < records.length; i += batchSize) await sink(records.slice(i, i + batchSize), { seed: false, source: SOURCE });
      const cursor = scan.rows.filter((row) => row.at <= now).reduce<string>((c, row) => later(c, row.modified), state.cursor);
      const at = Date.parse(cursor);
      return {
        cursor,
        seenAtCursor: scan.rows.filter((row) => row.at >= at).map((row) => `${row.id}@${row.modified}`),
        validators: { ...state.validators, [csvUrl]: r.validators },
        read: records.length,
        skipped: ids.length - records.length + scan.malformed.count + scan.future.count,
        skippedRecords: skips.list,
        ...(scan.future.count > 0 && { warning: `modified_id.csv lists ${scan.future.count} ${scan.future.count === 1 ? "row" : "rows"} dated in the future (first: ${scan.future.samples[0]?.slice(0, 80)}); skipped, the cursor stays at the newest row before now` }),
      };
    },
  };
}

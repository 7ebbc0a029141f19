import { createHash } from "node:crypto";
import { strToU8, zipSync } from "fflate";
import { startFakeServer, type FakeServer } from "./fake-server.js";

export interface FakeOsvBucket extends FakeServer {
  /** Adds or replaces a record (as a new modification at `modified`, default now). */
  put(record: Record<string, unknown>, modified?: string): void;
  /** Serves raw bytes for one record id (malformed JSON, say), listed in the CSV at `modified`. */
  putRaw(id: string, body: string, modified: string): void;
  /** Appends a raw line to modified_id.csv (for malformed-line tests). */
  addCsvLine(line: string): void;
  readonly records: ReadonlyMap<string, string>;
  /** Answers modified_id.csv only after this many ms (a poll that is in flight for a while). */
  csvDelayMs: number;
}

function etagOf(body: string | Uint8Array): string {
  return `"${createHash("sha1").update(body).digest("hex")}"`;
}

/**
 * OSV's GCS export for PyPI on 127.0.0.1: `/PyPI/all.zip`, `/PyPI/modified_id.csv` (newest first,
 * with ETag/304) and `/PyPI/<ID>.json`, built from the records it is given.
 */
export async function startFakeOsvBucket(initial: readonly Record<string, unknown>[]): Promise<FakeOsvBucket> {
  const records = new Map<string, string>();
  const modified = new Map<string, string>();
  const extraLines: string[] = [];
  for (const r of initial) {
    const id = String(r["id"] ?? "");
    if (!id) continue;
    records.set(id, JSON.stringify(r));
    modified.set(id, String(r["modified"]));
  }

  function csv(): string {
    const rows = [...modified].sort(([ia, a], [ib, b]) => (a === b ? ia.localeCompare(ib) : a < b ? 1 : -1));
    return [...extraLines, ...rows.map(([id, m]) => `${m},${id}`)].join("\n") + "\n";
  }

  let zipCache: { key: string; bytes: Uint8Array } | undefined;
  function zip(): Uint8Array {
    const key = etagOf(csv());
    if (zipCache?.key !== key) {
      const files: Record<string, Uint8Array> = {};
      for (const [id, body] of [...records].sort(([a], [b]) => a.localeCompare(b))) files[`${id}.json`] = strToU8(body);
      zipCache = { key, bytes: zipSync(files, { level: 6 }) };
    }
    return zipCache.bytes;
  }

  const server = await startFakeServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const send = (text: string | Uint8Array, type: string) => {
      const body = typeof text === "string" ? Buffer.from(text) : text;
      const etag = etagOf(body);
      if (req.headers["if-none-match"] === etag) {
        res.statusCode = 304;
        res.end();
        return;
      }
      res.setHeader("content-type", type);
      res.setHeader("etag", etag);
      res.setHeader("content-length", String(body.length));
      res.end(body);
    };
    if (path === "/PyPI/modified_id.csv") {
      if (bucket.csvDelayMs > 0) return void setTimeout(() => send(csv(), "text/csv"), bucket.csvDelayMs);
      return send(csv(), "text/csv");
    }
    if (path === "/PyPI/all.zip") return send(Buffer.from(zip()), "application/zip");
    const m = /^\/PyPI\/(.+)\.json$/.exec(path);
    const body = m ? records.get(decodeURIComponent(m[1]!)) : undefined;
    if (body === undefined) {
      res.statusCode = 404;
      res.end("not found");
      return;
    }
    send(body, "application/json");
  });

  const bucket: FakeOsvBucket = {
    ...server,
    csvDelayMs: 0,
    records,
    put(record, at = new Date().toISOString()) {
      const id = String(record["id"]);
      records.set(id, JSON.stringify({ ...record, modified: at }));
      modified.set(id, at);
    },
    putRaw(id, body, at) {
      records.set(id, body);
      modified.set(id, at);
    },
    addCsvLine(line) {
      extraLines.push(line);
    },
  };
  return bucket;
}

import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Keyv, { type KeyvOptions } from "keyv";
import KeyvSqlite from "@keyv/sqlite";
import { errorMessage } from "../errors.js";
import { KEYS } from "./keys.js";
import { Mutex } from "./mutex.js";
import { deserialize, serialize } from "./serialize.js";

const CODEC: Pick<KeyvOptions, "serialize" | "deserialize"> = { serialize, deserialize };

/** A Keyv handle plus the one thing Keyv lacks: grouping many writes into one transaction. */
export interface Db {
  readonly keyv: Keyv;
  /** Runs `fn` alone (no other transaction interleaves); on SQLite its writes commit together. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function sqlitePath(url: string): string {
  return resolve(url.replace(/^sqlite:\/\//, ""));
}

/** The layout of stored records this release reads and writes (see keys.ts). */
export const SCHEMA_VERSION = 1;

/**
 * Opens the store named by STORE_URL: `sqlite://<path>` (embedded default), `redis://…`,
 * `postgresql://…`, or `memory://` (tests, demo); refuses a store written by a newer release.
 */
export async function openDb(url: string): Promise<Db> {
  const db = await connect(url);
  try {
    await checkSchema(db.keyv);
  } catch (err) {
    await db.close().catch(() => undefined);
    // The first read is where an unreachable server shows; the URL stays out (it may hold a password).
    throw errorMessage(err).startsWith("STORE_URL") ? err : new Error(`STORE_URL: cannot use the ${url.split(":")[0]} store: ${errorMessage(err)}`);
  }
  return db;
}

async function checkSchema(keyv: Keyv): Promise<void> {
  const stored = await keyv.get<{ version: number }>(KEYS.schema);
  if (stored === undefined) await keyv.set(KEYS.schema, { version: SCHEMA_VERSION });
  else if (stored.version > SCHEMA_VERSION) {
    throw new Error(`STORE_URL: this store was written by a newer pysec-herald (schema ${stored.version}; this release reads ${SCHEMA_VERSION}). Upgrade, or export with the newer release and import here.`);
  }
}

// Without SQLite's transactions (memory, and the shared stores) a transaction only keeps this
// process's writes from interleaving: across instances, the writers that share keys (polls,
// digests) are serialized by the job queue.
function serializedInProcess(keyv: Keyv): Db {
  const mutex = new Mutex();
  return { keyv, transaction: (fn) => mutex.run(fn), close: () => keyv.disconnect() };
}

async function connect(url: string): Promise<Db> {
  if (url === "memory://") return serializedInProcess(new Keyv({ throwOnErrors: true }));
  // The shared stores' clients load only when STORE_URL names them (start-up time and memory of the embedded default).
  if (/^rediss?:\/\//.test(url)) {
    const { default: KeyvRedis } = await import("@keyv/redis");
    const store = new KeyvRedis(url, { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 5_000 });
    return serializedInProcess(new Keyv({ store, namespace: "pysec-herald", throwOnErrors: true, ...CODEC }));
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: KeyvPostgres } = await import("@keyv/postgres");
    return serializedInProcess(new Keyv({ store: new KeyvPostgres({ uri: url, table: "pysec_herald" }), throwOnErrors: true, ...CODEC }));
  }
  if (!url.startsWith("sqlite://")) {
    throw new Error(`STORE_URL: unsupported store "${url.split(":")[0]}:" (supported: sqlite://<path>, redis://…, postgresql://…, memory://)`);
  }
  const mutex = new Mutex();
  const path = sqlitePath(url);
  mkdirSync(dirname(path), { recursive: true });
  const adapter = new KeyvSqlite({ uri: `sqlite://${path}`, busyTimeout: 10_000 });
  // @keyv/sqlite has no setMany, so Keyv would issue one statement per key; multi-row upserts are
  // what makes seeding a full mirror fast (Keyv still serializes and prefixes the entries).
  Object.assign(adapter, {
    async setMany(entries: { key: string; value: unknown }[]) {
      for (let i = 0; i < entries.length; i += 400) {
        const part = entries.slice(i, i + 400);
        const sql = `INSERT INTO ${adapter.opts.table ?? "keyv"} (key, value) VALUES ${part.map(() => "(?, ?)").join(", ")} ON CONFLICT(key) DO UPDATE SET value=excluded.value`;
        await adapter.query(sql, ...part.flatMap((e) => [e.key, e.value]));
      }
      return entries.map(() => true);
    },
  });
  const keyv = new Keyv({ store: adapter, throwOnErrors: true, ...CODEC });
  // Measured: WAL + synchronous=NORMAL is ~7x faster for writes than the defaults (shared/notes/measurements.md).
  await adapter.query("PRAGMA journal_mode=WAL");
  await adapter.query("PRAGMA synchronous=NORMAL");
  return {
    keyv,
    transaction: (fn) =>
      mutex.run(async () => {
        await adapter.query("BEGIN");
        try {
          const result = await fn();
          await adapter.query("COMMIT");
          return result;
        } catch (err) {
          await adapter.query("ROLLBACK");
          throw err;
        }
      }),
    close: () => keyv.disconnect(),
  };
}

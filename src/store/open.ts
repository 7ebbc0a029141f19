import { existsSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import Keyv from "keyv";
import { errorMessage } from "../errors.js";
import { KEYS } from "./keys.js";
import { Mutex } from "./mutex.js";
import { codec } from "./serialize.js";
import { SqliteKeyvAdapter } from "./sqlite-keyv-adapter.js";
import { createWriteHealth, trackWrites, type WriteHealth } from "./write-health.js";

/** A Keyv handle plus the one thing Keyv lacks: grouping many writes into one transaction. */
export interface Db {
  readonly keyv: Keyv;
  /** The embedded store's connection, for the jobs that are database jobs (outbox, who-was-told). */
  readonly sqlite?: { readonly db: DatabaseSync; readonly adapter: SqliteKeyvAdapter };
  /** Runs `fn` alone (no other transaction interleaves); on SQLite its writes commit together. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** The embedded store's writes (a full disk shows here); the shared stores' failures show as unreachable. */
  readonly writes: WriteHealth;
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
export async function openDb(url: string, now: () => Date = () => new Date()): Promise<Db> {
  // The first read (or PostgreSQL's layout check) is where an unreachable server shows; the URL
  // stays out of the message (it may hold a password).
  const named = (err: unknown) => (errorMessage(err).startsWith("STORE_URL") ? err : new Error(`STORE_URL: cannot use the ${url.split(":")[0]} store: ${errorMessage(err)}`));
  const db = await connect(url, createWriteHealth(now)).catch((err: unknown) => {
    throw named(err);
  });
  try {
    await checkSchema(db.keyv);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw named(err);
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
function serializedInProcess(keyv: Keyv, writes: WriteHealth): Db {
  const mutex = new Mutex();
  return { keyv, transaction: (fn) => mutex.run(fn), writes, close: () => keyv.disconnect() };
}

/**
 * Keyv 5 wrote PostgreSQL keys as "keyv:<key>"; @keyv/postgres 6 keeps namespaces in a column of
 * their own and reads "<key>". Renames the old rows once (a no-op on a new or migrated table).
 */
async function adoptKeyv5Rows(uri: string, table: string): Promise<void> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: uri, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [table]);
    if (!exists.rows[0]?.t) return;
    await client.query(`UPDATE ${table} AS old SET key = substr(old.key, 6) WHERE old.key LIKE 'keyv:%' AND NOT EXISTS (SELECT 1 FROM ${table} AS cur WHERE cur.key = substr(old.key, 6))`);
  } finally {
    await client.end();
  }
}

async function connect(url: string, writes: WriteHealth): Promise<Db> {
  if (url === "memory://") return serializedInProcess(new Keyv(), writes);
  // The shared stores' clients load only when STORE_URL names them (start-up time and memory of the embedded default).
  if (/^rediss?:\/\//.test(url)) {
    const { default: KeyvRedis } = await import("@keyv/redis");
    // Keyv 5 prefixed "pysec-herald:" and @keyv/redis added "pysec-herald::" again: the same keys here.
    const store = new KeyvRedis(url, { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 5_000, namespace: "pysec-herald::pysec-herald", keyPrefixSeparator: ":" });
    return serializedInProcess(new Keyv({ store, serialization: codec }), writes);
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { default: KeyvPostgres } = await import("@keyv/postgres");
    await adoptKeyv5Rows(url, "pysec_herald");
    return serializedInProcess(new Keyv({ store: new KeyvPostgres({ uri: url, table: "pysec_herald" }), serialization: codec }), writes);
  }
  if (!url.startsWith("sqlite://")) {
    throw new Error(`STORE_URL: unsupported store "${url.split(":")[0]}:" (supported: sqlite://<path>, redis://…, postgresql://…, memory://)`);
  }
  const path = sqlitePath(url);
  // The default ./data is made on first start; a directory further from anything that exists is
  // more likely a typo in STORE_URL than a wish, and is not made.
  if (!existsSync(dirname(path))) {
    if (!existsSync(dirname(dirname(path)))) throw new Error(`STORE_URL: ${dirname(path)} does not exist (nor does ${dirname(dirname(path))}); create it, or point STORE_URL at an existing directory`);
    mkdirSync(dirname(path));
  }
  const sqlite = trackWrites(new DatabaseSync(path, { timeout: 10_000 }), writes);
  // Measured: WAL + synchronous=NORMAL is several times faster for writes than the defaults. A
  // checkpoint (and its fsync) every 10,000 pages instead of 1,000: seeding writes ~60,000 pages,
  // and those fsyncs cost ~1.3 s of the seed here; the WAL file may grow to ~40 MB between them.
  sqlite.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=10000;");
  // Namespace "keyv" and ":" are the key layout Keyv 5 with @keyv/sqlite wrote: files from earlier releases read as they are.
  const adapter = new SqliteKeyvAdapter(sqlite, { separator: ":" });
  const keyv = new Keyv({ store: adapter, namespace: "keyv", serialization: codec });
  const mutex = new Mutex();
  return {
    keyv,
    sqlite: { db: sqlite, adapter },
    writes,
    // node:sqlite is synchronous on one connection: the mutex keeps other async work of this
    // process from interleaving its statements into an open transaction.
    transaction: (fn) =>
      mutex.run(async () => {
        sqlite.exec("BEGIN IMMEDIATE");
        try {
          const result = await fn();
          sqlite.exec("COMMIT");
          return result;
        } catch (err) {
          if (sqlite.isTransaction) sqlite.exec("ROLLBACK");
          throw err;
        }
      }),
    close: () => keyv.disconnect(),
  };
}

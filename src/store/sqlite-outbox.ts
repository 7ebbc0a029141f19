import type { DatabaseSync } from "node:sqlite";
import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import { outboxKey, type Outbox, type OutboxItem, type QueuedDelivery } from "./ports/outbox.js";
import { type MessageRef, type Told, type ToldStore } from "./ports/told.js";
import { untold } from "./untold.js";
import { getManyChunked, ShardedIndex } from "./sharded-index.js";
import { createKeyvTold } from "./keyv-told.js";

// The embedded outbox and who-was-told are database jobs: real tables, and `due()` one indexed query.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  key TEXT PRIMARY KEY,
  item TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  enqueued_at TEXT NOT NULL,
  parked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_queue ON outbox (parked, enqueued_at, key);
CREATE TABLE IF NOT EXISTS told (
  advisory_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  revision INTEGER NOT NULL,
  ref TEXT NOT NULL,
  PRIMARY KEY (advisory_id, channel)
);`;

type ItemRow = { item: string };
type EmbeddedDb = Db & { readonly sqlite: NonNullable<Db["sqlite"]> };

function toldTable(sqlite: DatabaseSync): ToldStore {
  const select = sqlite.prepare("SELECT channel, revision, ref FROM told WHERE advisory_id = ?");
  const upsert = sqlite.prepare("INSERT INTO told (advisory_id, channel, revision, ref) VALUES (?, ?, ?, ?) ON CONFLICT (advisory_id, channel) DO UPDATE SET revision = excluded.revision, ref = excluded.ref");
  // Adopted channels keep their message at revision 0; a channel told about `into` already keeps its own.
  const adoptOne = sqlite.prepare("INSERT OR IGNORE INTO told (advisory_id, channel, revision, ref) SELECT ?, channel, 0, ref FROM told WHERE advisory_id = ?");
  const drop = sqlite.prepare("DELETE FROM told WHERE advisory_id = ?");
  return {
    async get(id) {
      const told: Record<string, Told[string]> = {};
      for (const r of select.all(id) as { channel: string; revision: number; ref: string }[]) told[r.channel] = { revision: r.revision, ref: JSON.parse(r.ref) as MessageRef };
      return told;
    },
    async record(item, ref) {
      upsert.run(item.advisoryId, item.channel, item.revision, JSON.stringify(ref));
    },
    async adopt(into, from) {
      for (const id of from) {
        adoptOne.run(into, id);
        drop.run(id);
      }
    },
  };
}

/** The embedded store's outbox on its own tables (open.ts has made the SQLite connection). */
export async function createSqliteOutbox(db: EmbeddedDb): Promise<Outbox> {
  const sqlite = db.sqlite.db;
  sqlite.exec(SCHEMA);
  const told = toldTable(sqlite);
  const q = {
    insert: sqlite.prepare("INSERT OR IGNORE INTO outbox (key, item, not_before, enqueued_at, parked) VALUES (?, ?, ?, ?, ?)"),
    get: sqlite.prepare("SELECT item FROM outbox WHERE key = ?"),
    update: sqlite.prepare("UPDATE outbox SET item = ?, not_before = ?, parked = ? WHERE key = ?"),
    remove: sqlite.prepare("DELETE FROM outbox WHERE key = ?"),
    due: sqlite.prepare("SELECT item FROM outbox WHERE parked = 0 AND not_before <= ? ORDER BY enqueued_at, key LIMIT ?"),
    // Keys start with the channel key, which starts with "<platform>:".
    dueFor: sqlite.prepare("SELECT item FROM outbox WHERE parked = 0 AND not_before <= ? AND key >= ? AND key < ? ORDER BY enqueued_at, key LIMIT ?"),
    all: sqlite.prepare("SELECT item FROM outbox ORDER BY enqueued_at, key"),
    depth: sqlite.prepare("SELECT parked, count(*) AS n FROM outbox GROUP BY parked"),
  };
  /** True when the key was new (a pending item with that key stays as it is). */
  const insert = (i: OutboxItem) => Number(q.insert.run(i.key, JSON.stringify(i), Date.parse(i.notBefore), i.enqueuedAt, i.parked ? 1 : 0).changes) > 0;
  const read = (key: string) => {
    const row = q.get.get(key) as ItemRow | undefined;
    return row && (JSON.parse(row.item) as OutboxItem);
  };
  const write = (i: OutboxItem) => q.update.run(JSON.stringify(i), Date.parse(i.notBefore), i.parked ? 1 : 0, i.key);
  await migrateFromKeys(db, told, insert);
  const items = (rows: unknown[]) => (rows as ItemRow[]).map((r) => JSON.parse(r.item) as OutboxItem);

  /** Rewrites each of `keys` that is still pending, in one transaction. */
  function modify(keys: readonly string[], fn: (i: OutboxItem) => OutboxItem): Promise<void> {
    return db.transaction(async () => {
      for (const key of keys) {
        const item = read(key);
        if (item) write(fn(item));
      }
    });
  }

  function putMany(entries: readonly QueuedDelivery[], now: Date): Promise<number> {
    return db.transaction(async () => {
      let added = 0;
      for (const { item, notBefore = now } of await untold(told, entries)) {
        const key = outboxKey(item.channel, item.advisoryId, item.revision);
        if (insert({ ...item, key, attempts: 0, enqueuedAt: now.toISOString(), notBefore: notBefore.toISOString() })) added++;
      }
      return added;
    });
  }

  return {
    put: async (item, now, notBefore) => (await putMany([{ item, ...(notBefore && { notBefore }) }], now)) === 1,
    putMany,
    async due(now, limit, platform) {
      return items(platform === undefined ? q.due.all(now.getTime(), limit) : q.dueFor.all(now.getTime(), `${platform}:`, `${platform};`, limit));
    },
    done: (key, ref) =>
      db.transaction(async () => {
        const item = read(key);
        if (item) await told.record(item, ref);
        q.remove.run(key);
      }),
    defer: (key, until, reason) => modify([key], (i) => ({ ...i, attempts: i.attempts + 1, notBefore: until.toISOString(), lastError: reason })),
    park: (key, reason) => modify([key], (i) => ({ ...i, attempts: i.attempts + 1, parked: reason, lastError: reason })),
    sending: (keys, at) => modify(keys, (i) => (i.sendingSince ? i : { ...i, sendingSince: at.toISOString() })),
    async list() {
      return items(q.all.all());
    },
    async depth() {
      const counts = new Map((q.depth.all() as { parked: number; n: number }[]).map((r) => [r.parked, r.n]));
      return { pending: counts.get(0) ?? 0, parked: counts.get(1) ?? 0 };
    },
    remove: (key) => db.transaction(async () => void q.remove.run(key)),
    adopt: (into, from) => db.transaction(() => told.adopt(into, from)),
    told: told.get,
  };
}

/**
 * Stores written before these tables kept the outbox and who-was-told under Keyv keys: move them
 * over once, in one transaction, so an upgrade neither loses a pending alert nor sends one twice.
 */
async function migrateFromKeys(db: EmbeddedDb, told: ToldStore, insert: (i: OutboxItem) => unknown): Promise<void> {
  const legacy = db.sqlite.adapter.keysFrom("v1:told");
  const index = new ShardedIndex<unknown>(db.keyv, KEYS.outboxIndex);
  const pending = (await index.entries()).map(([k]) => k);
  if (legacy.length === 0 && pending.length === 0) return;
  await db.transaction(async () => {
    const keyvTold = createKeyvTold(db);
    const ids = new Set(legacy.map((key) => (key.startsWith("v1:told-shard:") ? key.split(":").slice(3).join(":") : key.slice("v1:told:".length))));
    for (const id of ids) for (const [channel, t] of Object.entries(await keyvTold.get(id))) await told.record({ advisoryId: id, channel, revision: t.revision }, t.ref);
    await db.keyv.deleteMany(legacy);
    const items = (await getManyChunked<OutboxItem>(db.keyv, pending.map(KEYS.outbox))).filter((i): i is OutboxItem => Boolean(i));
    items.forEach(insert);
    await db.keyv.deleteMany([...pending.map(KEYS.outbox), ...index.shardKeys()]);
  });
}

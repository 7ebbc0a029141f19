import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import { createKeyvTold } from "./keyv-told.js";
import { outboxKey, type Outbox, type OutboxItem, type QueuedDelivery } from "./ports/outbox.js";
import { untold } from "./untold.js";
import { getManyChunked, ShardedIndex } from "./sharded-index.js";

/** What the index keeps per pending item: enough to pick due items without reading them all. */
interface Meta {
  readonly notBefore: string;
  readonly enqueuedAt: string;
  readonly parked?: boolean;
}

const meta = (i: OutboxItem): Meta => ({ notBefore: i.notBefore, enqueuedAt: i.enqueuedAt, ...(i.parked && { parked: true }) });

export function createKeyvOutbox(db: Db): Outbox {
  const { keyv } = db;
  const index = new ShardedIndex<Meta>(keyv, KEYS.outboxIndex);
  const told = createKeyvTold(db);

  async function list(): Promise<OutboxItem[]> {
    const keys = (await index.entries()).map(([k]) => k);
    const items = await getManyChunked<OutboxItem>(keyv, keys.map(KEYS.outbox));
    return items.filter((i): i is OutboxItem => Boolean(i));
  }

  /** One transaction for a whole fan-out: each advisory's told record and each index shard read once. */
  function putMany(entries: readonly QueuedDelivery[], now: Date): Promise<number> {
    return db.transaction(async () => {
      const keyed = (await untold(told, entries)).map((e) => ({ ...e, key: outboxKey(e.item.channel, e.item.advisoryId, e.item.revision) }));
      const pending = await index.present(keyed.map((e) => e.key));
      const fresh = new Map<string, OutboxItem>();
      for (const { item, key, notBefore = now } of keyed) {
        if (pending.has(key) || fresh.has(key)) continue;
        fresh.set(key, { ...item, key, attempts: 0, enqueuedAt: now.toISOString(), notBefore: notBefore.toISOString() });
      }
      const items = [...fresh.values()];
      if (items.length === 0) return 0;
      for (let i = 0; i < items.length; i += 1000) {
        await keyv.setMany(items.slice(i, i + 1000).map((item) => ({ key: KEYS.outbox(item.key), value: item })));
      }
      await index.setMany(items.map((item) => [item.key, meta(item)]));
      return items.length;
    });
  }

  async function modify(key: string, fn: (i: OutboxItem) => OutboxItem): Promise<void> {
    await db.transaction(async () => {
      const item = await keyv.get<OutboxItem>(KEYS.outbox(key));
      if (!item) return;
      const next = fn(item);
      await keyv.set(KEYS.outbox(key), next);
      await index.set(key, meta(next));
    });
  }

  async function drop(key: string): Promise<void> {
    await keyv.delete(KEYS.outbox(key));
    await index.delete(key);
  }

  return {
    put: async (item, now, notBefore) => (await putMany([{ item, ...(notBefore && { notBefore }) }], now)) === 1,
    putMany,
    async due(now, limit, platform) {
      const t = now.getTime();
      const keys = (await index.entries())
        .filter(([k, m]) => !m.parked && Date.parse(m.notBefore) <= t && (platform === undefined || k.startsWith(`${platform}:`)))
        .sort(([ka, a], [kb, b]) => a.enqueuedAt.localeCompare(b.enqueuedAt) || ka.localeCompare(kb))
        .slice(0, limit)
        .map(([k]) => k);
      return (await getManyChunked<OutboxItem>(keyv, keys.map(KEYS.outbox))).filter((i): i is OutboxItem => Boolean(i));
    },
    done: (key, ref) =>
      db.transaction(async () => {
        const item = await keyv.get<OutboxItem>(KEYS.outbox(key));
        if (item) await told.record(item, ref);
        await drop(key);
      }),
    defer: (key, until, reason) =>
      modify(key, (i) => ({ ...i, attempts: i.attempts + 1, notBefore: until.toISOString(), lastError: reason })),
    park: (key, reason) => modify(key, (i) => ({ ...i, attempts: i.attempts + 1, parked: reason, lastError: reason })),
    async sending(keys, at) {
      for (const key of keys) await modify(key, (i) => (i.sendingSince ? i : { ...i, sendingSince: at.toISOString() }));
    },
    list,
    async depth() {
      const entries = await index.entries();
      const parked = entries.filter(([, m]) => m.parked).length;
      return { pending: entries.length - parked, parked };
    },
    remove: (key) => db.transaction(() => drop(key)),
    adopt: (into, from) => db.transaction(() => told.adopt(into, from)),
    told: told.get,
  };
}

import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import { createKeyvTold } from "./keyv-told.js";
import { outboxKey, type Outbox, type OutboxItem } from "./ports.js";
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
    put: (input, now, notBefore = now) =>
      db.transaction(async () => {
        const key = outboxKey(input.channel, input.advisoryId, input.revision);
        if (((await told.get(input.advisoryId))[input.channel]?.revision ?? 0) >= input.revision) return false;
        if (await index.has(key)) return false;
        const item: OutboxItem = { ...input, key, attempts: 0, enqueuedAt: now.toISOString(), notBefore: notBefore.toISOString() };
        await keyv.set(KEYS.outbox(key), item);
        await index.set(key, meta(item));
        return true;
      }),
    async due(now, limit) {
      const t = now.getTime();
      const keys = (await index.entries())
        .filter(([, m]) => !m.parked && Date.parse(m.notBefore) <= t)
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
    list,
    remove: (key) => db.transaction(() => drop(key)),
    adopt: (into, from) => db.transaction(() => told.adopt(into, from)),
    told: told.get,
  };
}

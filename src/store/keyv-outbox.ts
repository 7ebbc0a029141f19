import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import { outboxKey, type Outbox, type OutboxItem } from "./ports.js";

type Told = Awaited<ReturnType<Outbox["told"]>>;

export function createKeyvOutbox(db: Db): Outbox {
  const { keyv } = db;

  async function index(): Promise<string[]> {
    return (await keyv.get<string[]>(KEYS.outboxIndex)) ?? [];
  }

  async function list(): Promise<OutboxItem[]> {
    const keys = await index();
    const items = await keyv.getMany<OutboxItem>(keys.map(KEYS.outbox));
    return items.filter((i): i is OutboxItem => Boolean(i));
  }

  async function modify(key: string, fn: (i: OutboxItem) => OutboxItem): Promise<void> {
    await db.transaction(async () => {
      const item = await keyv.get<OutboxItem>(KEYS.outbox(key));
      if (item) await keyv.set(KEYS.outbox(key), fn(item));
    });
  }

  return {
    put: (input, now, notBefore = now) =>
      db.transaction(async () => {
        const key = outboxKey(input.channel, input.advisoryId, input.revision);
        const told = (await keyv.get<Told>(KEYS.told(input.advisoryId))) ?? {};
        if ((told[input.channel]?.revision ?? 0) >= input.revision) return false;
        if (await keyv.get(KEYS.outbox(key))) return false;
        const item: OutboxItem = { ...input, key, attempts: 0, enqueuedAt: now.toISOString(), notBefore: notBefore.toISOString() };
        await keyv.set(KEYS.outbox(key), item);
        await keyv.set(KEYS.outboxIndex, [...(await index()), key]);
        return true;
      }),
    async due(now, limit) {
      const t = now.getTime();
      return (await list())
        .filter((i) => !i.parked && Date.parse(i.notBefore) <= t)
        .sort((a, b) => a.enqueuedAt.localeCompare(b.enqueuedAt))
        .slice(0, limit);
    },
    done: (key, ref) =>
      db.transaction(async () => {
        const item = await keyv.get<OutboxItem>(KEYS.outbox(key));
        if (item) {
          const told = (await keyv.get<Told>(KEYS.told(item.advisoryId))) ?? {};
          await keyv.set(KEYS.told(item.advisoryId), { ...told, [item.channel]: { revision: item.revision, ref } });
        }
        await keyv.delete(KEYS.outbox(key));
        await keyv.set(KEYS.outboxIndex, (await index()).filter((k) => k !== key));
      }),
    defer: (key, until, reason) =>
      modify(key, (i) => ({ ...i, attempts: i.attempts + 1, notBefore: until.toISOString(), lastError: reason })),
    park: (key, reason) => modify(key, (i) => ({ ...i, attempts: i.attempts + 1, parked: reason, lastError: reason })),
    list,
    remove: (key) =>
      db.transaction(async () => {
        await keyv.delete(KEYS.outbox(key));
        await keyv.set(KEYS.outboxIndex, (await index()).filter((k) => k !== key));
      }),
    adopt: (into, from) =>
      db.transaction(async () => {
        const merged: Told = { ...((await keyv.get<Told>(KEYS.told(into))) ?? {}) };
        for (const id of from) {
          for (const [channel, t] of Object.entries((await keyv.get<Told>(KEYS.told(id))) ?? {})) merged[channel] ??= { revision: 0, ref: t.ref };
          await keyv.delete(KEYS.told(id));
        }
        await keyv.set(KEYS.told(into), merged);
      }),
    async told(advisoryId) {
      return (await keyv.get<Told>(KEYS.told(advisoryId))) ?? {};
    },
  };
}

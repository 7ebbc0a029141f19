import { randomUUID } from "node:crypto";
import { newChannel, withDefaults, type Channel } from "../channel.js";
import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import type { ChannelStore } from "./ports/channels.js";
import { forEachChunked, ShardedIndex } from "./sharded-index.js";

export function createKeyvChannelStore(db: Db): ChannelStore {
  const { keyv } = db;
  const index = new ShardedIndex<1>(keyv, KEYS.channels);
  const touch = () => keyv.set(KEYS.channelsRevision, randomUUID());
  async function forEach(visit: (channel: Channel) => void): Promise<void> {
    const keys = (await index.entries()).map(([k]) => KEYS.channel(k));
    await forEachChunked<Channel>(keyv, keys, (c) => {
      if (c) visit(withDefaults(c));
    });
  }
  return {
    async get(key) {
      const c = await keyv.get<Channel>(KEYS.channel(key));
      return c ? withDefaults(c) : undefined;
    },
    update: (key, fn) =>
      db.transaction(async () => {
        const stored = await keyv.get<Channel>(KEYS.channel(key));
        const cur = stored ? withDefaults(stored) : newChannel(key);
        const next = fn(cur);
        await keyv.set(KEYS.channel(key), next);
        if (!stored) await index.set(key, 1);
        await touch();
        return next;
      }),
    putMany: (channels) =>
      db.transaction(async () => {
        for (let i = 0; i < channels.length; i += 1000) {
          const part = channels.slice(i, i + 1000);
          await keyv.setMany(part.map((c) => ({ key: KEYS.channel(c.key), value: c })));
        }
        await index.setMany(channels.map((c) => [c.key, 1]));
        await touch();
      }),
    move: (from, to) =>
      db.transaction(async () => {
        const cur = await keyv.get<Channel>(KEYS.channel(from));
        if (!cur) return undefined;
        const moved: Channel = { ...cur, key: to };
        await keyv.set(KEYS.channel(to), moved);
        await keyv.delete(KEYS.channel(from));
        await index.delete(from);
        await index.set(to, 1);
        await touch();
        return moved;
      }),
    revision: () => keyv.get<string>(KEYS.channelsRevision),
    list: async () => {
      const out: Channel[] = [];
      await forEach((c) => out.push(c));
      return out;
    },
    forEach,
  };
}

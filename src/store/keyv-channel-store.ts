import { newChannel, withDefaults, type Channel } from "../channel.js";
import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import type { ChannelStore } from "./ports.js";

export function createKeyvChannelStore(db: Db): ChannelStore {
  const { keyv } = db;
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
        const index = (await keyv.get<string[]>(KEYS.channels)) ?? [];
        if (!index.includes(key)) await keyv.set(KEYS.channels, [...index, key]);
        return next;
      }),
    move: (from, to) =>
      db.transaction(async () => {
        const cur = await keyv.get<Channel>(KEYS.channel(from));
        if (!cur) return undefined;
        const moved: Channel = { ...cur, key: to };
        await keyv.set(KEYS.channel(to), moved);
        await keyv.delete(KEYS.channel(from));
        const index = ((await keyv.get<string[]>(KEYS.channels)) ?? []).filter((k) => k !== from && k !== to);
        await keyv.set(KEYS.channels, [...index, to]);
        return moved;
      }),
    async list() {
      const index = (await keyv.get<string[]>(KEYS.channels)) ?? [];
      const records = await keyv.getMany<Channel>(index.map(KEYS.channel));
      return records.filter((c): c is Channel => Boolean(c)).map(withDefaults);
    },
  };
}

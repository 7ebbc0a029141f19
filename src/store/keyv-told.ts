import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import type { Told, ToldStore } from "./ports.js";

/** Callers that combine this with other writes run it inside their own `db.transaction`. */
export function createKeyvTold(db: Db): ToldStore {
  const { keyv } = db;
  const get = async (id: string) => (await keyv.get<Told>(KEYS.told(id))) ?? {};
  return {
    get,
    async record(item, ref) {
      await keyv.set(KEYS.told(item.advisoryId), { ...(await get(item.advisoryId)), [item.channel]: { revision: item.revision, ref } });
    },
    async adopt(into, from) {
      const merged: Told = { ...(await get(into)) };
      for (const id of from) {
        for (const [channel, t] of Object.entries(await get(id))) merged[channel] ??= { revision: 0, ref: t.ref };
        await keyv.delete(KEYS.told(id));
      }
      await keyv.set(KEYS.told(into), merged);
    },
  };
}

import { createHash } from "node:crypto";
import { groupBy } from "../util/group-by.js";
import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import type { Told, ToldStore } from "./ports/told.js";

// One advisory can reach 10,000 channels: its record is spread over shards so that recording one
// delivery rewrites ~1/64 of it rather than all of it (measured: the whole map made each delivery
// ~5 ms at 1,000 channels).
const SHARDS = 64;
const shardOf = (channel: string) => createHash("sha1").update(channel).digest()[0]! % SHARDS;
const allShards = (id: string) => Array.from({ length: SHARDS }, (_, n) => KEYS.toldShard(id, n));

/** Callers that combine this with other writes run it inside their own `db.transaction`. */
export function createKeyvTold(db: Db): ToldStore {
  const { keyv } = db;
  // Records written before sharding (one map under KEYS.told) are read too, and folded in on adopt.
  async function get(id: string): Promise<Told> {
    const parts = await keyv.getMany<Told>([KEYS.told(id), ...allShards(id)]);
    return Object.assign({}, ...parts.map((p) => p ?? {})) as Told;
  }
  async function write(id: string, entries: Told): Promise<void> {
    const byShard = [...groupBy(Object.entries(entries), ([channel]) => shardOf(channel))];
    const keys = byShard.map(([n]) => KEYS.toldShard(id, n));
    const current = await keyv.getMany<Told>(keys);
    await keyv.setMany(byShard.map(([, add], i) => ({ key: keys[i]!, value: { ...current[i], ...Object.fromEntries(add) } })));
  }
  return {
    get,
    record: (item, ref) => write(item.advisoryId, { [item.channel]: { revision: item.revision, ref } }),
    async adopt(into, from) {
      const existing = await get(into);
      const adopted: Record<string, Told[string]> = {};
      for (const id of from) {
        for (const [channel, t] of Object.entries(await get(id))) if (!existing[channel] && !adopted[channel]) adopted[channel] = { revision: 0, ref: t.ref };
        await keyv.deleteMany([KEYS.told(id), ...allShards(id)]);
      }
      if (Object.keys(adopted).length > 0) await write(into, adopted);
    },
  };
}

import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import type { DigestEntry, DigestQueue } from "./ports/digests.js";

export function createKeyvDigestQueue(db: Db): DigestQueue {
  const { keyv } = db;
  const read = async (channel: string) => (await keyv.get<DigestEntry[]>(KEYS.digest(channel))) ?? [];
  return {
    add: (channel, entry) =>
      db.transaction(async () => {
        const entries = (await read(channel)).filter((e) => e.advisoryId !== entry.advisoryId);
        await keyv.set(KEYS.digest(channel), [...entries, entry]);
      }),
    list: read,
    remove: (channel, done) =>
      db.transaction(async () => {
        const gone = new Set(done.map((e) => `${e.advisoryId}|${e.revision}`));
        await keyv.set(KEYS.digest(channel), (await read(channel)).filter((e) => !gone.has(`${e.advisoryId}|${e.revision}`)));
      }),
  };
}

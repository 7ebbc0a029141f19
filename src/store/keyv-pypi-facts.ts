import type { PypiFactsStore, StoredPypiFacts } from "../sources/pypi/pypi-facts-store.js";
import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import { getManyChunked } from "./sharded-index.js";

export function createKeyvPypiFacts(db: Db): PypiFactsStore {
  const { keyv } = db;
  const valid = (f: unknown): f is StoredPypiFacts => typeof f === "object" && f !== null && (f as { v?: unknown }).v === 1;
  return {
    async get(name) {
      const f = await keyv.get<unknown>(KEYS.pypi(name));
      return valid(f) ? f : undefined;
    },
    async getMany(names) {
      const found = await getManyChunked<unknown>(keyv, names.map(KEYS.pypi));
      return new Map(found.flatMap((f, i) => (valid(f) ? [[names[i]!, f] as const] : [])));
    },
    async set(facts) {
      await keyv.set(KEYS.pypi(facts.name), facts);
    },
  };
}

import type { PypiFacts } from "../sources/pypi/pypi-facts.js";
import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import { getManyChunked } from "./sharded-index.js";
import type { Validators } from "./ports.js";

/** PyPI's facts per project, with the validators of the last answer (a repeat poll is a 304). */
export interface StoredPypiFacts extends PypiFacts {
  readonly validators?: Validators;
}

export interface PypiFactsStore {
  get(name: string): Promise<StoredPypiFacts | undefined>;
  getMany(names: readonly string[]): Promise<Map<string, StoredPypiFacts>>;
  set(facts: StoredPypiFacts): Promise<void>;
}

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

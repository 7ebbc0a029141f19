import { createHash } from "node:crypto";
import type Keyv from "keyv";
import { groupBy } from "../util/group-by.js";

const SHARDS = 256;
const CHUNK = 500;

/** Each value of `keys`, in order, read with getMany in chunks (SQLite limits how many values one statement may bind). */
export async function forEachChunked<T>(keyv: Keyv, keys: readonly string[], visit: (value: T | undefined) => void): Promise<void> {
  for (let i = 0; i < keys.length; i += CHUNK) {
    for (const v of await keyv.getMany<T>(keys.slice(i, i + CHUNK))) visit(v ?? undefined);
  }
}

/** The same, collected. */
export async function getManyChunked<T>(keyv: Keyv, keys: readonly string[]): Promise<(T | undefined)[]> {
  const out: (T | undefined)[] = [];
  await forEachChunked<T>(keyv, keys, (v) => out.push(v));
  return out;
}

/**
 * A set of keys with a small value each, spread over 256 store keys, so adding or removing one
 * rewrites ~1/256 of the index instead of all of it (100,000 channels, 10,000 pending alerts).
 */
export class ShardedIndex<V> {
  private readonly keyv: Keyv;
  private readonly prefix: string;

  constructor(keyv: Keyv, prefix: string) {
    this.keyv = keyv;
    this.prefix = prefix;
  }

  private shardOf(key: string): string {
    return `${this.prefix}:${createHash("sha1").update(key).digest()[0]! % SHARDS}`;
  }

  /** Call inside a transaction: read-modify-write of one shard. */
  async set(key: string, value: V): Promise<void> {
    const shard = this.shardOf(key);
    const cur = (await this.keyv.get<Record<string, V>>(shard)) ?? {};
    await this.keyv.set(shard, { ...cur, [key]: value });
  }

  /** Adds many entries, one read and one write per shard touched. */
  async setMany(entries: readonly (readonly [string, V])[]): Promise<void> {
    const byShard = groupBy(entries, ([k]) => this.shardOf(k));
    const shards = [...byShard.keys()];
    const current = await getManyChunked<Record<string, V>>(this.keyv, shards);
    await this.keyv.setMany(shards.map((shard, i) => ({ key: shard, value: { ...current[i], ...Object.fromEntries(byShard.get(shard)!) } })));
  }

  async delete(key: string): Promise<void> {
    const shard = this.shardOf(key);
    const cur = (await this.keyv.get<Record<string, V>>(shard)) ?? {};
    if (!(key in cur)) return;
    const { [key]: _gone, ...rest } = cur;
    await this.keyv.set(shard, rest);
  }

  /** Which of `keys` are present: one read per shard touched. */
  async present(keys: readonly string[]): Promise<Set<string>> {
    const shards = [...new Set(keys.map((k) => this.shardOf(k)))];
    const current = await getManyChunked<Record<string, V>>(this.keyv, shards);
    const all = Object.assign({}, ...current.map((c) => c ?? {})) as Record<string, V>;
    return new Set(keys.filter((k) => k in all));
  }

  async has(key: string): Promise<boolean> {
    const cur = await this.keyv.get<Record<string, V>>(this.shardOf(key));
    return Boolean(cur && key in cur);
  }

  /** The store keys the index is spread over. */
  shardKeys(): string[] {
    return Array.from({ length: SHARDS }, (_, i) => `${this.prefix}:${i}`);
  }

  async entries(): Promise<[string, V][]> {
    const shards = await getManyChunked<Record<string, V>>(this.keyv, this.shardKeys());
    return shards.flatMap((s) => Object.entries(s ?? {}));
  }
}

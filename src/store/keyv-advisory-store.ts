import { classify, type Change, type StoredAdvisory } from "../advisory/diff.js";
import { groupRecord } from "../advisory/group.js";
import { idsOf, mergeRecords } from "../advisory/merge.js";
import type { NormalizedName } from "../advisory/names.js";
import type { Advisory } from "../advisory/osv-schema.js";
import type { Clock } from "../clock.js";
import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import type { AdvisoryStore } from "./ports/mirror.js";
import { getManyChunked } from "./sharded-index.js";

/** One record as a source delivered it (PYSEC-…, GHSA-…), before merging. */
interface StoredRecord {
  readonly v: 1;
  readonly advisory: Advisory;
  readonly sources: Record<string, string>;
}

function packagesOf(a: Advisory): string[] {
  return [...new Set(a.affected.flatMap((x) => (x.package ? [x.package.name] : [])))];
}

function instant(ts: string): number {
  const t = Date.parse(ts);
  return Number.isNaN(t) ? 0 : t;
}

/** Read-through cache of keys for one batch; everything set here is written at the end in one go. */
class Overlay {
  private readonly cache = new Map<string, unknown>();
  readonly dirty = new Set<string>();
  readonly deleted = new Set<string>();
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async load(keys: readonly string[]): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.cache.has(k));
    if (missing.length === 0) return;
    const values = await getManyChunked(this.db.keyv, missing);
    missing.forEach((k, i) => this.cache.set(k, values[i] ?? undefined));
  }

  async get<T>(key: string): Promise<T | undefined> {
    await this.load([key]);
    return this.cache.get(key) as T | undefined;
  }

  set(key: string, value: unknown): void {
    this.cache.set(key, value);
    this.dirty.add(key);
    this.deleted.delete(key);
  }

  delete(key: string): void {
    this.cache.set(key, undefined);
    this.dirty.delete(key);
    this.deleted.add(key);
  }

  async flush(): Promise<void> {
    const entries = [...this.dirty].map((key) => ({ key, value: this.cache.get(key) }));
    for (let i = 0; i < entries.length; i += 1000) await this.db.keyv.setMany(entries.slice(i, i + 1000));
    for (const key of this.deleted) await this.db.keyv.delete(key);
  }
}

export function createKeyvAdvisoryStore(db: Db, clock: Clock): AdvisoryStore {
  const { keyv } = db;

  async function get(idOrAlias: string): Promise<StoredAdvisory | undefined> {
    const direct = await keyv.get<StoredAdvisory>(KEYS.advisory(idOrAlias));
    if (direct) return direct;
    const id = await keyv.get<string>(KEYS.alias(idOrAlias.toUpperCase()));
    return id ? keyv.get<StoredAdvisory>(KEYS.advisory(id)) : undefined;
  }

  async function addToPackages(o: Overlay, canonical: string, pkgs: readonly string[], gone: readonly string[] = []): Promise<void> {
    for (const p of pkgs) {
      const list = (await o.get<string[]>(KEYS.pkg(p))) ?? [];
      const next = [...new Set([...list.filter((id) => !gone.includes(id)), canonical])];
      if (next.length !== list.length || next.some((id, i) => id !== list[i])) o.set(KEYS.pkg(p), next);
    }
  }

  async function upsertOne(o: Overlay, packageNames: Set<string>, r: Advisory, source: string, quiet: boolean, now: Date): Promise<Change> {
    const prevRecord = await o.get<StoredRecord>(KEYS.record(r.id));
    // An older copy never overwrites a newer one.
    if (prevRecord && instant(r.modified) < instant(prevRecord.advisory.modified)) {
      const canonical = (await o.get<string>(KEYS.alias(r.id.toUpperCase())))!;
      const current = (await o.get<StoredAdvisory>(KEYS.advisory(canonical)))!;
      return { kind: "unchanged", current, previous: current, write: false };
    }
    const nowIso = now.toISOString();
    o.set(KEYS.record(r.id), { v: 1, advisory: r, sources: { [source]: nowIso, ...prevRecord?.sources } } satisfies StoredRecord);
    // Union-find by ids: every advisory any of this record's ids already belongs to.
    const ids = idsOf(r);
    await o.load(ids.map(KEYS.alias));
    const found = new Set<string>();
    for (const id of ids) {
      const c = await o.get<string>(KEYS.alias(id));
      if (c) found.add(c);
    }
    const reached = (await Promise.all([...found].map((c) => o.get<StoredAdvisory>(KEYS.advisory(c))))).filter((g): g is StoredAdvisory => Boolean(g));
    const { survivor, canonical, absorbed, members } = groupRecord(r.id, reached);
    await o.load(members.map(KEYS.record));
    const memberRecords = (await Promise.all(members.map((m) => o.get<StoredRecord>(KEYS.record(m))))).filter((x): x is StoredRecord => Boolean(x));
    const merged = mergeRecords(canonical, memberRecords.map((m) => m.advisory));
    const change = classify(survivor, merged, now, quiet, survivor?.kev ?? false, members);
    const sources: Record<string, string> = {};
    for (const m of memberRecords) for (const [s, at] of Object.entries(m.sources)) if (!sources[s] || at < sources[s]!) sources[s] = at;
    const current: StoredAdvisory = { ...change.current, members: [...members], sources };
    o.set(KEYS.advisory(canonical), current);
    for (const g of absorbed) o.delete(KEYS.advisory(g.advisory.id));
    for (const id of idsOf(merged)) if ((await o.get<string>(KEYS.alias(id))) !== canonical) o.set(KEYS.alias(id), canonical);
    const gone = absorbed.map((g) => g.advisory.id);
    await addToPackages(o, canonical, [...packagesOf(merged), ...absorbed.flatMap((g) => packagesOf(g.advisory))], gone);
    for (const p of packagesOf(merged)) packageNames.add(p);
    return { ...change, current, write: true, ...(gone.length && { absorbed: gone }) };
  }

  return {
    get,
    async upsertMany(records, opts = {}) {
      if (records.length === 0) return [];
      return db.transaction(async () => {
        const o = new Overlay(db);
        // Batch the reads that every record needs, so a seed of thousands stays a handful of queries.
        await o.load([
          ...records.map((r) => KEYS.record(r.id)),
          ...records.flatMap((r) => idsOf(r).map(KEYS.alias)),
          ...records.flatMap((r) => packagesOf(r).map(KEYS.pkg)),
        ]);
        const known = (await o.get<string[]>(KEYS.packages)) ?? [];
        const packageNames = new Set(known);
        const now = clock.now();
        const changes: Change[] = [];
        for (const r of records) changes.push(await upsertOne(o, packageNames, r, opts.source ?? "osv", Boolean(opts.quiet), now));
        if (packageNames.size !== known.length) o.set(KEYS.packages, [...packageNames].sort());
        await o.flush();
        return changes;
      });
    },
    async setPriority(id, signals) {
      return db.transaction(async () => {
        const cur = await get(id);
        if (!cur) return undefined;
        const change = classify(cur, cur.advisory, clock.now(), false, signals.kev, cur.members ?? []);
        const current: StoredAdvisory = { ...change.current, kev: signals.kev, ...(signals.epss !== undefined && { epss: signals.epss }) };
        await keyv.set(KEYS.advisory(cur.advisory.id), current);
        return { ...change, current };
      });
    },
    async byPackage(name: NormalizedName) {
      const ids = (await keyv.get<string[]>(KEYS.pkg(name))) ?? [];
      if (ids.length === 0) return [];
      const records = await getManyChunked<StoredAdvisory>(keyv, ids.map(KEYS.advisory));
      return records.filter((r): r is StoredAdvisory => r !== undefined && r !== null);
    },
    async fannedOut(id, revision) {
      await db.transaction(async () => {
        const cur = await keyv.get<StoredAdvisory>(KEYS.advisory(id));
        if (!cur || cur.revision !== revision || !cur.pendingEvent) return;
        const { pendingEvent: _done, ...rest } = cur;
        await keyv.set(KEYS.advisory(id), rest);
      });
    },
    async packageNames() {
      return (await keyv.get<string[]>(KEYS.packages)) ?? [];
    },
    async count() {
      const names = (await keyv.get<string[]>(KEYS.packages)) ?? [];
      const lists = await getManyChunked<string[]>(keyv, names.map(KEYS.pkg));
      return new Set(lists.flatMap((l) => l ?? [])).size;
    },
  };
}

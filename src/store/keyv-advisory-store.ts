import { classify, type Change, type StoredAdvisory } from "../advisory/diff.js";
import type { NormalizedName } from "../advisory/names.js";
import type { Advisory } from "../advisory/osv-schema.js";
import type { Clock } from "../clock.js";
import { KEYS } from "./keys.js";
import type { Db } from "./open.js";
import type { AdvisoryStore } from "./ports.js";

function packagesOf(a: Advisory): string[] {
  return [...new Set(a.affected.flatMap((x) => (x.package ? [x.package.name] : [])))];
}

export function createKeyvAdvisoryStore(db: Db, clock: Clock): AdvisoryStore {
  const { keyv } = db;

  async function get(idOrAlias: string): Promise<StoredAdvisory | undefined> {
    const direct = await keyv.get<StoredAdvisory>(KEYS.advisory(idOrAlias));
    if (direct) return direct;
    const id = await keyv.get<string>(KEYS.alias(idOrAlias.toUpperCase()));
    return id ? keyv.get<StoredAdvisory>(KEYS.advisory(id)) : undefined;
  }

  async function upsertMany(records: readonly Advisory[], opts: { readonly quiet?: boolean } = {}): Promise<Change[]> {
    if (records.length === 0) return [];
    return db.transaction(async () => {
      const prev = await keyv.getMany<StoredAdvisory>(records.map((r) => KEYS.advisory(r.id)));
      const changes = records.map((r, i) => classify(prev[i] ?? undefined, r, clock.now(), opts.quiet));
      const writes = changes.filter((c) => c.write);
      const pkgAdds = new Map<string, Set<string>>();
      const entries: { key: string; value: unknown }[] = [];
      for (const c of writes) {
        const a = c.current.advisory;
        entries.push({ key: KEYS.advisory(a.id), value: c.current });
        for (const alias of a.aliases) entries.push({ key: KEYS.alias(alias.toUpperCase()), value: a.id });
        for (const p of packagesOf(a)) {
          if (c.previous && packagesOf(c.previous.advisory).includes(p)) continue;
          let set = pkgAdds.get(p);
          if (!set) pkgAdds.set(p, (set = new Set()));
          set.add(a.id);
        }
      }
      if (pkgAdds.size > 0) {
        const names = [...pkgAdds.keys()];
        const lists = await keyv.getMany<string[]>(names.map(KEYS.pkg));
        const known = (await keyv.get<string[]>(KEYS.packages)) ?? [];
        const allNames = new Set(known);
        names.forEach((name, i) => {
          entries.push({ key: KEYS.pkg(name), value: [...new Set([...(lists[i] ?? []), ...pkgAdds.get(name)!])] });
          allNames.add(name);
        });
        if (allNames.size !== known.length) entries.push({ key: KEYS.packages, value: [...allNames].sort() });
      }
      if (entries.length) await keyv.setMany(entries);
      return changes;
    });
  }

  return {
    get,
    upsertMany,
    async byPackage(name: NormalizedName) {
      const ids = (await keyv.get<string[]>(KEYS.pkg(name))) ?? [];
      if (ids.length === 0) return [];
      const records = await keyv.getMany<StoredAdvisory>(ids.map(KEYS.advisory));
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
      const lists = await keyv.getMany<string[]>(names.map(KEYS.pkg));
      return new Set(lists.flatMap((l) => l ?? [])).size;
    },
  };
}

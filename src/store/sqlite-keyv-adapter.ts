import type { DatabaseSync, StatementSync } from "node:sqlite";
import { Hookified } from "hookified";
import type { KeyvStorageAdapter, KeyvStorageCapability, KeyvStorageEntry } from "keyv";

// SQLite binds at most 32,766 values per statement; batches stay far below that.
const BATCH = 500;

type Row = { key: string; value: string; expires: number | null };

const METHODS = ["get", "getMany", "has", "hasMany", "set", "setMany", "delete", "deleteMany", "clear", "disconnect", "iterator"] as const;

/**
 * A Keyv storage adapter over Node's built-in `node:sqlite`: synchronous calls on one connection
 * (no thread pool, nothing compiled), absolute expiry checked on read, the namespace as a key prefix.
 * The connection is owned by the caller (open.ts), which also runs transactions on it.
 */
export class SqliteKeyvAdapter extends Hookified implements KeyvStorageAdapter {
  namespace?: string | undefined;
  readonly capabilities: KeyvStorageCapability = {
    compatible: true,
    store: "keyvStorage",
    expires: true,
    methods: Object.fromEntries(METHODS.map((m) => [m, { exists: true, methodType: "async" }])) as KeyvStorageCapability["methods"],
  };
  private readonly db: DatabaseSync;
  private readonly table: string;
  private readonly now: () => number;
  private readonly separator: string;
  /** Statements with `n` placeholders in an IN list or VALUES, prepared once per n. */
  private readonly byCount = new Map<string, StatementSync>();
  private readonly stmt: { get: StatementSync; set: StatementSync; del: StatementSync; clearNs: StatementSync; clearAll: StatementSync; iter: StatementSync; purge: StatementSync };

  /** `separator` goes between namespace and key (Keyv 6's adapters use "::"; Keyv 5 wrote ":"). */
  constructor(db: DatabaseSync, opts: { readonly table?: string; readonly separator?: string; readonly now?: () => number } = {}) {
    super({ throwOnHookError: false });
    this.db = db;
    this.table = opts.table ?? "keyv";
    if (!/^[a-z_][a-z0-9_]*$/i.test(this.table)) throw new Error(`invalid table name "${this.table}"`);
    this.now = opts.now ?? Date.now;
    this.separator = opts.separator ?? "::";
    db.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires INTEGER)`);
    // A table written by @keyv/sqlite (earlier releases) has no expires column: add it.
    const columns = db.prepare(`PRAGMA table_info(${this.table})`).all() as { name: string }[];
    if (!columns.some((c) => c.name === "expires")) db.exec(`ALTER TABLE ${this.table} ADD COLUMN expires INTEGER`);
    this.stmt = {
      get: db.prepare(`SELECT value, expires FROM ${this.table} WHERE key = ?`),
      set: db.prepare(`INSERT INTO ${this.table} (key, value, expires) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires`),
      del: db.prepare(`DELETE FROM ${this.table} WHERE key = ?`),
      clearNs: db.prepare(`DELETE FROM ${this.table} WHERE substr(key, 1, ?) = ?`),
      clearAll: db.prepare(`DELETE FROM ${this.table}`),
      iter: db.prepare(`SELECT key, value, expires FROM ${this.table} WHERE substr(key, 1, ?) = ? ORDER BY key`),
      purge: db.prepare(`DELETE FROM ${this.table} WHERE expires IS NOT NULL AND expires <= ?`),
    };
  }

  private sized(kind: "select" | "insert" | "delete", n: number): StatementSync {
    const id = `${kind}:${n}`;
    let stmt = this.byCount.get(id);
    if (!stmt) {
      const list = Array.from({ length: n }, () => "?").join(",");
      const sql =
        kind === "select" ? `SELECT key, value, expires FROM ${this.table} WHERE key IN (${list})`
        : kind === "delete" ? `DELETE FROM ${this.table} WHERE key IN (${list})`
        : `INSERT INTO ${this.table} (key, value, expires) VALUES ${Array.from({ length: n }, () => "(?, ?, ?)").join(", ")} ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires = excluded.expires`;
      this.byCount.set(id, (stmt = this.db.prepare(sql)));
    }
    return stmt;
  }

  private prefix(): string {
    return this.namespace ? `${this.namespace}${this.separator}` : "";
  }

  private full(key: string): string {
    return this.prefix() + key;
  }

  private live(row: { value: string; expires: number | null } | undefined): string | undefined {
    if (!row) return undefined;
    return row.expires !== null && row.expires <= this.now() ? undefined : row.value;
  }

  private rows(keys: readonly string[]): Map<string, { value: string; expires: number | null }> {
    const found = new Map<string, { value: string; expires: number | null }>();
    for (let i = 0; i < keys.length; i += BATCH) {
      const part = keys.slice(i, i + BATCH).map((k) => this.full(k));
      for (const r of this.sized("select", part.length).all(...part) as Row[]) found.set(r.key, r);
    }
    return found;
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    return this.live(this.stmt.get.get(this.full(key)) as Row | undefined) as Value | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<(Value | undefined)[]> {
    const found = this.rows(keys);
    return keys.map((k) => this.live(found.get(this.full(k))) as Value | undefined);
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async hasMany(keys: string[]): Promise<boolean[]> {
    return (await this.getMany(keys)).map((v) => v !== undefined);
  }

  async set(key: string, value: unknown, expires?: number): Promise<boolean> {
    this.stmt.set.run(this.full(key), String(value), typeof expires === "number" ? expires : null);
    return true;
  }

  async setMany<Value>(entries: KeyvStorageEntry<Value>[]): Promise<boolean[]> {
    for (let i = 0; i < entries.length; i += BATCH) {
      const part = entries.slice(i, i + BATCH);
      this.sized("insert", part.length).run(...part.flatMap((e) => [this.full(e.key), String(e.value), typeof e.expires === "number" ? e.expires : null]));
    }
    return entries.map(() => true);
  }

  async delete(key: string): Promise<boolean> {
    return Number(this.stmt.del.run(this.full(key)).changes) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean[]> {
    const found = this.rows(keys);
    for (let i = 0; i < keys.length; i += BATCH) {
      const part = keys.slice(i, i + BATCH).map((k) => this.full(k));
      this.sized("delete", part.length).run(...part);
    }
    return keys.map((k) => found.has(this.full(k)));
  }

  async clear(): Promise<void> {
    const p = this.prefix();
    if (p) this.stmt.clearNs.run(p.length, p);
    else this.stmt.clearAll.run();
  }

  async *iterator<Value>(): AsyncGenerator<[string, Value], void> {
    const p = this.prefix();
    this.stmt.purge.run(this.now());
    for (const row of this.stmt.iter.iterate(p.length, p) as Iterable<Row>) {
      const value = this.live(row);
      if (value !== undefined) yield [row.key.slice(p.length), value as Value];
    }
  }

  /** The keys of this namespace that start with `start` (a range scan on the primary key). */
  keysFrom(start: string): string[] {
    const from = this.full(start);
    // The smallest string above every key that starts with `from`.
    const to = from.slice(0, -1) + String.fromCharCode(from.charCodeAt(from.length - 1) + 1);
    const rows = this.db.prepare(`SELECT key FROM ${this.table} WHERE key >= ? AND key < ?`).all(from, to) as { key: string }[];
    return rows.map((r) => r.key.slice(this.prefix().length));
  }

  async disconnect(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

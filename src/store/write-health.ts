import type { DatabaseSync, StatementSync } from "node:sqlite";
import { errorMessage } from "../errors.js";

/** Whether the store can take writes now: its last write failed for want of space or I/O, or not. */
export interface WriteHealth {
  /** Set from the first failed write until a write succeeds again. */
  readonly failure: { readonly since: Date; readonly message: string } | undefined;
  failed(err: unknown): void;
  succeeded(): void;
}

// SQLite's primary result codes that mean the file cannot take writes (not a bad statement):
// READONLY, IOERR, CORRUPT, FULL, CANTOPEN, NOTADB.
const STORAGE_CODES = new Set([8, 10, 11, 13, 14, 26]);

/** True for an error that says the store cannot write (disk full, I/O error, read-only file). */
export function isStorageFailure(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { errcode, code } = err as { errcode?: unknown; code?: unknown };
  return (typeof errcode === "number" && STORAGE_CODES.has(errcode & 0xff)) || code === "ENOSPC" || code === "EROFS";
}

/** "cannot write since 2026-12-02T10:00:00Z: database or disk is full" (status, /healthz). */
export function describeWriteFailure(failure: NonNullable<WriteHealth["failure"]>): string {
  return `cannot write since ${failure.since.toISOString().replace(/\.\d{3}Z$/, "Z")}: ${failure.message}`;
}

export function createWriteHealth(now: () => Date): WriteHealth {
  let failure: WriteHealth["failure"];
  return {
    get failure() {
      return failure;
    },
    failed(err) {
      if (isStorageFailure(err)) failure = { since: failure?.since ?? now(), message: errorMessage(err) };
    },
    succeeded() {
      failure = undefined;
    },
  };
}

/**
 * The same connection, with every write (`exec`, a statement's `run`) reported to `health`: the
 * adapter, the outbox and the transactions all write through it, so no write goes unseen.
 */
export function trackWrites(db: DatabaseSync, health: WriteHealth): DatabaseSync {
  // `counts`: whether success says the store takes writes again (a BEGIN writes nothing).
  const tracked = <T>(write: () => T, counts = true): T => {
    try {
      const result = write();
      if (counts) health.succeeded();
      return result;
    } catch (err) {
      health.failed(err);
      throw err;
    }
  };
  const statement = (stmt: StatementSync) =>
    new Proxy(stmt, {
      get(target, prop) {
        if (prop === "run") return (...args: Parameters<StatementSync["run"]>) => tracked(() => target.run(...args));
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => statement(target.prepare(sql));
      if (prop === "exec") return (sql: string) => tracked(() => target.exec(sql), !/^\s*BEGIN/i.test(sql));
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

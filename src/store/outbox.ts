import { createKeyvOutbox } from "./keyv-outbox.js";
import type { Db } from "./open.js";
import type { Outbox } from "./ports/outbox.js";
import { createSqliteOutbox } from "./sqlite-outbox.js";

/** The embedded store keeps the outbox and who-was-told in tables of its own; the shared stores in Keyv keys. */
export function openOutbox(db: Db): Promise<Outbox> | Outbox {
  return db.sqlite ? createSqliteOutbox({ ...db, sqlite: db.sqlite }) : createKeyvOutbox(db);
}

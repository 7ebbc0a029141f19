// A store file written by earlier releases (Keyv 5 with @keyv/sqlite: keys "keyv:<key>", no expires
// column; outbox and who-was-told under Keyv keys) opens as it is, and its pending alerts and
// delivery records move to the outbox tables: nothing is lost or sent twice by the upgrade.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openOutbox } from "../../../src/store/outbox.js";
import { openDb } from "../../../src/store/open.js";

const dir = mkdtempSync(join(tmpdir(), "pysec-herald-legacy-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const item = {
  key: "slack:T1/C1|PYSEC-2023-74|1", channel: "slack:T1/C1", advisoryId: "PYSEC-2023-74", revision: 1,
  message: { type: "reply", text: ":colon first", ephemeral: false }, enqueuedAt: "2026-11-01T00:00:00.000Z", attempts: 2, notBefore: "2026-11-01T00:05:00.000Z",
};

it("reads a file from the previous release and moves its outbox and who-was-told into tables", async () => {
  const path = join(dir, "old.sqlite");
  const old = new DatabaseSync(path);
  old.exec("CREATE TABLE keyv(key VARCHAR(255) PRIMARY KEY, value TEXT )");
  const put = (key: string, value: unknown) => old.prepare("INSERT INTO keyv (key, value) VALUES (?, ?)").run(`keyv:${key}`, JSON.stringify({ value, expires: null }));
  put("v1:meta:schema", { version: 1 });
  // Keyv 5 escaped a string value that starts with ":" with one more ":".
  put(`v1:outbox:${item.key}`, { ...item, message: { ...item.message, text: "::colon first" } });
  put(`v1:outbox:${createHash("sha1").update(item.key).digest()[0]! % 256}`, { [item.key]: { notBefore: item.notBefore, enqueuedAt: item.enqueuedAt } });
  put("v1:told-shard:7:PYSEC-2024-1", { "telegram:5": { revision: 3, ref: { channel: "telegram:5", id: "42" } } });
  put("v1:told:PYSEC-2024-1", { "discord:9": { revision: 1, ref: { channel: "discord:9", id: "m9" } } });
  old.close();

  const db = await openDb(`sqlite://${path}`);
  const outbox = await openOutbox(db);
  expect(await outbox.list()).toEqual([item]);
  expect(await outbox.due(new Date("2026-11-01T00:04:00Z"), 10)).toEqual([]);
  expect((await outbox.due(new Date("2026-11-01T00:05:00Z"), 10)).map((i) => i.key)).toEqual([item.key]);
  expect(await outbox.told("PYSEC-2024-1")).toEqual({
    "telegram:5": { revision: 3, ref: { channel: "telegram:5", id: "42" } },
    "discord:9": { revision: 1, ref: { channel: "discord:9", id: "m9" } },
  });
  // Delivered before the upgrade: not queued again.
  expect(await outbox.put({ channel: "telegram:5", advisoryId: "PYSEC-2024-1", revision: 3, message: item.message as never }, new Date())).toBe(false);
  await db.close();

  const raw = new DatabaseSync(path);
  const left = raw.prepare("SELECT key FROM keyv WHERE key LIKE 'keyv:v1:outbox%' OR key LIKE 'keyv:v1:told%'").all();
  raw.close();
  expect(left).toEqual([]);
});

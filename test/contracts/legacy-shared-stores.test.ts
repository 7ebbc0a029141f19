// Shared stores written by earlier releases (Keyv 5 with @keyv/redis 5 and @keyv/postgres 2) keep
// their channels: the key layouts those wrote are read as they are, or renamed once.
import { Redis } from "ioredis";
import pg from "pg";
import { freshPostgresUrl } from "../helpers/databases.js";
import { describe, expect, inject, it } from "vitest";
import { createKeyvChannelStore } from "../../src/store/keyv-channel-store.js";
import { KEYS } from "../../src/store/keys.js";
import { openDb } from "../../src/store/open.js";

const envelope = (value: unknown) => JSON.stringify({ value, expires: null });
const channel = { v: 1, key: "slack:T1/C1", watches: [{ name: "django", specifier: ">=4.2" }] };

describe.skipIf(!inject("redisUrl"))("a Redis store from the previous release", () => {
  it("is read as it is", async () => {
    const url = `${inject("redisUrl")}/20`;
    const raw = new Redis(url);
    await raw.flushdb();
    await raw.set(`pysec-herald::pysec-herald:${KEYS.schema}`, envelope({ version: 1 }));
    await raw.set(`pysec-herald::pysec-herald:${KEYS.channel(channel.key)}`, envelope(channel));
    const db = await openDb(url);
    expect(await db.keyv.get(KEYS.schema)).toEqual({ version: 1 });
    expect((await createKeyvChannelStore(db).get(channel.key))?.watches.map((w) => w.name)).toEqual(["django"]);
    await db.keyv.set("v1:probe", 1);
    expect(await raw.get("pysec-herald::pysec-herald:v1:probe")).not.toBeNull();
    await db.close();
    await raw.quit();
  });
});

describe.skipIf(!inject("postgresUrl"))("a PostgreSQL store from the previous release", () => {
  it("has its rows renamed once to the layout @keyv/postgres 6 reads", async () => {
    const url = await freshPostgresUrl();
    const old = new pg.Client({ connectionString: url });
    await old.connect();
    await old.query("CREATE TABLE pysec_herald(key VARCHAR(255) PRIMARY KEY, value TEXT)");
    await old.query("INSERT INTO pysec_herald (key, value) VALUES ($1, $2), ($3, $4)", [`keyv:${KEYS.schema}`, envelope({ version: 1 }), `keyv:${KEYS.channel(channel.key)}`, envelope(channel)]);
    await old.end();
    for (let i = 0; i < 2; i++) {
      const db = await openDb(url);
      expect(await db.keyv.get(KEYS.schema)).toEqual({ version: 1 });
      expect((await createKeyvChannelStore(db).get(channel.key))?.watches.map((w) => w.name)).toEqual(["django"]);
      await db.close();
    }
  });
});

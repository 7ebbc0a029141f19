// The same store behaviour on every backend STORE_URL can name: the embedded SQLite file, memory,
// and real Redis and PostgreSQL servers (started by test/helpers/servers.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { toAdvisory, type Advisory } from "../../src/advisory/osv-schema.js";
import { normalizeName } from "../../src/advisory/names.js";
import { newChannel } from "../../src/channel.js";
import { parseWatch } from "../../src/matching/specifiers.js";
import { createKeyvAdvisoryStore } from "../../src/store/keyv-advisory-store.js";
import { createKeyvChannelStore } from "../../src/store/keyv-channel-store.js";
import { createKeyvCursorStore } from "../../src/store/keyv-cursor-store.js";
import { createKeyvDigestQueue } from "../../src/store/keyv-digest-queue.js";
import { openOutbox } from "../../src/store/outbox.js";
import { KEYS } from "../../src/store/keys.js";
import { openDb, SCHEMA_VERSION, type Db } from "../../src/store/open.js";
import { systemClock } from "../../src/clock.js";
import { freshPostgresUrl } from "../helpers/databases.js";
import { pypaRecord } from "../helpers/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "pysec-herald-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each backend gets a fresh namespace of its own: a Redis database (1-20; other files use 21-31), a PostgreSQL database.
const backends: Record<string, () => Promise<string>> = {
  memory: async () => "memory://",
  sqlite: async () => `sqlite://${join(dir, `${Math.random().toString(36).slice(2)}.sqlite`)}`,
  redis: async () => {
    const url = `${inject("redisUrl")}/${1 + Math.floor(Math.random() * 20)}`;
    const db = await openDb(url);
    await db.keyv.clear();
    await db.close();
    return url;
  },
  postgres: freshPostgresUrl,
};

const record = (pkg: string, id: string): Advisory => toAdvisory(pypaRecord(pkg, id));

// A shared-store backend this machine lacks is skipped (test/helpers/servers.ts says so once).
const available = Object.keys(backends).filter((b) => (b === "redis" ? inject("redisUrl") : b === "postgres" ? inject("postgresUrl") : true));

describe.each(available)("store on %s", (backend) => {
  async function open(): Promise<{ db: Db; url: string }> {
    const url = await backends[backend]!();
    return { db: await openDb(url), url };
  }

  it("keeps advisories by id, alias and package, and merges records that alias each other", async () => {
    const { db } = await open();
    const store = createKeyvAdvisoryStore(db, systemClock);
    const changes = await store.upsertMany([record("requests", "PYSEC-2023-74")]);
    expect(changes.map((c) => c.kind)).toEqual(["new"]);
    const byId = await store.get("PYSEC-2023-74");
    expect(byId?.advisory.affected?.[0]?.package?.name.toLowerCase()).toBe("requests");
    for (const alias of byId!.advisory.aliases ?? []) expect((await store.get(alias))?.advisory.id).toBe(byId!.advisory.id);
    expect((await store.byPackage(normalizeName("Requests"))).map((a) => a.advisory.id)).toEqual([byId!.advisory.id]);
    expect(await store.packageNames()).toEqual(["requests"]);
    expect(await store.count()).toBe(1);
    // The same record again is not news once its fan-out finished (until then it is replayed).
    await store.fannedOut(changes[0]!.current.advisory.id, changes[0]!.current.revision);
    expect((await store.upsertMany([record("requests", "PYSEC-2023-74")])).map((c) => c.kind)).toEqual(["unchanged"]);
    await db.close();
  });

  it("keeps channels, moves them, and lists many written at once", async () => {
    const { db } = await open();
    const channels = createKeyvChannelStore(db);
    await channels.update("slack:T1/C1", (c) => ({ ...c, watches: [parseWatch("django>=4.2")] }));
    expect((await channels.get("slack:T1/C1"))?.watches.map((w) => w.name)).toEqual(["django"]);
    await channels.putMany(Array.from({ length: 300 }, (_, i) => ({ ...newChannel(`telegram:${i}`), watches: [parseWatch("flask")] })));
    expect((await channels.list()).length).toBe(301);
    const moved = await channels.move("slack:T1/C1", "slack:T1/C2");
    expect(moved?.key).toBe("slack:T1/C2");
    expect(await channels.get("slack:T1/C1")).toBeUndefined();
    expect((await channels.get("slack:T1/C2"))?.watches.map((w) => w.name)).toEqual(["django"]);
    expect((await channels.list()).length).toBe(301);
    await db.close();
  });

  it("keeps source cursors and their health", async () => {
    const { db } = await open();
    const cursors = createKeyvCursorStore(db);
    expect(await cursors.get("osv")).toEqual({ validators: {} });
    await cursors.set("osv", { cursor: "2026-11-01T00:00:00Z", validators: { "all.zip": { etag: '"abc"' } }, lastSuccess: "2026-11-26T10:00:00.000Z" });
    await cursors.set("pypa", { validators: {}, lastError: { at: "2026-11-26T10:00:00.000Z", message: "HTTP 503" } });
    expect(Object.keys(await cursors.all()).sort()).toEqual(["osv", "pypa"]);
    expect((await cursors.get("osv")).validators["all.zip"]?.etag).toBe('"abc"');
    await db.close();
  });

  it("queues a (channel, advisory, revision) once, and never again after it was delivered", async () => {
    const { db } = await open();
    const outbox = await openOutbox(db);
    const now = new Date("2026-11-26T10:00:00Z");
    const item = { channel: "discord:1", advisoryId: "PYSEC-2023-74", revision: 1, message: { type: "reply" as const, text: "hello", ephemeral: false } };
    expect(await outbox.put(item, now)).toBe(true);
    expect(await outbox.put(item, now)).toBe(false);
    const [due] = await outbox.due(now, 10);
    expect(due?.key).toBe("discord:1|PYSEC-2023-74|1");
    await outbox.defer(due!.key, new Date(now.getTime() + 60_000), "429");
    expect(await outbox.due(now, 10)).toEqual([]);
    expect((await outbox.due(new Date(now.getTime() + 60_000), 10))[0]?.attempts).toBe(1);
    await outbox.done(due!.key, { channel: "discord:1", id: "m1" });
    expect(await outbox.list()).toEqual([]);
    expect(await outbox.put(item, now)).toBe(false);
    expect((await outbox.told("PYSEC-2023-74"))["discord:1"]).toEqual({ revision: 1, ref: { channel: "discord:1", id: "m1" } });
    expect(await outbox.put({ ...item, revision: 2 }, now)).toBe(true);
    await outbox.park("discord:1|PYSEC-2023-74|2", "channel gone");
    expect((await outbox.list()).map((i) => i.parked)).toEqual(["channel gone"]);
    await db.close();
  });

  it("holds digest entries until exactly those are removed", async () => {
    const { db } = await open();
    const digests = createKeyvDigestQueue(db);
    const entry = (id: string) => ({ advisoryId: id, revision: 1, notification: {} as never, at: "2026-11-26T10:00:00.000Z" });
    await digests.add("telegram:5", entry("A"));
    await digests.add("telegram:5", entry("B"));
    const first = await digests.list("telegram:5");
    await digests.add("telegram:5", entry("C"));
    await digests.remove("telegram:5", first);
    expect((await digests.list("telegram:5")).map((e) => e.advisoryId)).toEqual(["C"]);
    await db.close();
  });

  it("writes its schema version once and refuses a store from a newer release", async () => {
    const { db, url } = await open();
    expect(await db.keyv.get(KEYS.schema)).toEqual({ version: SCHEMA_VERSION });
    if (backend === "memory") return db.close(); // a memory store does not outlive its handle
    await db.keyv.set(KEYS.schema, { version: SCHEMA_VERSION + 1 });
    await db.close();
    await expect(openDb(url)).rejects.toThrow(/newer pysec-herald \(schema 2/);
  });
});

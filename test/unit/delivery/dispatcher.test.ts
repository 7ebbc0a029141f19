import { expect, it } from "vitest";
import { newChannel } from "../../../src/channel.js";
import type { ChatAdapter } from "../../../src/delivery/chat-adapter.js";
import { createDispatcher } from "../../../src/delivery/dispatcher.js";
import { createLogger } from "../../../src/log.js";
import { WatchIndex } from "../../../src/matching/watch-index.js";
import { reply } from "../../../src/render/notification.js";
import { createKeyvChannelStore } from "../../../src/store/keyv-channel-store.js";
import { createKeyvOutbox } from "../../../src/store/keyv-outbox.js";
import { openDb } from "../../../src/store/open.js";
import { ManualClock } from "../../helpers/manual-clock.js";

/** A chat platform whose sends take a little while, recording how many overlap and their order. */
function slowPlatform(platform: string, idempotentSend: boolean) {
  let inFlight = 0;
  const stats = { maxInFlight: 0, sent: [] as string[] };
  const adapter: ChatAdapter = {
    platform,
    host: "127.0.0.1",
    capabilities: { edit: false, maxLength: 1000, idempotentSend },
    start: async () => undefined,
    stop: async () => undefined,
    async send(to, msg) {
      stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      stats.sent.push(`${to} ${msg.type === "reply" ? msg.text : msg.advisoryId}`);
      return { channel: to, id: String(stats.sent.length) };
    },
    edit: async (ref) => ref,
  };
  return { adapter, stats };
}

it("serves platforms side by side: one send at a time where a repeat would duplicate, many where the platform drops repeats, each channel in order", async () => {
  const db = await openDb("memory://");
  const clock = new ManualClock();
  const outbox = createKeyvOutbox(db);
  const channels = createKeyvChannelStore(db);
  const careful = slowPlatform("careful", false);
  const nonce = slowPlatform("nonce", true);
  const keys = [...Array.from({ length: 20 }, (_, i) => `careful:${i}`), ...Array.from({ length: 20 }, (_, i) => `nonce:${i}`)];
  const index = WatchIndex.from(keys.map(newChannel));
  // Three parts of one digest per channel: they must arrive in order.
  await outbox.putMany(keys.flatMap((channel) => [1, 2, 3].map((part) => ({ item: { channel, advisoryId: "digest:d", revision: part, message: reply(`part ${part}`) } }))), clock.now());
  const dispatcher = createDispatcher({ outbox, channels, index, clock, log: createLogger("silent"), adapters: new Map([careful, nonce].map((p) => [p.adapter.platform, p.adapter])) });

  expect(await dispatcher.drain()).toBe(120);
  expect(careful.stats.maxInFlight).toBe(1);
  expect(nonce.stats.maxInFlight).toBeGreaterThan(1);
  expect(nonce.stats.maxInFlight).toBeLessThanOrEqual(16);
  for (const p of [careful, nonce]) {
    expect(p.stats.sent).toHaveLength(60);
    for (const key of keys.filter((k) => k.startsWith(p.adapter.platform))) {
      expect(p.stats.sent.filter((s) => s.startsWith(`${key} `))).toEqual([`${key} part 1`, `${key} part 2`, `${key} part 3`]);
    }
  }
  expect(await outbox.list()).toEqual([]);
  await db.close();
});

it("where the platform can look up what it sent, many go at once, and a send begun before a restart is looked up, not repeated", async () => {
  const db = await openDb("memory://");
  const clock = new ManualClock();
  const outbox = createKeyvOutbox(db);
  const channels = createKeyvChannelStore(db);
  const slack = slowPlatform("lookup", false);
  // What the platform already holds, by delivery key: one message arrived before the "crash".
  const delivered = new Map<string, { channel: string; id: string }>();
  const keysSent: (string | undefined)[] = [];
  const lookups: string[] = [];
  const adapter: ChatAdapter = {
    ...slack.adapter,
    async send(to, msg, key) {
      keysSent.push(key);
      const ref = await slack.adapter.send(to, msg);
      if (key) delivered.set(key, ref);
      return ref;
    },
    async findSent(_to, key) {
      lookups.push(key);
      return delivered.get(key);
    },
  };
  const keys = Array.from({ length: 20 }, (_, i) => `lookup:${i}`);
  const index = WatchIndex.from(keys.map(newChannel));
  await outbox.putMany(keys.map((channel) => ({ item: { channel, advisoryId: "PYSEC-1", revision: 1, message: reply("alert") } })), clock.now());
  // lookup:0 was being sent when the process died, and it arrived; lookup:1 was being sent and did not.
  await outbox.sending(["lookup:0|PYSEC-1|1", "lookup:1|PYSEC-1|1"], clock.now());
  delivered.set("lookup:0|PYSEC-1|1", { channel: "lookup:0", id: "before-the-crash" });
  const dispatcher = createDispatcher({ outbox, channels, index, clock, log: createLogger("silent"), adapters: new Map([["lookup", adapter]]) });

  expect(await dispatcher.drain()).toBe(20);
  expect(slack.stats.sent).toHaveLength(19);
  expect(slack.stats.sent.filter((s) => s.startsWith("lookup:0 "))).toEqual([]);
  expect(lookups.sort()).toEqual(["lookup:0|PYSEC-1|1", "lookup:1|PYSEC-1|1"]);
  expect(keysSent).toHaveLength(19);
  expect(keysSent.every((k) => k?.endsWith("|PYSEC-1|1"))).toBe(true);
  expect(slack.stats.maxInFlight).toBeGreaterThan(1);
  expect((await outbox.told("PYSEC-1"))["lookup:0"]?.ref.id).toBe("before-the-crash");
  await db.close();
});

it("a platform whose sends hang holds up only itself", async () => {
  const db = await openDb("memory://");
  const clock = new ManualClock();
  const outbox = createKeyvOutbox(db);
  const channels = createKeyvChannelStore(db);
  const healthy = slowPlatform("healthy", false);
  const hung: ChatAdapter = { ...slowPlatform("hung", false).adapter, send: () => new Promise(() => undefined) };
  const keys = ["hung:1", "healthy:1", "healthy:2", "healthy:3", "healthy:4", "healthy:5"];
  await outbox.putMany(keys.slice(0, 4).map((channel) => ({ item: { channel, advisoryId: "PYSEC-1", revision: 1, message: reply("alert") } })), clock.now());
  const dispatcher = createDispatcher({ outbox, channels, index: WatchIndex.from(keys.map(newChannel)), clock, log: createLogger("silent"), adapters: new Map([["hung", hung], ["healthy", healthy.adapter]]) });
  const stop = new AbortController();
  void dispatcher.run(stop.signal);
  const sent = async (n: number) => {
    const deadline = Date.now() + 5_000;
    while (healthy.stats.sent.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return healthy.stats.sent.length;
  };
  expect(await sent(3)).toBe(3);
  // Alerts that arrive while the other platform is still stuck go out too.
  await outbox.putMany(["healthy:4", "healthy:5"].map((channel) => ({ item: { channel, advisoryId: "PYSEC-1", revision: 1, message: reply("alert") } })), clock.now());
  dispatcher.wake();
  expect(await sent(5)).toBe(5);
  stop.abort();
  expect((await outbox.list()).map((i) => i.channel)).toEqual(["hung:1"]);
});

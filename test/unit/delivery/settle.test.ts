import { expect, it } from "vitest";
import { createChannelService } from "../../../src/channels/channel-service.js";
import { createSettle, type SettleTarget } from "../../../src/delivery/settle.js";
import { createLogger } from "../../../src/log.js";
import { parseWatch } from "../../../src/matching/specifiers.js";
import { WatchIndex } from "../../../src/matching/watch-index.js";
import { reply } from "../../../src/render/notification.js";
import { createKeyvChannelStore } from "../../../src/store/keyv-channel-store.js";
import { createKeyvOutbox } from "../../../src/store/keyv-outbox.js";
import { openDb } from "../../../src/store/open.js";
import type { OutboxItem } from "../../../src/store/ports/outbox.js";
import { ManualClock } from "../../helpers/manual-clock.js";

/** A queue that only records what it was asked to do. */
function recordingTarget() {
  const calls: string[] = [];
  const target: SettleTarget = {
    done: async (i, ref) => void calls.push(`done ${i.key} ${ref.id}`),
    keep: async (i) => void calls.push(`keep ${i.key}`),
    later: async (i, at, reason, retry) => void calls.push(`later ${i.key} ${at.toISOString()} ${retry ? "retry" : "wait"} ${reason}`),
    park: async (i, reason) => void calls.push(`park ${i.key} ${reason}`),
    drop: async (i) => void calls.push(`drop ${i.key}`),
  };
  return { calls, target };
}

async function setup() {
  const db = await openDb("memory://");
  const clock = new ManualClock("2026-12-01T10:00:00Z");
  const index = new WatchIndex();
  const channels = createChannelService(createKeyvChannelStore(db), index);
  const outbox = createKeyvOutbox(db);
  await channels.update("telegram:-1", (c) => ({ ...c, watches: [parseWatch("flask")] }));
  const settle = createSettle({ channels, delivery: outbox, clock, log: createLogger("silent"), retry: { maxAttempts: 3, baseDelayMs: 1000 } });
  const item = (attempts = 0): OutboxItem => ({
    key: "telegram:-1|A|1", channel: "telegram:-1", advisoryId: "A", revision: 1, message: reply("hi"),
    enqueuedAt: clock.now().toISOString(), notBefore: clock.now().toISOString(), attempts,
  });
  return { db, clock, index, channels, outbox, settle, item };
}

it("pauses the channel (in the store and the index) and parks the item on a permanent failure", async () => {
  const { settle, item, channels, index } = await setup();
  const { calls, target } = recordingTarget();
  await settle(item(), { kind: "permanent", reason: "bot was kicked" }, target);
  expect(calls).toEqual(["park telegram:-1|A|1 bot was kicked"]);
  expect((await channels.get("telegram:-1"))?.paused?.reason).toBe("bot was kicked");
  expect(index.channel("telegram:-1")?.paused?.reason).toBe("bot was kicked");
});

it("moves a migrated chat's watches, queues the message for the new chat, and drops the old item", async () => {
  const { settle, item, channels, index, outbox, clock } = await setup();
  const { calls, target } = recordingTarget();
  await settle(item(), { kind: "moved", from: "telegram:-1", to: "telegram:-100" }, target);
  expect(calls).toEqual(["drop telegram:-1|A|1"]);
  expect(await channels.get("telegram:-1")).toBeUndefined();
  expect((await channels.get("telegram:-100"))?.watches.map((w) => w.name)).toEqual(["flask"]);
  expect(index.channel("telegram:-100")).toBeDefined();
  expect((await outbox.due(clock.now(), 10)).map((i) => i.key)).toEqual(["telegram:-100|A|1"]);
});

it("waits out a platform's Retry-After without counting it as a failure", async () => {
  const { settle, item } = await setup();
  const { calls, target } = recordingTarget();
  await settle(item(), { kind: "rate-limited", retryAfterMs: 7000, reason: "429" }, target);
  expect(calls).toEqual(["later telegram:-1|A|1 2026-12-01T10:00:07.000Z wait 429"]);
});

it("backs off exponentially with jitter from the injected clock, and parks on the last attempt", async () => {
  const { settle, item } = await setup();
  const { calls, target } = recordingTarget();
  await settle(item(0), { kind: "retry", reason: "socket hang up" }, target);
  await settle(item(1), { kind: "retry", reason: "socket hang up" }, target);
  await settle(item(2), { kind: "retry", reason: "socket hang up" }, target);
  const delays = calls.slice(0, 2).map((c) => Date.parse(c.split(" ")[2]!) - Date.parse("2026-12-01T10:00:00Z"));
  // Full jitter over the upper half: attempt 0 waits 0.5–1 s, attempt 1 waits 1–2 s.
  expect(delays[0]).toBeGreaterThanOrEqual(500);
  expect(delays[0]).toBeLessThanOrEqual(1000);
  expect(delays[1]).toBeGreaterThanOrEqual(1000);
  expect(delays[1]).toBeLessThanOrEqual(2000);
  expect(calls[2]).toBe("park telegram:-1|A|1 gave up after 3 attempts: socket hang up");
});

it("records a delivery and keeps an item that cannot be sent here yet", async () => {
  const { settle, item } = await setup();
  const { calls, target } = recordingTarget();
  await settle(item(), { kind: "sent", ref: { channel: "telegram:-1", id: "42" } }, target);
  await settle(item(), { kind: "blocked" }, target);
  expect(calls).toEqual(["done telegram:-1|A|1 42", "keep telegram:-1|A|1"]);
});

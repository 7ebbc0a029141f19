import { expect, it } from "vitest";
import { keepConnecting, retryDelay } from "../../../src/delivery/connect.js";
import type { ChatAdapter } from "../../../src/delivery/chat-adapter.js";
import { createLogger } from "../../../src/log.js";
import { ManualClock } from "../../helpers/manual-clock.js";

it("waits 5 s after the first failure, doubling to at most 5 minutes", () => {
  expect([1, 2, 3, 4, 6, 7, 30].map(retryDelay)).toEqual([5_000, 10_000, 20_000, 40_000, 160_000, 300_000, 300_000]);
});

it("tries again after each failure, on the injected clock, and stops trying once stopped", async () => {
  const clock = new ManualClock();
  let attempts = 0;
  const adapter = {
    platform: "slack", host: "slack.example:443",
    start: async () => {
      if (++attempts < 3) throw new Error("fetch failed");
    },
  } as unknown as ChatAdapter;
  const stopper = new AbortController();
  const done = keepConnecting(adapter, async () => ({ type: "reply", text: "", ephemeral: false }), { clock, log: createLogger("silent"), signal: stopper.signal });
  const tick = () => new Promise((r) => setTimeout(r, 0));
  await tick();
  expect(attempts).toBe(1);
  clock.advance(4_999);
  await tick();
  expect(attempts).toBe(1);
  clock.advance(1);
  await tick();
  expect(attempts).toBe(2);
  clock.advance(10_000);
  await done;
  expect(attempts).toBe(3);

  // A platform that never answers: stopping ends the retries.
  const never = { platform: "telegram", host: "t:443", start: async () => Promise.reject(new Error("down")) } as unknown as ChatAdapter;
  const forever = keepConnecting(never, async () => ({ type: "reply", text: "", ephemeral: false }), { clock, log: createLogger("silent"), signal: stopper.signal });
  await tick();
  stopper.abort();
  await forever;
});

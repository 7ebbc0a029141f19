import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/delivery/rate-limiter.js";
import { ManualClock } from "../helpers/manual-clock.js";

describe("RateLimiter", () => {
  it("keeps per-channel, per-group and global windows on the injected clock", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter([
      { key: () => "global", limit: 30, windowMs: 1000 },
      { key: (c) => c, limit: 1, windowMs: 1000 },
      { key: (c) => (c.startsWith("-") ? c : undefined), limit: 20, windowMs: 60_000 },
    ], clock);
    await limiter.acquire("42");
    expect(limiter.waitMs("42")).toBe(1000);
    expect(limiter.waitMs("43")).toBe(0);
    let done = false;
    const next = limiter.acquire("42").then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    clock.advance(999);
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    clock.advance(1);
    await next;
    expect(done).toBe(true);
    for (let i = 0; i < 20; i++) {
      await limiter.acquire("-100");
      clock.advance(1000);
    }
    expect(limiter.waitMs("-100")).toBe(60_000 - 20_000);
    for (let i = 0; i < 30; i++) await limiter.acquire(`c${i}`);
    expect(limiter.waitMs("fresh")).toBe(1000);
  });

  it("around a send, counts it from its start until a window after its answer", async () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter([{ key: () => "bot", limit: 2, windowMs: 1000 }], clock);
    const answers: (() => void)[] = [];
    const slow = () => new Promise<string>((resolve) => answers.push(() => resolve("ok")));
    const first = limiter.around("a", slow);
    const second = limiter.around("b", slow);
    await new Promise((r) => setImmediate(r));
    expect(answers).toHaveLength(2);
    let thirdStarted = false;
    const third = limiter.around("c", async () => {
      thirdStarted = true;
      return "third";
    });
    // Both in flight for longer than a window: neither has left it.
    clock.advance(1500);
    await new Promise((r) => setImmediate(r));
    expect(thirdStarted).toBe(false);
    answers[0]!();
    expect(await first).toBe("ok");
    // Answered at 1.5 s: its slot frees a window later, at 2.5 s.
    clock.advance(990);
    await new Promise((r) => setImmediate(r));
    expect(thirdStarted).toBe(false);
    clock.advance(20);
    expect(await third).toBe("third");
    answers[1]!();
    await second;
  });
});


// The poller's loop on the manual clock: a failing source is tried again within seconds, doubling,
// and stopping the bot is not logged as a failed poll.
import { Writable } from "node:stream";
import { expect, it } from "vitest";
import { UpstreamError } from "../../../src/errors.js";
import { createPoller } from "../../../src/scheduler/poller.js";
import type { Source } from "../../../src/sources/source.js";
import { createKeyvCursorStore } from "../../../src/store/keyv-cursor-store.js";
import { openDb } from "../../../src/store/open.js";
import { pino } from "pino";
import { ManualClock } from "../../helpers/manual-clock.js";

it("a failing source is tried again after 5 s, 10 s, 20 s (not after its 300 s interval); a stop mid-poll logs no failure", async () => {
  const clock = new ManualClock();
  const db = await openDb("memory://");
  const polls: number[] = [];
  let release: (() => void) | undefined;
  const source: Source = {
    id: "osv",
    intervalMs: 300_000,
    async poll(_state, _sink, signal) {
      polls.push(clock.now().getTime());
      if (polls.length < 4) throw new UpstreamError("getaddrinfo ENOTFOUND", "osv");
      // The fourth poll hangs until the bot stops.
      await new Promise<void>((resolve) => {
        release = resolve;
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
      throw new UpstreamError("This operation was aborted", "osv");
    },
  };
  const lines: string[] = [];
  const log = pino({ level: "info" }, new Writable({ write: (chunk, _e, done) => void (lines.push(String(chunk)), done()) }));
  const poller = createPoller({ sources: [source], cursors: createKeyvCursorStore(db), sink: async () => undefined, clock, log });
  const stop = new AbortController();
  const running = poller.run(stop.signal);
  const settle = () => new Promise((r) => setTimeout(r, 20));
  for (const step of [5_500, 11_000, 22_000]) {
    await settle();
    clock.advance(step); // a little past each wait (10 % jitter)
  }
  await settle();
  const t0 = polls[0]!;
  expect(polls.map((t) => Math.round((t - t0) / 1000))).toEqual([0, 6, 17, 39]);
  expect(release).toBeDefined();
  stop.abort();
  await running;
  expect(lines.filter((l) => l.includes("poll failed"))).toHaveLength(3);
  await db.close();
});

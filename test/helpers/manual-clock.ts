import type { Clock } from "../../src/clock.js";

/** Where a ManualClock starts unless told otherwise: fixtures dated relative to "now" use it. */
export const MANUAL_CLOCK_START = "2026-11-25T09:00:00Z";

/** A clock that moves only when a test says so; sleepers wake when time passes their deadline. */
export class ManualClock implements Clock {
  private t: number;
  private sleepers: { at: number; resolve: () => void }[] = [];

  constructor(start = MANUAL_CLOCK_START) {
    this.t = Date.parse(start);
  }

  now(): Date {
    return new Date(this.t);
  }

  /** A fixed sequence (a tiny LCG from seed 1): jittered delays are the same on every run. */
  private seed = 1;
  random(): number {
    this.seed = (this.seed * 48271) % 2147483647;
    return this.seed / 2147483647;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper = { at: this.t + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener("abort", () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        resolve();
      }, { once: true });
    });
  }

  advance(ms: number): void {
    this.t += ms;
    const due = this.sleepers.filter((s) => s.at <= this.t);
    this.sleepers = this.sleepers.filter((s) => s.at > this.t);
    for (const s of due) s.resolve();
  }
}

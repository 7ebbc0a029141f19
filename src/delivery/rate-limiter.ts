import type { Clock } from "../clock.js";
import { Mutex } from "../store/mutex.js";

/** At most `limit` sends per `windowMs` for each key the rule gives (undefined: the rule does not apply). */
export interface RateRule {
  readonly key: (channel: string) => string | undefined;
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Sliding-window limiter on the injected clock: a platform's documented limits are kept by waiting
 * before a send, so the platform never has to answer 429.
 */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly mutex = new Mutex();
  private readonly rules: readonly RateRule[];
  private readonly clock: Clock;

  constructor(rules: readonly RateRule[], clock: Clock) {
    this.rules = rules;
    this.clock = clock;
  }

  /** How long a send to `channel` would have to wait now (0 when it may go at once). */
  waitMs(channel: string): number {
    const now = this.clock.now().getTime();
    let wait = 0;
    for (const [i, rule] of this.rules.entries()) {
      const k = rule.key(channel);
      if (k === undefined) continue;
      const key = `${i}:${k}`; // rules may name the same key (a group is a chat too)
      const times = (this.sent.get(key) ?? []).filter((t) => t > now - rule.windowMs);
      this.sent.set(key, times);
      if (times.length >= rule.limit) wait = Math.max(wait, times[times.length - rule.limit]! + rule.windowMs - now);
    }
    return wait;
  }

  /** Waits until a send to `channel` fits every rule, then counts it. */
  acquire(channel: string, signal?: AbortSignal): Promise<void> {
    return this.mutex.run(async () => {
      for (let wait = this.waitMs(channel); wait > 0; wait = this.waitMs(channel)) {
        await this.clock.sleep(wait, signal);
        if (signal?.aborted) return;
      }
      const now = this.clock.now().getTime();
      for (const [i, rule] of this.rules.entries()) {
        const k = rule.key(channel);
        if (k !== undefined) this.sent.set(`${i}:${k}`, [...(this.sent.get(`${i}:${k}`) ?? []), now]);
      }
    });
  }
}

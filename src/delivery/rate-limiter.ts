import type { Clock } from "../clock.js";
import { Mutex } from "../store/mutex.js";

/** At most `limit` sends per `windowMs` for each key the rule gives (undefined: the rule does not apply). */
export interface RateRule {
  readonly key: (channel: string) => string | undefined;
  readonly limit: number;
  readonly windowMs: number;
}

/** One counted send: when it happened, or Infinity while its answer is still awaited. */
interface Mark {
  at: number;
}

// A window full of sends still in flight frees up only when one is answered: look again this soon.
const IN_FLIGHT_RECHECK_MS = 10;

/**
 * Sliding-window limiter on the injected clock: a platform's documented limits are kept by waiting
 * before a send, so the platform never has to answer 429.
 */
export class RateLimiter {
  private readonly sent = new Map<string, Mark[]>();
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
      const marks = (this.sent.get(key) ?? []).filter((m) => m.at > now - rule.windowMs);
      this.sent.set(key, marks);
      if (marks.length < rule.limit) continue;
      // Answers may come back out of order: the window frees up when its limit-th latest mark leaves it.
      const oldest = marks.map((m) => m.at).sort((a, b) => a - b)[marks.length - rule.limit]!;
      wait = Math.max(wait, oldest === Infinity ? IN_FLIGHT_RECHECK_MS : oldest + rule.windowMs - now);
    }
    return wait;
  }

  /** Waits until a send to `channel` fits every rule, then counts it with one mark per rule. */
  private reserve(channel: string, at: number | undefined, signal?: AbortSignal): Promise<Mark[]> {
    return this.mutex.run(async () => {
      for (let wait = this.waitMs(channel); wait > 0; wait = this.waitMs(channel)) {
        await this.clock.sleep(wait, signal);
        if (signal?.aborted) return [];
      }
      const mark = { at: at ?? this.clock.now().getTime() };
      for (const [i, rule] of this.rules.entries()) {
        const k = rule.key(channel);
        if (k !== undefined) this.sent.set(`${i}:${k}`, [...(this.sent.get(`${i}:${k}`) ?? []), mark]);
      }
      return [mark];
    });
  }

  /** Waits until a send to `channel` fits every rule, then counts it as sent now. */
  async acquire(channel: string, signal?: AbortSignal): Promise<void> {
    await this.reserve(channel, undefined, signal);
  }

  /**
   * Runs `send` once it fits every rule, counting it from its start until a window after its
   * answer: however late the request reaches the platform (a slow network, a stalled event loop),
   * the platform never sees more than the limit within one window.
   */
  async around<T>(channel: string, send: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const marks = await this.reserve(channel, Infinity, signal);
    try {
      return await send();
    } finally {
      const now = this.clock.now().getTime();
      for (const m of marks) m.at = now;
    }
  }
}

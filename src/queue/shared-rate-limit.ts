import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Clock } from "../clock.js";

/** At most `max` sends in any `duration` ms, for every instance that shares one Redis. */
export interface SharedRate {
  readonly max: number;
  readonly duration: number;
}

export interface SharedRateLimit {
  /** Runs `send` once it fits the limit, counted from its start until a window after its answer. */
  around<T>(send: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** A send still in flight is counted as ending this far ahead (an instance killed mid-send frees its place after it). */
const IN_FLIGHT_MS = 60_000;
/** A window full of sends in flight frees up only when one is answered: look again this soon. */
const IN_FLIGHT_RECHECK_MS = 10;

// One sorted set per limit: each send a member scored by when it ended (Redis's own clock, which
// every instance shares). A place is taken only when fewer than `max` members lie in the last
// window; else the answer is how long until the oldest place that counts leaves it.
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local max, window, inflight = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < max then
  redis.call('ZADD', KEYS[1], now + inflight, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window + inflight)
  return 0
end
local e = redis.call('ZRANGE', KEYS[1], n - max, n - max, 'WITHSCORES')
local wait = tonumber(e[2]) + window - now
if wait > window then return -1 end
return math.max(1, wait)
`;

const DONE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + ${IN_FLIGHT_MS})
return 0
`;

/**
 * A sliding-window limit kept in Redis: however many instances share it, no window of `duration`
 * ms holds more than `max` sends (BullMQ's own limiter counts fixed windows, so bursts from
 * several instances met at a window's edge and Telegram saw up to 42 messages in one second).
 * Like RateLimiter.around, a send counts until a window after its answer, so a slow request never
 * lets the next ones bunch up at the platform.
 */
export function createSharedRateLimit(redis: Redis, key: string, rate: SharedRate, clock: Clock): SharedRateLimit {
  const instance = randomUUID();
  let sends = 0;
  return {
    async around(send, signal) {
      const member = `${instance}:${sends++}`;
      for (;;) {
        const wait = Number(await redis.eval(TAKE, 1, key, rate.max, rate.duration, member, IN_FLIGHT_MS));
        if (wait === 0) break;
        await clock.sleep(wait < 0 ? IN_FLIGHT_RECHECK_MS : wait, signal);
        if (signal?.aborted) throw signal.reason;
      }
      try {
        return await send();
      } finally {
        // Unrecorded (Redis gone meanwhile), the place frees itself IN_FLIGHT_MS after it was taken.
        await redis.eval(DONE, 1, key, member, rate.duration).catch(() => undefined);
      }
    },
  };
}

import type { Clock } from "../clock.js";
import type { Metrics } from "../metrics.js";

/** What the registry's delivery counters and latency histogram said at one moment. */
interface Snapshot {
  readonly at: number;
  /** "platform|outcome" → count since start. */
  readonly deliveries: ReadonlyMap<string, number>;
  /** Upper bound (seconds, Infinity for +Inf) → cumulative count since start, all platforms. */
  readonly latency: ReadonlyMap<number, number>;
}

const SAMPLE_MS = 5 * 60_000;
const KEEP_MS = 25 * 3_600_000;

export interface LatencyPoint {
  /** The hour's end. */
  readonly at: Date;
  readonly p50?: number;
  readonly p99?: number;
}

export interface MetricsHistory {
  /** Records the registry's figures now (the loop does this every 5 min). */
  sample(): Promise<void>;
  run(signal: AbortSignal): Promise<void>;
  /** Deliveries by platform and outcome over the last 24 h (since start, if younger). */
  deliveries24h(): Promise<{ platform: string; outcome: string; count: number }[]>;
  /** Per hour of the last 24: event-to-send p50 and p99 in seconds, estimated from the histogram's buckets. */
  latency24h(): Promise<LatencyPoint[]>;
}

/** The quantile `q` of the counts in cumulative buckets (the bucket's upper bound, as Prometheus estimates). */
export function quantile(buckets: ReadonlyMap<number, number>, q: number): number | undefined {
  const sorted = [...buckets].sort(([a], [b]) => a - b);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  let lower = 0;
  let below = 0;
  for (const [le, count] of sorted) {
    if (count >= q * total) {
      if (!Number.isFinite(le)) return lower;
      // Linear within the bucket, as histogram_quantile does.
      const inBucket = count - below;
      return inBucket > 0 ? lower + ((le - lower) * (q * total - below)) / inBucket : le;
    }
    lower = le;
    below = count;
  }
  return lower;
}

/**
 * Figures for the status page over the last 24 h, taken from the bot's own metrics registry:
 * snapshots every 5 minutes and differences between them, not a second count of deliveries.
 */
export function createMetricsHistory(metrics: Metrics, clock: Clock): MetricsHistory {
  const snapshots: Snapshot[] = [];

  async function read(): Promise<Snapshot> {
    const deliveries = new Map<string, number>();
    for (const v of (await metrics.deliveries.get()).values) deliveries.set(`${v.labels.platform}|${v.labels.outcome}`, v.value);
    const latency = new Map<number, number>();
    for (const v of (await metrics.eventToSend.get()).values) {
      if (!v.metricName?.endsWith("_bucket")) continue;
      const bound = (v.labels as Record<string, string | number | undefined>)["le"];
      const le = bound === "+Inf" ? Number.POSITIVE_INFINITY : Number(bound);
      latency.set(le, (latency.get(le) ?? 0) + v.value);
    }
    return { at: clock.now().getTime(), deliveries, latency };
  }

  /** The newest snapshot at or before `t` (the first one when none is that old). */
  function at(t: number): Snapshot | undefined {
    let found: Snapshot | undefined;
    for (const s of snapshots) if (s.at <= t) found = s;
    return found ?? snapshots[0];
  }

  const minus = <K>(a: ReadonlyMap<K, number>, b: ReadonlyMap<K, number> | undefined) => new Map([...a].map(([k, v]) => [k, v - (b?.get(k) ?? 0)]));

  return {
    async sample() {
      snapshots.push(await read());
      const cutoff = clock.now().getTime() - KEEP_MS;
      while (snapshots.length > 1 && snapshots[0]!.at < cutoff) snapshots.shift();
    },
    async run(signal) {
      while (!signal.aborted) {
        await this.sample();
        await clock.sleep(SAMPLE_MS, signal);
      }
    },
    async deliveries24h() {
      const now = await read();
      const then = at(now.at - 24 * 3_600_000);
      return [...minus(now.deliveries, then?.deliveries)].filter(([, n]) => n > 0).map(([k, count]) => {
        const [platform = "", outcome = ""] = k.split("|");
        return { platform, outcome, count };
      }).sort((a, b) => a.platform.localeCompare(b.platform) || a.outcome.localeCompare(b.outcome));
    },
    async latency24h() {
      const now = await read();
      const points: LatencyPoint[] = [];
      for (let h = 23; h >= 0; h--) {
        const end = now.at - h * 3_600_000;
        const startSnap = at(end - 3_600_000);
        const endSnap = h === 0 ? now : at(end);
        // Nothing recorded inside the hour (the bot was not running, or nothing was sent): a gap.
        const window = endSnap && endSnap.at > (startSnap?.at ?? Number.NEGATIVE_INFINITY) ? minus(endSnap.latency, startSnap?.latency) : new Map<number, number>();
        const p50 = quantile(window, 0.5);
        const p99 = quantile(window, 0.99);
        points.push({ at: new Date(end), ...(p50 !== undefined && { p50 }), ...(p99 !== undefined && { p99 }) });
      }
      return points;
    },
  };
}

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** What `GET /metrics` exposes. Each bot (and each test harness) has its own registry. */
export interface Metrics {
  readonly registry: Registry;
  readonly polls: Counter<"source" | "outcome">;
  readonly pollDuration: Histogram<"source">;
  readonly recordsIngested: Counter<"source">;
  readonly events: Counter<"kind">;
  readonly matches: Counter;
  readonly deliveries: Counter<"platform" | "outcome">;
  readonly rateLimited: Counter<"platform">;
  readonly eventToSend: Histogram<"platform">;
  /** Set by whoever knows the depth (the outbox or the queues) when metrics are scraped. */
  readonly outboxDepth: Gauge<"state">;
}

export function createMetrics(opts: { readonly defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaults) collectDefaultMetrics({ register: registry, prefix: "pysec_herald_" });
  const registers = [registry];
  return {
    registry,
    polls: new Counter({ name: "pysec_herald_polls_total", help: "Polls by source and outcome (ok, failed)", labelNames: ["source", "outcome"], registers }),
    pollDuration: new Histogram({ name: "pysec_herald_poll_duration_seconds", help: "Duration of one poll of a source", labelNames: ["source"], buckets: [0.05, 0.1, 0.5, 1, 5, 15, 60, 300], registers }),
    recordsIngested: new Counter({ name: "pysec_herald_records_ingested_total", help: "Advisory records read from a source and stored", labelNames: ["source"], registers }),
    events: new Counter({ name: "pysec_herald_advisory_events_total", help: "Advisory events (new, updated, withdrawn) fanned out", labelNames: ["kind"], registers }),
    matches: new Counter({ name: "pysec_herald_matches_total", help: "Channel notifications queued by matching", registers }),
    deliveries: new Counter({ name: "pysec_herald_deliveries_total", help: "Delivery attempts by platform and outcome (sent, retry, rate-limited, permanent, blocked, moved)", labelNames: ["platform", "outcome"], registers }),
    rateLimited: new Counter({ name: "pysec_herald_rate_limited_total", help: "429 answers (or the platform's equivalent) by platform", labelNames: ["platform"], registers }),
    eventToSend: new Histogram({ name: "pysec_herald_event_to_send_seconds", help: "From the poll that queued a message to the platform accepting it", labelNames: ["platform"], buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600], registers }),
    outboxDepth: new Gauge({ name: "pysec_herald_outbox_depth", help: "Messages waiting for delivery (pending) or kept after giving up (parked)", labelNames: ["state"], registers }),
  };
}

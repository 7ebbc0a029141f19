import { timingSafeEqual } from "node:crypto";
import type { Clock } from "../clock.js";
import { errorMessage } from "../errors.js";
import type { Metrics } from "../metrics.js";
import { KEYS } from "../store/keys.js";
import type { Db } from "../store/open.js";
import { describeWriteFailure } from "../store/write-health.js";
import { createMirrorProbe } from "../mirror-probe.js";
import type { MirrorState } from "../mirror-state.js";
import { describeSkipped } from "../sources/record-skips.js";
import type { SourceState } from "../sources/source.js";
import type { CursorStore } from "../store/ports/cursors.js";
import type { AdvisoryStore } from "../store/ports/mirror.js";
import type { QueueView } from "../store/ports/outbox.js";
import type { HttpResponse, HttpServer } from "./server.js";

export interface OpsDeps {
  readonly db: Db;
  readonly cursors: CursorStore;
  readonly delivery: QueueView;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** The sources this deployment polls (ids), whichever instance polls them. */
  readonly sources: readonly string[];
  /** OPS_TOKEN: when set, /healthz details and /metrics need `Authorization: Bearer <token>`. */
  readonly opsToken?: string;
  /** Whether the mirror can answer yet (never seeded, or out of date after MIRROR_STALE_HOURS). */
  readonly advisories: Pick<AdvisoryStore, "packageNames">;
  readonly mirrorStaleHours?: number;
}

export interface SourceHealth {
  readonly lastSuccessAgeSeconds?: number;
  readonly failing: boolean;
  readonly lastError?: string;
  readonly warning?: string;
  /** "1 record skipped: PYSEC-…: larger than 4 MB" */
  readonly skipped?: string;
}

export interface Health {
  readonly status: "ok" | "degraded" | "failing";
  /** unreachable: no answer; failing: it answers but cannot write (a full disk). */
  readonly store: "ok" | "unreachable" | "failing";
  readonly storeError?: string;
  readonly sources: Record<string, SourceHealth>;
  readonly mirror?: MirrorState["kind"];
}

const STORE_PING_MS = 2_000;

// A source is failing when its last poll failed; one that has not been polled yet is not.
function sourceHealth(state: SourceState, now: number): SourceHealth {
  const success = state.lastSuccess ? Date.parse(state.lastSuccess) : undefined;
  const failing = state.lastError !== undefined && (success === undefined || Date.parse(state.lastError.at) > success);
  return {
    ...(success !== undefined && { lastSuccessAgeSeconds: Math.round((now - success) / 1000) }),
    failing,
    ...(failing && state.lastError && { lastError: state.lastError.message }),
    ...(state.warning && { warning: state.warning }),
    ...(state.skippedRecords?.length && { skipped: describeSkipped(state.skippedRecords) }),
  };
}

/** Why the store cannot write, after one more try (a probe write) to see whether it can again. */
async function writeFailure(db: Db, now: Date): Promise<string | undefined> {
  if (!db.writes.failure) return undefined;
  await db.keyv.set(KEYS.writeProbe, now.toISOString()).catch(() => undefined);
  const failure = db.writes.failure;
  return failure && describeWriteFailure(failure);
}

export async function checkHealth(deps: OpsDeps, probe: () => Promise<MirrorState>): Promise<Health> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`no answer within ${STORE_PING_MS} ms`)), STORE_PING_MS)));
    const [, mirrorNow, ...states] = await Promise.race([Promise.all([deps.db.keyv.get(KEYS.schema), probe(), ...deps.sources.map((s) => deps.cursors.get(s))]), timeout]);
    const now = deps.clock.now().getTime();
    const writes = await writeFailure(deps.db, deps.clock.now());
    const sources = Object.fromEntries(deps.sources.map((id, i) => [id, sourceHealth(states[i] as SourceState, now)]));
    const failing = Object.values(sources).filter((s) => s.failing).length;
    const mirror = (mirrorNow as MirrorState).kind;
    // A mirror that cannot answer (yet, or any more) is degraded service even when every poll works.
    const status = failing === deps.sources.length && failing > 0 ? "failing" : failing > 0 || mirror !== "ready" ? "degraded" : "ok";
    if (writes) return { status: "failing", store: "failing", storeError: writes, sources, mirror };
    return { status, store: "ok", sources, mirror };
  } catch (err) {
    return { status: "failing", store: "unreachable", storeError: errorMessage(err), sources: {} };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a request may see the operator's details: always without OPS_TOKEN; with it, the header
 * `Authorization: Bearer <token>` (or, for a browser, `?token=<token>` where `query` is given).
 */
export function opsAuthorizer(opsToken: string | undefined): (header: string | string[] | undefined, query?: URLSearchParams) => boolean {
  const expected = opsToken ? Buffer.from(opsToken) : undefined;
  return (header, query) => {
    if (!expected) return true;
    // The scheme is case-insensitive (RFC 9110 11.1): "bearer" and "BEARER" are "Bearer".
    const bearer = typeof header === "string" ? /^bearer +(\S+) *$/i.exec(header)?.[1] : undefined;
    const given = Buffer.from(bearer ?? query?.get("token") ?? "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

/** `GET /healthz` (503 when the store is unreachable or every source is failing) and `GET /metrics`. */
export function addOpsRoutes(http: HttpServer, deps: OpsDeps): void {
  const probe = createMirrorProbe({ ...deps, staleHours: deps.mirrorStaleHours ?? 24 });
  const authorized = opsAuthorizer(deps.opsToken);
  http.route("GET", "/healthz", async (req) => {
    const health = await checkHealth(deps, probe);
    // Without the token, only the verdict: which sources fail and why is for the operator.
    const body = authorized(req.headers.authorization) ? health : { status: health.status };
    return { status: health.status === "failing" ? 503 : 200, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  });
  http.route("GET", "/metrics", async (req): Promise<HttpResponse> => {
    if (!authorized(req.headers.authorization)) return { status: 401, headers: { "www-authenticate": "Bearer" }, body: "OPS_TOKEN required" };
    try {
      const { pending, parked } = await deps.delivery.depth();
      deps.metrics.outboxDepth.set({ state: "pending" }, pending);
      deps.metrics.outboxDepth.set({ state: "parked" }, parked);
    } catch {
      // The store is down: /healthz says so; the other metrics are still worth scraping.
    }
    return { status: 200, headers: { "content-type": deps.metrics.registry.contentType }, body: await deps.metrics.registry.metrics() };
  });
}

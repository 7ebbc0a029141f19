import type { Clock } from "../clock.js";
import type { HttpServer } from "../http/server.js";
import { opsAuthorizer } from "../http/ops-routes.js";
import { createMirrorProbe } from "../mirror-probe.js";
import type { Db } from "../store/open.js";
import type { ChannelStore } from "../store/ports/channels.js";
import type { CursorStore } from "../store/ports/cursors.js";
import type { AdvisoryStore } from "../store/ports/mirror.js";
import type { DeliveredTo } from "../store/ports/told.js";
import type { QueueView } from "../store/ports/outbox.js";
import { describeWriteFailure } from "../store/write-health.js";
import { forbidden, page, stylesheet, STYLESHEET_PATH } from "./html.js";
import type { MetricsHistory } from "./metrics-history.js";
import { channelName, loadReport, renderReport } from "./report-page.js";
import { verifyReportToken } from "./report-token.js";
import { renderStatus } from "./status-page.js";

export interface WebDeps {
  readonly db: Pick<Db, "writes">;
  readonly channels: Pick<ChannelStore, "get">;
  readonly advisories: AdvisoryStore;
  readonly cursors: CursorStore;
  readonly delivery: QueueView & DeliveredTo;
  readonly clock: Clock;
  readonly history: MetricsHistory;
  readonly mirrorStaleHours: number;
  /** The key report links are signed with; without it there are no report pages. */
  readonly reportSecret?: string;
  readonly opsToken?: string;
  /** PYPI_URL: the report links each package to its project page there. */
  readonly pypiUrl?: string;
}

/** The read-only pages: `GET /report/<token>`, `GET /status` (behind OPS_TOKEN) and their stylesheet. */
export function addWebRoutes(http: HttpServer, deps: WebDeps): void {
  const probe = createMirrorProbe({ ...deps, staleHours: deps.mirrorStaleHours });
  const authorized = opsAuthorizer(deps.opsToken);
  http.route("GET", STYLESHEET_PATH, async () => stylesheet());
  const secret = deps.reportSecret;
  if (secret) {
    http.route("GET", "/report/*", async (req) => {
      const now = deps.clock.now();
      let token: string;
      try {
        token = decodeURIComponent(req.path.slice("/report/".length));
      } catch {
        return page(400, "Malformed report link", "<h1>Malformed report link</h1><p>This link is not one the bot made: ask it for a new one with <code>report</code>.</p>");
      }
      const grant = verifyReportToken(token, secret, now);
      if (!grant) return forbidden();
      const data = await loadReport(deps, grant.channel, await deps.channels.get(grant.channel), await probe(), now, grant.expires);
      return page(200, `pysec-herald report: ${channelName(grant.channel)}`, renderReport(data));
    });
  }
  http.route("GET", "/status", async (req) => {
    if (!authorized(req.headers.authorization, req.query)) {
      return page(401, "OPS_TOKEN required", "<h1>OPS_TOKEN required</h1><p>Open this page as <code>/status?token=&lt;OPS_TOKEN&gt;</code>, or send <code>Authorization: Bearer &lt;OPS_TOKEN&gt;</code>.</p>");
    }
    const [sources, mirror, advisories, deliveries, latency, depth, items] = await Promise.all([
      deps.cursors.all(), probe(), deps.advisories.count(), deps.history.deliveries24h(), deps.history.latency24h(), deps.delivery.depth(), deps.delivery.list(),
    ]);
    const failure = deps.db.writes.failure;
    return page(200, "pysec-herald status", renderStatus({
      now: deps.clock.now(), sources, mirror, advisories, deliveries, latency, depth, parked: items.filter((i) => i.parked),
      ...(failure && { storeFailure: describeWriteFailure(failure) }),
    }));
  });
}

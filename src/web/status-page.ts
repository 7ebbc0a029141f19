import { describeSkipped } from "../sources/record-skips.js";
import { describeMirror, type MirrorState } from "../mirror-state.js";
import type { SourceState } from "../sources/source.js";
import type { OutboxItem } from "../store/ports/outbox.js";
import { esc, lineChart, whenInWords } from "./html.js";
import type { LatencyPoint } from "./metrics-history.js";

/** What the operator's status page shows, read once from the store and the metrics registry. */
export interface StatusData {
  readonly now: Date;
  readonly sources: Readonly<Record<string, SourceState>>;
  readonly mirror: MirrorState;
  readonly advisories: number;
  readonly deliveries: readonly { platform: string; outcome: string; count: number }[];
  readonly latency: readonly LatencyPoint[];
  readonly depth: { readonly pending: number; readonly parked: number };
  readonly parked: readonly OutboxItem[];
  readonly storeFailure?: string;
}

const SHOWN_PARKED = 50;

function ago(iso: string | undefined, now: Date): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

export function renderStatus(d: StatusData): string {
  const sources = Object.entries(d.sources).sort(([a], [b]) => a.localeCompare(b)).map(([id, s]) => {
    const failing = s.lastError && (!s.lastSuccess || s.lastError.at > s.lastSuccess);
    return `<tr><th scope="row">${esc(id)}</th><td>${esc(s.lastSuccess ? whenInWords(s.lastSuccess, d.now) : "never")}</td><td>${esc(ago(s.lastSuccess, d.now))}</td><td>${s.lastError ? `<span class="${failing ? "sev-critical" : "muted"}">${esc(`${whenInWords(s.lastError.at, d.now)}: ${s.lastError.message}`)}</span>` : "none"}${s.warning ? `<br><span class="sev-medium">${esc(s.warning)}</span>` : ""}${s.skippedRecords?.length ? `<br><span class="sev-medium">${esc(describeSkipped(s.skippedRecords)!)}</span>` : ""}</td></tr>`;
  });
  const lastChange = d.sources["osv"]?.cursor;
  const hours = d.latency.map((p) => p.at.toISOString().slice(11, 16));
  const chart = lineChart("Event-to-send latency per hour, last 24 h", hours, [
    { name: "p50", cls: "p50", values: d.latency.map((p) => p.p50) },
    { name: "p99", cls: "p99", values: d.latency.map((p) => p.p99) },
  ], "s");
  return `<h1>pysec-herald status</h1>
${d.storeFailure ? `<p class="state bad" role="alert">Store: ${esc(d.storeFailure)}</p>` : ""}
<p class="state${d.mirror.kind === "ready" ? "" : " bad"}" role="status">Mirror: ${d.advisories} advisories; ${esc(describeMirror(d.mirror))}${lastChange ? `; newest change ${esc(whenInWords(lastChange, d.now))}` : ""}.</p>
<p class="muted">As of ${esc(whenInWords(d.now.toISOString(), d.now))}.</p>
<h2>Sources</h2>
<table><thead><tr><th scope="col">Source</th><th scope="col">Last success</th><th scope="col">Lag</th><th scope="col">Last error</th></tr></thead><tbody>${sources.join("") || `<tr><td colspan="4">No source has been polled yet.</td></tr>`}</tbody></table>
<h2>Deliveries, last 24 h</h2>
${d.deliveries.length ? `<table><thead><tr><th scope="col">Platform</th><th scope="col">Outcome</th><th scope="col">Count</th></tr></thead><tbody>${d.deliveries.map((r) => `<tr><td>${esc(r.platform)}</td><td>${esc(r.outcome)}</td><td>${r.count}</td></tr>`).join("")}</tbody></table>` : "<p>None.</p>"}
<h2>Latency</h2>
${chart}
<h2>Queue</h2>
<p>${d.depth.pending} pending, ${d.depth.parked} parked.</p>
${d.parked.length ? `<table><thead><tr><th scope="col">Channel</th><th scope="col">Advisory</th><th scope="col">Reason</th></tr></thead><tbody>${d.parked.slice(0, SHOWN_PARKED).map((i) => `<tr><td>${esc(i.channel)}</td><td>${esc(i.advisoryId)}</td><td>${esc(i.parked)}</td></tr>`).join("")}</tbody></table>${d.parked.length > SHOWN_PARKED ? `<p class="muted">… and ${d.parked.length - SHOWN_PARKED} more.</p>` : ""}` : ""}`;
}

import { createHash } from "node:crypto";
import type { HttpResponse } from "../http/server.js";

/** Escapes text for HTML content and double-quoted attributes: advisory text is hostile input here too. */
export function esc(value: unknown): string {
  return String(value ?? "").replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "today 14:02 UTC", "yesterday 09:10 UTC", "3 Dec 2026 08:00 UTC": a moment as people read it. */
export function whenInWords(iso: string, now: Date): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const time = at.toISOString().slice(11, 16);
  if (day(at) === day(now)) return `today ${time} UTC`;
  if (day(at) === day(new Date(now.getTime() - 86_400_000))) return `yesterday ${time} UTC`;
  return `${at.getUTCDate()} ${at.toLocaleString("en", { month: "short", timeZone: "UTC" })} ${at.getUTCFullYear()} ${time} UTC`;
}

/** The one stylesheet, served at STYLESHEET_PATH: no inline styles, so the CSP can forbid them. */
export const STYLESHEET = `
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de; --crit: #a40e26; --high: #bc4c00; --med: #7d4e00; --low: #0a5c2e; --none: #57606a; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3; --line: #30363d; --crit: #ff7b72; --high: #ffa657; --med: #e3b341; --low: #7ee787; --none: #9da7b3; } }
body { font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; max-width: 60rem; padding: 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
svg { max-width: 100%; height: auto; } ul { padding-left: 1.2rem; } a { color: inherit; } details summary { cursor: pointer; }
@media (max-width: 36rem) { body { padding: .5rem; } th, td { padding: .25rem .3rem; overflow-wrap: anywhere; }
  table.pins, table.pins tbody, table.pins tr, table.pins th, table.pins td { display: block; } table.pins thead { display: none; }
  table.pins tr { border-bottom: 1px solid var(--line); padding: .4rem 0; } table.pins th, table.pins td { border: 0; padding: .1rem 0; } }
.muted { color: var(--muted); } .state { padding: .5rem 1rem; border: 1px solid var(--line); border-radius: .3rem; }
.state.bad { border-color: var(--crit); } .sev-critical { color: var(--crit); } .sev-high { color: var(--high); } .sev-medium { color: var(--med); } .sev-low { color: var(--low); } .sev-unknown { color: var(--none); }
svg text { fill: var(--fg); font-size: 12px; } svg .axis { stroke: var(--line); } svg .p50 { stroke: var(--low); fill: none; stroke-width: 2; } svg .p99 { stroke: var(--crit); fill: none; stroke-width: 2; }
svg .bar-critical { fill: var(--crit); } svg .bar-high { fill: var(--high); } svg .bar-medium { fill: var(--med); } svg .bar-low { fill: var(--low); } svg .bar-unknown, svg .bar-none { fill: var(--none); }
`;
export const STYLESHEET_PATH = "/assets/pysec-herald.css";
const STYLE_HASH = createHash("sha256").update(STYLESHEET).digest("base64url").slice(0, 16);

/**
 * Nothing runs and nothing loads from elsewhere: no script at all, styles only from our own
 * stylesheet, no frames; the report token is in the URL, so no referrer leaves and nothing is cached.
 */
const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;

/** A whole page: `body` is HTML built with `esc` for every value. */
export function page(status: number, title: string, body: string): HttpResponse {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="${STYLESHEET_PATH}?v=${STYLE_HASH}"></head>
<body><main>
${body}
</main></body></html>`;
  return { status, headers: { "content-type": "text/html; charset=utf-8", ...SECURITY_HEADERS }, body: html };
}

export function stylesheet(): HttpResponse {
  return { status: 200, headers: { "content-type": "text/css; charset=utf-8", ...SECURITY_HEADERS, "cache-control": "public, max-age=86400" }, body: STYLESHEET };
}

/** The same page for a tampered, expired or foreign token: it says nothing about any channel. */
export function forbidden(): HttpResponse {
  return page(403, "Forbidden", `<h1>Forbidden</h1><p>This link is not valid (it may have expired). Ask the bot for a new one with <code>report</code>.</p>`);
}

/** Horizontal bars, one per label: a small inline SVG with a text alternative. */
export function barChart(title: string, bars: readonly { label: string; value: number; cls: string }[]): string {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowH = 24;
  const rows = bars.map((b, i) => {
    const w = Math.round((b.value / max) * 300);
    return `<text x="0" y="${i * rowH + 16}">${esc(b.label)}</text><rect class="${esc(b.cls)}" x="90" y="${i * rowH + 4}" width="${w}" height="16"></rect><text x="${96 + w}" y="${i * rowH + 16}">${b.value}</text>`;
  });
  const summary = bars.map((b) => `${b.label}: ${b.value}`).join(", ");
  return `<svg role="img" aria-label="${esc(`${title}: ${summary}`)}" width="440" height="${bars.length * rowH + 4}" viewBox="0 0 440 ${bars.length * rowH + 4}"><title>${esc(title)}</title>${rows.join("")}</svg>`;
}

/** Lines over time (p50 and p99, say): points with no value are gaps. */
export function lineChart(title: string, xLabels: readonly string[], series: readonly { name: string; cls: string; values: readonly (number | undefined)[] }[], unit: string): string {
  // Nothing measured yet: a chart of nothing, with an axis of "0.00 s", would say there was.
  if (!series.some((s) => s.values.some((v) => v !== undefined))) return `<p class="muted" role="status">${esc(title)}: no data yet.</p>`;
  const W = 600;
  const H = 180;
  const pad = 40;
  const max = Math.max(0.001, ...series.flatMap((s) => s.values.filter((v): v is number => v !== undefined)));
  const x = (i: number) => pad + (i * (W - pad - 10)) / Math.max(1, xLabels.length - 1);
  const y = (v: number) => H - 20 - (v / max) * (H - 40);
  const paths = series.map((s) => {
    let d = "";
    s.values.forEach((v, i) => {
      if (v === undefined) return;
      d += `${d && s.values[i - 1] !== undefined ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
    });
    return d ? `<path class="${esc(s.cls)}" d="${d.trim()}"></path>` : "";
  });
  const ticks = xLabels.map((l, i) => (i % 6 === 0 ? `<text x="${x(i).toFixed(1)}" y="${H - 4}">${esc(l)}</text>` : "")).join("");
  const legend = series.map((s, i) => `<text x="${pad + i * 80}" y="12">${esc(s.name)}</text>`).join("");
  const described = series.map((s) => `${s.name}: ${s.values.map((v) => (v === undefined ? "-" : `${v.toFixed(2)} ${unit}`)).join(" ")}`).join("; ");
  return `<svg role="img" aria-label="${esc(`${title}. ${described}`)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}"><title>${esc(title)}</title>`
    + `<line class="axis" x1="${pad}" y1="${H - 20}" x2="${W - 10}" y2="${H - 20}"></line><line class="axis" x1="${pad}" y1="20" x2="${pad}" y2="${H - 20}"></line>`
    + `<text x="0" y="${y(max) + 4}">${esc(max.toFixed(2))} ${esc(unit)}</text>${legend}${paths.join("")}${ticks}</svg>`;
}

import { RATINGS, type Severity } from "../advisory/severity.js";
import { activeMutes, describeMute, isMutedFor, platformOf, type Channel } from "../channel.js";
import { smallestFix } from "../commands/package-summary.js";
import { findAffecting, type Finding } from "../lookup.js";
import { severityLabel } from "../message.js";
import { watchText, type Watch } from "../matching/specifiers.js";
import { describeMirror, type MirrorState } from "../mirror-state.js";
import type { AdvisoryStore } from "../store/ports/mirror.js";
import type { DeliveredTo } from "../store/ports/told.js";
import { barChart, esc, whenInWords } from "./html.js";
import { osvUrl } from "../advisory/ids.js";
import { severityRank } from "../advisory/severity.js";

const ALERT_DAYS = 30;

export interface ReportRow {
  readonly watch: Watch;
  readonly findings: readonly Finding[];
  /** The findings muted in this channel now (listed apart, with when the mute lapses). */
  readonly muted: ReadonlySet<string>;
  readonly upgrade?: string;
}

/** Everything the channel report shows, read once; rendering is pure. */
export interface ReportData {
  readonly channelKey: string;
  readonly channel: Channel | undefined;
  readonly mirror: MirrorState;
  readonly groups: readonly { readonly label: string | undefined; readonly rows: readonly ReportRow[] }[];
  readonly alerts: readonly { readonly id: string; readonly watch: string; readonly severity: Severity; readonly sentAt: string }[];
  readonly now: Date;
  readonly expires: Date;
  /** Where a package's project page is (PYPI_URL); without it packages are not linked. */
  readonly pypiUrl?: string;
}

export interface ReportDeps {
  readonly advisories: AdvisoryStore;
  readonly delivery: Pick<DeliveredTo, "told">;
  readonly pypiUrl?: string;
}

/** Reads what the report of one channel needs: its watches' findings, mutes, and the alerts it was sent. */
export async function loadReport(deps: ReportDeps, channelKey: string, channel: Channel | undefined, mirror: MirrorState, now: Date, expires: Date): Promise<ReportData> {
  const watches = channel?.watches ?? [];
  const rows = await Promise.all(watches.map(async (watch): Promise<ReportRow> => {
    const findings = await findAffecting(deps.advisories, watch);
    const muted = new Set(channel ? findings.filter((f) => isMutedFor(channel, [f.stored.advisory.id, ...f.stored.advisory.aliases], watch.name, now, f.effect.fixed.length > 0)).map((f) => f.stored.advisory.id) : []);
    const open = findings.filter((f) => !muted.has(f.stored.advisory.id));
    const upgrade = smallestFix(watch, open);
    return { watch, findings, muted, ...(upgrade && { upgrade }) };
  }));
  const labels = [...new Set(watches.map((w) => w.label))].sort((a, b) => (a === undefined ? -1 : b === undefined ? 1 : a.localeCompare(b)));
  const groups = labels.map((label) => ({ label, rows: rows.filter((r) => r.watch.label === label) }));
  // Alerts of the last 30 days: the advisories that affect a watch here, as the delivery record says they were sent.
  const since = now.getTime() - ALERT_DAYS * 86_400_000;
  // Only an advisory that changed in that time can have been sent in it: the others are not looked up.
  const seen = new Map<string, { watch: string; severity: Severity }>();
  const recent = (f: Finding) => Date.parse(f.stored.advisory.modified) >= since || Date.parse(f.stored.firstSeen) >= since;
  for (const r of rows) for (const f of r.findings) if (!seen.has(f.stored.advisory.id) && recent(f)) seen.set(f.stored.advisory.id, { watch: watchText(r.watch), severity: f.severity });
  const alerts = (await Promise.all([...seen].map(async ([id, info]) => {
    const sent = (await deps.delivery.told(id))[channelKey]?.ref.at;
    return sent && Date.parse(sent) >= since ? [{ id, ...info, sentAt: sent }] : [];
  }))).flat().sort((a, b) => b.sentAt.localeCompare(a.sentAt));
  return { channelKey, channel, mirror, groups, alerts, now, expires, ...(deps.pypiUrl && { pypiUrl: deps.pypiUrl }) };
}

const sevClass = (s: Severity) => `sev-${s.rating}`;

function mirrorBanner(state: MirrorState): string {
  const bad = state.kind !== "ready";
  const text = state.kind === "not-ready" ? "The advisory mirror is not ready: this page cannot say whether anything is affected." : `The advisory mirror is ${describeMirror(state)}.`;
  return `<p class="state${bad ? " bad" : ""}" role="status">${esc(text)}</p>`;
}

/** An advisory id as a link to its page on OSV (ids are checked to be plain before they are stored). */
const advisoryLink = (id: string) => `<a href="${esc(osvUrl(id))}">${esc(id)}</a>`;

function packageLink(text: string, name: string, pypiUrl: string | undefined): string {
  return pypiUrl ? `<a href="${esc(`${pypiUrl.replace(/\/$/, "")}/project/${encodeURIComponent(name)}/`)}">${esc(text)}</a>` : esc(text);
}

/** "the console", "Telegram chat -100123", "Discord channel 2000…": the channel as its people know it. */
export function channelName(key: string): string {
  const platform = platformOf(key);
  if (platform === "console") return "the console";
  const kind: Record<string, string> = { telegram: "Telegram chat", discord: "Discord channel", slack: "Slack channel" };
  return `${kind[platform] ?? platform} ${key.slice(platform.length + 1)}`;
}

function findingCell(f: Finding): string {
  const a = f.stored.advisory;
  const aliases = a.aliases.length ? ` <span class="muted">(${esc(a.aliases.join(", "))})</span>` : "";
  const fixed = f.effect.fixed.length ? esc(f.effect.fixed.join(", ")) : "no fix yet";
  return `<li><span class="${sevClass(f.severity)}">${esc(severityLabel(f.severity))}</span> <strong>${advisoryLink(a.id)}</strong>${aliases}${a.summary ? ` — ${esc(a.summary.slice(0, 200))}` : ""}; fixed in ${fixed}</li>`;
}

/** The rank of a row's most severe open finding (-Infinity with none; unrated is -1), to put the worst first. */
const worstOf = (r: ReportRow) => Math.max(-Infinity, ...r.findings.filter((f) => !r.muted.has(f.stored.advisory.id)).map((f) => severityRank(f.severity)));

function rowHtml(r: ReportRow, state: MirrorState, pypiUrl: string | undefined): string {
  const open = r.findings.filter((f) => !r.muted.has(f.stored.advisory.id));
  const muted = r.findings.filter((f) => r.muted.has(f.stored.advisory.id));
  const now = open.length === 0
    ? state.kind === "not-ready" ? `<span class="muted">cannot tell yet</span>` : "nothing known"
    : `<ul>${open.map(findingCell).join("")}</ul>`;
  const upgrade = r.upgrade ? esc(`upgrade to ${r.upgrade}`) : open.length ? (r.watch.specifier.startsWith("==") ? "no single fixed release" : "give a version to see the upgrade") : "";
  const mutedHtml = muted.length ? `<p class="muted">Muted: ${esc(muted.map((f) => f.stored.advisory.id).join(", "))}</p>` : "";
  return `<tr><th scope="row">${packageLink(watchText(r.watch), r.watch.name, pypiUrl)}</th><td>${now}${mutedHtml}</td><td>${upgrade}</td></tr>`;
}

const HEAD = `<thead><tr><th scope="col">Package</th><th scope="col">Affected now</th><th scope="col">Upgrade</th></tr></thead>`;

/** One group's table: affected pins most severe first; those with nothing open folded below. */
function groupHtml(rows: readonly ReportRow[], d: ReportData): string {
  const sorted = [...rows].sort((a, b) => worstOf(b) - worstOf(a) || a.watch.name.localeCompare(b.watch.name));
  const affected = sorted.filter((r) => worstOf(r) > -Infinity);
  const rest = sorted.filter((r) => worstOf(r) === -Infinity);
  const table = (rs: readonly ReportRow[]) => `<table class="pins">${HEAD}<tbody>${rs.map((r) => rowHtml(r, d.mirror, d.pypiUrl)).join("")}</tbody></table>`;
  if (rest.length === 0) return table(affected);
  const what = d.mirror.kind === "not-ready" ? "not known yet" : "with nothing known against them";
  const folded = `<details><summary>${rest.length} ${rest.length === 1 ? "package" : "packages"} ${what}</summary>${table(rest)}</details>`;
  return affected.length ? `${table(affected)}\n${folded}` : folded;
}

/** The channel report as HTML: every value escaped. */
export function renderReport(d: ReportData): string {
  const c = d.channel;
  const open = d.groups.flatMap((g) => g.rows.flatMap((r) => r.findings.filter((f) => !r.muted.has(f.stored.advisory.id))));
  const counts: { label: string; value: number; cls: string }[] = [...RATINGS].reverse().map((rating) => ({ label: rating as string, value: open.filter((f) => f.severity.rating === rating).length, cls: `bar-${rating}` }));
  counts.push({ label: "not rated", value: open.filter((f) => f.severity.rating === "unknown").length, cls: "bar-unknown" });
  const sections = d.groups.map((g) => `<h2>${esc(g.label ?? "Watched directly")} <span class="muted">(${g.rows.length})</span></h2>
${groupHtml(g.rows, d)}`);
  const mutes = c ? activeMutes(c, d.now) : [];
  const settings = c
    ? [
      `Mode: ${c.mode}${c.mode === "digest" ? `, ${c.digestDay ? `every ${c.digestDay}` : "daily"} at ${c.digestTime} ${c.timezone}` : ""}`,
      `Severity floor: ${c.severity}; urgent: ${c.urgent}${c.fixedOnly ? "; fixed-only" : ""}${c.kevOnly ? "; KEV only" : ""}${c.epssFloor > 0 ? `; EPSS ≥ ${c.epssFloor}` : ""}`,
      ...(c.quiet ? [`Quiet hours: ${c.quiet.from}-${c.quiet.to} ${c.timezone}`] : []),
      ...(c.paused ? [`Delivery paused since ${c.paused.at}: ${c.paused.reason}`] : []),
    ]
    : ["This channel has no settings yet."];
  return `<h1>Security report for ${esc(channelName(d.channelKey))}</h1>
${mirrorBanner(d.mirror)}
<p class="muted">Made ${esc(whenInWords(d.now.toISOString(), d.now))}; this link works until ${esc(whenInWords(d.expires.toISOString(), d.now))}.</p>
<h2>Open advisories by severity</h2>
${barChart("Open advisories by severity", counts)}
${sections.join("\n") || "<p>This channel watches nothing yet.</p>"}
<h2>Muted</h2>
${mutes.length ? `<ul>${mutes.map((m) => `<li>${esc(describeMute(m))}${m.until ? "" : " (for good)"}</li>`).join("")}</ul>` : "<p>Nothing is muted.</p>"}
<h2>Settings</h2>
<ul>${settings.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>
<h2>Alerts of the last ${ALERT_DAYS} days</h2>
${d.alerts.length ? `<table><thead><tr><th scope="col">Sent</th><th scope="col">Advisory</th><th scope="col">Watch</th></tr></thead><tbody>${d.alerts.map((a) => `<tr><td>${esc(whenInWords(a.sentAt, d.now))}</td><td><span class="${sevClass(a.severity)}">${esc(severityLabel(a.severity))}</span> ${advisoryLink(a.id)}</td><td>${esc(a.watch)}</td></tr>`).join("")}</tbody></table>` : "<p>No alerts in that time.</p>"}`;
}

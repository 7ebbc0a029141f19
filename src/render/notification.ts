import type { StoredAdvisory } from "../advisory/diff.js";
import type { Notification, Reply } from "../message.js";
import { isMaliciousId, osvUrl } from "../advisory/ids.js";
import { severityOf } from "../advisory/severity.js";
import type { Effect } from "../matching/affects.js";
import { watchText, type Watch } from "../matching/specifiers.js";
import { upgradeAdvice, upgradeFor } from "../matching/upgrade.js";
import { signalKindOf } from "../sources/pypi/signal-record.js";
import { neutralize, safeUrl } from "./text.js";

/** A platform-neutral alert: everything an adapter needs to render one advisory for one channel. */
export type { Notification, Reply } from "../message.js";

export function reply(text: string, ephemeral = false): Reply {
  return { type: "reply", text: neutralize(text), ephemeral };
}

const MAX_DETAILS = 1500;

/**
 * The alert's main link (the most-clicked spot): OSV's page for the id, or for a PSF announcement
 * its post on python.org. Any other record's own URL could put a phishing link there.
 */
function linkOf(stored: StoredAdvisory): string {
  // PyPI's signals are built here, never read from a record: their link is the project on PYPI_URL.
  const project = signalKindOf(stored) ? safeUrl(stored.advisory.references[0]?.url ?? "") : undefined;
  if (project) return project;
  const url = stored.advisory.database_specific?.["url"];
  const own = typeof url === "string" && stored.advisory.id.startsWith("PSF-ANN-") ? safeUrl(url) : undefined;
  return own && /(^|\.)python\.org$/.test(new URL(own).hostname) ? own : osvUrl(stored.advisory.id);
}

/** A record's date as shown: parsed and written back in one form, or undefined when it is no date (it may carry anything). */
function shownDate(text: string | undefined): string | undefined {
  const at = text === undefined ? Number.NaN : Date.parse(text);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString().replace(".000Z", "Z");
}

export function buildNotification(event: Notification["event"], stored: StoredAdvisory, watch: Watch, effect: Effect, lookalike?: Notification["lookalike"]): Notification {
  const a = stored.advisory;
  const details = (a.details ?? "").trim();
  const upgrade = event === "withdrawn" ? undefined : upgradeFor(watch, effect.fixed);
  const signal = signalKindOf(stored) !== undefined;
  const published = shownDate(a.published);
  // Every text below comes from the record, from the public: neutralised, dates only once parsed.
  return {
    type: "notification",
    event,
    advisoryId: a.id,
    revision: stored.revision,
    title: neutralize(lookalike
      ? `${lookalike.published} was published as malicious; you watch ${lookalike.watched}`
      : (a.summary ?? details.split("\n")[0] ?? a.id).trim().slice(0, 200) || a.id),
    details: neutralize(details.length > MAX_DETAILS ? `${details.slice(0, MAX_DETAILS)}…` : details),
    severity: severityOf(a),
    malicious: isMaliciousId(a.id),
    watch: watchText(watch),
    package: watch.name,
    affectedVersions: effect.versions.map(neutralize),
    fixedVersions: effect.fixed.map(neutralize),
    ...(upgrade && !signal && { upgrade: upgradeAdvice(upgrade) }),
    ...(signal && { note: neutralize(details.slice(0, MAX_DETAILS)) }),
    invalidVersions: effect.invalid.map(neutralize),
    aliases: a.aliases.map(neutralize),
    url: linkOf(stored),
    references: a.references.map((r) => safeUrl(r.url)).filter((u): u is string => u !== undefined).slice(0, 5),
    ...(published && { published }),
    modified: shownDate(a.modified) ?? "?",
    ...(lookalike && { lookalike }),
    ...(stored.kev && { kev: true }),
    ...(stored.epss !== undefined && { epss: stored.epss }),
    ...(stored.sources && { sources: Object.entries(stored.sources).sort(([, x], [, y]) => x.localeCompare(y)).map(([s]) => s) }),
  };
}

/** "Exploited in the wild (CISA KEV) · EPSS 12.3% · confirmed by osv, pypa"; empty when there is nothing to say. */
export function signalsLine(n: Notification): string {
  const parts: string[] = [];
  if (n.kev) parts.push("Exploited in the wild (CISA KEV)");
  if (n.epss !== undefined) parts.push(`EPSS ${(n.epss * 100).toFixed(1)}%`);
  if (n.sources && n.sources.length) parts.push(`confirmed by ${n.sources.join(", ")}`);
  return parts.join(" · ");
}

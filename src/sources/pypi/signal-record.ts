import type { StoredAdvisory } from "../../advisory/diff.js";
import { parseOsvJson } from "../../advisory/osv-schema.js";
import type { Channel } from "../../channel.js";
import type { Watch } from "../../matching/specifiers.js";
import { pinnedVersion } from "../../matching/upgrade.js";
import { SECURITY_SIGNALS, type PypiSignal, type SignalKind } from "./pypi-signals.js";

/**
 * A signal as an advisory-like record that goes through the delivery path as advisories do
 * (outbox, digests, mutes, idempotency by id), but is never stored in the mirror: `lookup` and
 * `audit` answers stay about vulnerabilities.
 */
export function signalRecord(s: PypiSignal, now: Date): StoredAdvisory {
  const at = now.toISOString();
  const advisory = parseOsvJson(JSON.stringify({
    id: s.id, modified: at, published: at, summary: s.summary, details: s.details,
    affected: [{ package: { ecosystem: "PyPI", name: s.name }, ...(s.version ? { versions: [s.version] } : { ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }] }) }],
    references: s.url ? [{ type: "PACKAGE", url: s.url }] : [],
    database_specific: { pypi_signal: s.kind },
  }));
  return { v: 1, advisory, revision: 1, fingerprint: s.id, firstSeen: at };
}

/** The signal kind of a record built by signalRecord, or undefined for an advisory. */
export function signalKindOf(stored: StoredAdvisory): SignalKind | undefined {
  const kind = stored.advisory.database_specific?.["pypi_signal"];
  return stored.advisory.id.startsWith("PYPI-") && typeof kind === "string" ? (kind as SignalKind) : undefined;
}

/** Whether a channel hears this signal for this watch: its `signals` setting, and a yank only reaches pins of that release. */
export function wantsSignal(channel: Channel, kind: SignalKind, watch: Watch): boolean {
  if (channel.signals === "off" || (channel.signals === "security" && !SECURITY_SIGNALS.has(kind))) return false;
  return kind !== "yanked" || pinnedVersion(watch) !== undefined;
}

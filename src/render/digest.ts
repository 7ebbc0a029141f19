import { cannotTell, staleness, type MirrorState } from "../mirror-state.js";
import { severityRank } from "../advisory/severity.js";
import { severityLabel } from "../message.js";
import type { DigestEntry } from "../store/ports/digests.js";
import type { Notification } from "./notification.js";
import { trimAtWord } from "./text.js";

const MAX_PARTS = 10;

/** One self-contained entry: id, severity, aliases, summary, affected/fixed versions, link. */
function entryText(n: Notification, room: number): string {
  const head = `• ${n.event === "withdrawn" ? "WITHDRAWN " : n.event === "updated" ? "updated " : ""}${n.advisoryId} (${severityLabel(n.severity)})${n.aliases.length ? ` [${n.aliases.slice(0, 4).join(", ")}]` : ""}`;
  const action = n.malicious ? "malicious package: remove it and rotate secrets" : n.fixedVersions.length ? `fixed in ${n.fixedVersions.join(", ")}` : "no fixed version yet";
  const tail = n.event === "withdrawn" ? "withdrawn: no action needed" : n.note ? "PyPI's signal" : `affected: ${n.affectedVersions.join("; ")}; ${action}`;
  const fixedParts = `${head} — — ${tail}\n  ${n.url}`;
  // Only the summary is shortened to make an entry fit: an entry is never cut in the middle.
  const summary = trimAtWord(n.title, Math.max(20, Math.min(200, room - fixedParts.length)));
  return `${head} — ${summary} — ${tail}\n  ${n.url}`;
}

/**
 * The digest as messages of at most `maxLength` characters: grouped by package, most severe first,
 * split between entries, with a "N more" line only when even MAX_PARTS messages cannot hold it all.
 */
export function buildDigest(entries: readonly DigestEntry[], title: string, maxLength: number): string[] {
  const byPackage = new Map<string, Notification[]>();
  for (const e of entries) byPackage.set(e.notification.package, [...(byPackage.get(e.notification.package) ?? []), e.notification]);
  const packages = [...byPackage.entries()]
    .map(([pkg, ns]) => [pkg, ns.sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.advisoryId.localeCompare(b.advisoryId))] as const)
    .sort(([a, x], [b, y]) => severityRank(y[0]!.severity) - severityRank(x[0]!.severity) || a.localeCompare(b));
  const header = `${title}: ${entries.length} ${entries.length === 1 ? "advisory" : "advisories"} for ${byPackage.size} ${byPackage.size === 1 ? "package" : "packages"}`;
  const parts: string[] = [];
  let current = header;
  let shown = 0;
  for (const [pkg, ns] of packages) {
    for (const [i, n] of ns.entries()) {
      const block = `${i === 0 ? `\n\n${pkg}` : ""}\n${entryText(n, maxLength - pkg.length - 4)}`;
      if (current.length + block.length > maxLength) {
        if (parts.length + 1 >= MAX_PARTS) {
          parts.push(`${current}\n\n… and ${entries.length - shown} more (use lookup for the rest)`);
          return parts;
        }
        parts.push(current);
        current = `${title} (continued)${block.startsWith("\n\n") ? block : `\n\n${pkg}${block}`}`;
      } else {
        current += block;
      }
      shown++;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * A digest with nothing new, for channels with all-clear on: "all clear" only from a mirror that
 * can say so; otherwise why it cannot (never seeded, or how old it is). `cpython`: why CPython
 * cannot be answered yet, for a channel that watches it (mirror-state.ts cannotTellAbout).
 */
export function allClearText(state: MirrorState, title: string, cpython?: string): string {
  if (state.kind === "not-ready") return `${title}: nothing to report, but I cannot say all is clear: ${cannotTell(state, "any watched package")!.replace(/^The/, "the")}`;
  if (cpython) return `${title}: nothing to report, but I cannot say all is clear: ${cpython.replace(/^The/, "the")}`;
  if (state.kind === "stale") return `${title}: nothing new for the packages this channel watches, but this is not an all-clear.${staleness(state)}`;
  return `${title}: all clear, nothing new for the packages this channel watches.`;
}

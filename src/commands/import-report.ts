import { severityRank } from "../advisory/severity.js";
import type { Finding } from "../lookup.js";
import { watchText, type Watch } from "../matching/specifiers.js";
import { cannotTellAbout, type MirrorState } from "../mirror-state.js";
import type { SourceState } from "../sources/source.js";
import { nothingKnownLine, summaryLine } from "./package-summary.js";

const SHOWN_NOTES = 10;

/** Added / removed / changed between the previous and the new set of a label (by package name). */
export function diffWatches(before: readonly Watch[], after: readonly Watch[]): string {
  const was = new Map(before.map((w) => [w.name, w]));
  const now = new Map(after.map((w) => [w.name, w]));
  const added = [...now.keys()].filter((n) => !was.has(n));
  const removed = [...was.keys()].filter((n) => !now.has(n));
  const changed = [...now.values()].filter((w) => was.has(w.name) && was.get(w.name)!.specifier !== w.specifier).map((w) => `${watchText(was.get(w.name)!)} → ${watchText(w)}`);
  if (before.length === 0) return `${after.length} packages watched.`;
  return [
    `${after.length} packages watched: ${added.length} added, ${removed.length} removed, ${changed.length} changed.`,
    ...(added.length ? [`Added: ${added.slice(0, 20).join(", ")}${added.length > 20 ? ", …" : ""}`] : []),
    ...(removed.length ? [`Removed: ${removed.slice(0, 20).join(", ")}${removed.length > 20 ? ", …" : ""}`] : []),
    ...(changed.length ? [`Changed: ${changed.slice(0, 20).join(", ")}${changed.length > 20 ? ", …" : ""}`] : []),
  ].join("\n");
}

type Found = { readonly watch: Watch; readonly findings: readonly Finding[] };

const worst = (f: Found) => Math.max(...f.findings.map((x) => severityRank(x.severity)));

/**
 * One line per affected watch (most severe first) with the smallest upgrade that fixes what is
 * listed, then one line for every watch nothing is known to affect, or why the mirror cannot tell.
 */
export function packageReport(found: readonly Found[], state: MirrorState, psf: SourceState): string[] {
  const affected = found.filter((f) => f.findings.length > 0).sort((a, b) => worst(b) - worst(a) || a.watch.name.localeCompare(b.watch.name));
  const clear = found.filter((f) => f.findings.length === 0).map((f) => f.watch);
  const rest = clear.length === 0 ? [] : [cannotTellAbout(clear.map((w) => w.name), state, psf, clear.map(watchText).join(", ")) ?? nothingKnownLine(clear)];
  return [...affected.map((f) => summaryLine(f.watch, f.findings)), ...rest];
}

/** What already affects the imported watches: a count, then packageReport's lines. */
export function affectedReport(found: readonly Found[], state: MirrorState, psf: SourceState): string {
  const hit = found.filter((x) => x.findings.length > 0);
  const total = hit.reduce((n, x) => n + x.findings.length, 0);
  const head = total === 0 ? [] : [`Already affected: ${total} ${total === 1 ? "advisory" : "advisories"} in ${hit.length} ${hit.length === 1 ? "package" : "packages"}.`];
  return [...head, ...packageReport(found, state, psf)].join("\n");
}

export function notesReport(notes: readonly string[]): string {
  if (notes.length === 0) return "";
  return `Not watched (${notes.length}):\n${notes.slice(0, SHOWN_NOTES).map((n) => `  • ${n}`).join("\n")}${notes.length > SHOWN_NOTES ? `\n  … and ${notes.length - SHOWN_NOTES} more` : ""}`;
}

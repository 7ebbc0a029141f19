import { RATINGS } from "../advisory/severity.js";
import type { Finding } from "../lookup.js";
import { severityLabel } from "../lookup.js";
import { upgradeAdvice, upgradeFor } from "../matching/upgrade.js";
import { watchText, type Watch } from "../matching/specifiers.js";

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

/** What already affects the imported watches, grouped by severity, with the upgrade that fixes each. */
export function affectedReport(found: readonly { watch: Watch; findings: Finding[] }[]): string {
  const rows = found.flatMap(({ watch, findings }) => findings.map((f) => ({ watch, f })));
  if (rows.length === 0) return "Nothing in the mirror affects these versions.";
  const groups = [...RATINGS].reverse().concat([]) as string[];
  const lines = [`Already affected: ${rows.length} ${rows.length === 1 ? "advisory" : "advisories"} in ${found.filter((x) => x.findings.length).length} packages.`];
  for (const rating of [...groups, "unknown"]) {
    const inGroup = rows.filter((r) => r.f.severity.rating === rating);
    if (inGroup.length === 0) continue;
    lines.push(`${rating === "unknown" ? "not rated" : rating}:`);
    for (const { watch, f } of inGroup) {
      const a = f.stored.advisory;
      const upgrade = upgradeFor(watch, f.effect.fixed);
      const fix = upgrade ? upgradeAdvice(upgrade) : f.effect.fixed.length ? `fixed in ${f.effect.fixed.join(", ")}` : "no fixed version yet";
      lines.push(`  • ${watchText(watch)}: ${a.id} (${severityLabel(f.severity)})${a.summary ? ` ${a.summary.slice(0, 100)}` : ""} — ${fix}`);
    }
  }
  return lines.join("\n");
}

export function notesReport(notes: readonly string[]): string {
  if (notes.length === 0) return "";
  return `Not watched (${notes.length}):\n${notes.slice(0, SHOWN_NOTES).map((n) => `  • ${n}`).join("\n")}${notes.length > SHOWN_NOTES ? `\n  … and ${notes.length - SHOWN_NOTES} more` : ""}`;
}

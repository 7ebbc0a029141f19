import type { SourceState } from "./sources/source.js";

/** Whether the local mirror can answer "is this affected": never seeded, out of date, or ready. */
export type MirrorState =
  | { readonly kind: "not-ready"; readonly failing?: { readonly since: string; readonly message: string } }
  | { readonly kind: "stale"; readonly lastUpdate: string; readonly ageHours: number }
  | { readonly kind: "ready"; readonly lastUpdate?: string };

/** From what the mirror holds and the OSV source's health. Pure. */
export function mirrorState(hasAdvisories: boolean, osv: SourceState, now: Date, staleHours: number): MirrorState {
  if (!hasAdvisories) return { kind: "not-ready", ...(osv.lastError && { failing: { since: osv.lastError.at, message: osv.lastError.message } }) };
  if (!osv.lastSuccess) return { kind: "ready" };
  const ageHours = (now.getTime() - Date.parse(osv.lastSuccess)) / 3_600_000;
  return ageHours > staleHours ? { kind: "stale", lastUpdate: osv.lastSuccess, ageHours } : { kind: "ready", lastUpdate: osv.lastSuccess };
}

function age(hours: number): string {
  return hours < 48 ? `${Math.floor(hours)} hours` : `${Math.floor(hours / 24)} days`;
}

/**
 * What an answer that found nothing must say instead of "no known advisory", or undefined when the
 * mirror can say that. `what` is the question ("django 4.2.1", "django>=4.2,<5").
 */
export function cannotTell(state: MirrorState, what: string): string | undefined {
  if (state.kind !== "not-ready") return undefined;
  const why = state.failing ? `OSV unreachable since ${state.failing.since}: ${state.failing.message}` : "its first download has not finished";
  return `The advisory mirror is not ready yet (${why}); I cannot tell whether ${what} is affected.`;
}

/**
 * The one rule for "cannot tell", for a question about `names`: each source that can know about a
 * name must have answered once. PyPI packages need the OSV mirror; CPython (`python`) needs the
 * PSF advisory database, which OSV's PyPI export does not carry. Says which cannot answer yet.
 */
export function cannotTellAbout(names: readonly string[], state: MirrorState, psf: SourceState, what: string): string | undefined {
  if (names.includes("python") && !psf.lastSuccess) {
    const why = psf.lastError ? `reading it fails since ${psf.lastError.at}: ${psf.lastError.message}` : "the psf source has not read it yet; it is on by default, see SOURCES";
    return `The PSF advisory database, where CPython's advisories are published, has not been read (${why}); I cannot tell whether ${what} is affected.`;
  }
  return names.some((n) => n !== "python") ? cannotTell(state, what) : undefined;
}

/** The mirror's state in a few words, for the console's banner. */
export function describeMirror(state: MirrorState): string {
  if (state.kind === "not-ready") return `not ready yet (${state.failing ? `OSV unreachable since ${state.failing.since}` : "its first download has not finished"})`;
  if (state.kind === "stale") return `out of date (last updated ${age(state.ageHours)} ago)`;
  return "ready";
}

/** A sentence to add to any answer from a mirror that is out of date; empty otherwise. */
export function staleness(state: MirrorState): string {
  return state.kind === "stale" ? ` Note: the advisory mirror was last updated ${age(state.ageHours)} ago (${state.lastUpdate}); newer advisories may be missing.` : "";
}

import { editDistance } from "../matching/lookalike.js";

export interface NameSources {
  /** Every package name the advisory mirror holds records for. */
  readonly mirrorNames: () => Promise<readonly string[]>;
  /** Which of these names PyPI's stored facts know (the pypi source reads watched packages). */
  readonly pypiKnows: (names: readonly string[]) => Promise<ReadonlySet<string>>;
}

/** The known name closest to `name` (at most two edits away; the nearest, then the first in order), if any. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const c of candidates) {
    if (c === name) continue;
    const d = editDistance(name, c, 2);
    if (d <= 2 && (!best || d < best.distance || (d === best.distance && c < best.name))) best = { name: c, distance: d };
  }
  return best?.name;
}

/**
 * A line for each name that no source here knows (no advisory names it, PyPI's facts do not know
 * it), with the closest known name: "djangoo" is more likely a typo than a safe package, and an
 * answer of "no known advisory" would reassure it.
 */
export async function unknownNameLines(names: readonly string[], sources: NameSources, alsoKnown: readonly string[] = []): Promise<string[]> {
  if (names.length === 0) return [];
  const mirror = new Set(await sources.mirrorNames());
  const pypi = await sources.pypiKnows(names.filter((n) => !mirror.has(n)));
  const unknown = [...new Set(names)].filter((n) => n !== "python" && !mirror.has(n) && !pypi.has(n));
  return unknown.map((n) => {
    const guess = closestName(n, [...mirror, ...alsoKnown.filter((k) => k !== n)]);
    return `No package named "${n}" is known here: no advisory names it and PyPI's facts do not know it${guess ? ` (did you mean ${guess}?)` : "; check the spelling"}.`;
  });
}

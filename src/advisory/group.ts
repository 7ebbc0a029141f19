import type { StoredAdvisory } from "./diff.js";

/** What a record joins: the advisory that survives (if any), those it absorbs, and every member record's id. */
export interface Grouping {
  readonly survivor?: StoredAdvisory;
  /** The surviving advisory's id, or the record's own for a new advisory. */
  readonly canonical: string;
  readonly absorbed: readonly StoredAdvisory[];
  readonly members: readonly string[];
}

/**
 * Union-find by ids, the decision part: a record whose ids reach several advisories joins them
 * into one. The oldest advisory survives (then the smallest id), so the message a channel already
 * has stays the one that is edited. Pure: the store reads the advisories and writes the result.
 */
export function groupRecord(recordId: string, reached: readonly StoredAdvisory[]): Grouping {
  const groups = [...reached].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen) || a.advisory.id.localeCompare(b.advisory.id));
  const survivor = groups[0];
  const canonical = survivor?.advisory.id ?? recordId;
  const absorbed = groups.slice(1);
  const members = [...new Set([...(survivor?.members ?? (survivor ? [canonical] : [])), ...absorbed.flatMap((g) => g.members ?? [g.advisory.id]), recordId])];
  return { ...(survivor && { survivor }), canonical, absorbed, members };
}

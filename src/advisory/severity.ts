import cvss from "ae-cvss-calculator";
import type { Advisory } from "./osv-schema.js";

export const RATINGS = ["none", "low", "medium", "high", "critical"] as const;
export type Rating = (typeof RATINGS)[number] | "unknown";

export interface Severity {
  readonly rating: Rating;
  readonly score?: number;
  readonly vector?: string;
  /** Where the rating came from: a CVSS vector, the database's own label, or nothing. */
  readonly from: "cvss_v4" | "cvss_v3" | "cvss_v2" | "database" | "none";
}

/** CVSS v3/v4 qualitative rating scale (v2 uses the same bands here for simplicity of comparison). */
export function ratingOf(score: number): Rating {
  if (score === 0) return "none";
  if (score < 4) return "low";
  if (score < 7) return "medium";
  if (score < 9) return "high";
  return "critical";
}

/** Base score of a CVSS vector, or undefined when the library rejects it. */
export function cvssScore(type: string, vector: string): number | undefined {
  try {
    const v = vector.trim();
    let calc;
    if (type === "CVSS_V4" || v.startsWith("CVSS:4.0/")) calc = new cvss.Cvss4P0(v);
    else if (v.startsWith("CVSS:3.1/")) calc = new cvss.Cvss3P1(v);
    else if (v.startsWith("CVSS:3.0/")) calc = new cvss.Cvss3P0(v);
    else if (type === "CVSS_V2") calc = new cvss.Cvss2(v);
    else return undefined;
    const base = calc.calculateScores().base;
    return typeof base === "number" && Number.isFinite(base) ? base : undefined;
  } catch {
    return undefined;
  }
}

const DATABASE_LABELS: Record<string, Rating> = {
  low: "low", moderate: "medium", medium: "medium", high: "high", critical: "critical",
};

const ORDER = ["CVSS_V4", "CVSS_V3", "CVSS_V2"] as const;

/** The most specific severity an advisory states: newest CVSS version first, then the database's label. */
export function severityOf(a: Pick<Advisory, "severity" | "database_specific">): Severity {
  for (const type of ORDER) {
    for (const s of a.severity) {
      if (s.type !== type) continue;
      const score = cvssScore(s.type, s.score);
      if (score !== undefined) {
        return { rating: ratingOf(score), score, vector: s.score, from: type.toLowerCase() as Severity["from"] };
      }
    }
  }
  const label = a.database_specific?.["severity"];
  if (typeof label === "string" && DATABASE_LABELS[label.toLowerCase()]) {
    return { rating: DATABASE_LABELS[label.toLowerCase()]!, from: "database" };
  }
  return { rating: "unknown", from: "none" };
}

/** Whether a severity passes a channel's floor; an unknown severity always passes (never hide what we cannot rate). */
export function meetsFloor(rating: Rating, floor: (typeof RATINGS)[number] | "any"): boolean {
  if (floor === "any" || rating === "unknown") return true;
  return RATINGS.indexOf(rating) >= RATINGS.indexOf(floor);
}

/** Severities in order, for sorting most severe first: unrated below every rating. */
export function severityRank(s: Pick<Severity, "rating">): number {
  return s.rating === "unknown" ? -1 : RATINGS.indexOf(s.rating);
}

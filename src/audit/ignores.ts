import { parse as parseToml } from "smol-toml";
import { z } from "zod";
import { UserInputError } from "../errors.js";
import type { AuditResult } from "./audit.js";

/**
 * An advisory a team decided to accept, committed with the code: an id (or an alias), why, and
 * for how long: until a day (UTC), or until a fixed version exists (`until = "fixed"`). The file
 * (`--ignore-file`, or `[tool.pysec-herald]` in pyproject.toml):
 *
 *   [[ignore]]
 *   id = "PYSEC-2023-74"
 *   reason = "we send no requests through proxies"
 *   until = "2027-01-31"        # or "fixed"; without it, for good
 */
export interface Ignore {
  readonly id: string;
  readonly reason?: string;
  readonly until?: { readonly day: string } | "fixed";
}

const isDay = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
const Day = z.string().refine(isDay, 'a day as YYYY-MM-DD, or "fixed"');
const Entry = z.object({
  id: z.string().min(1).max(100),
  reason: z.string().max(500).optional(),
  // A TOML date (until = 2027-01-31) arrives as a date object, a quoted one as text.
  until: z.union([z.literal("fixed"), Day, z.date().transform((d) => d.toISOString().slice(0, 10))]).optional(),
}).strict();
const IgnoreFile = z.object({ ignore: z.array(Entry).default([]) }).passthrough();

/** The ignores of an ignore file, or of pyproject.toml's `[tool.pysec-herald]` table (none when it has none). */
export function parseIgnores(text: string, file: string): Ignore[] {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (err) {
    throw new UserInputError(`${file}: not valid TOML: ${(err as Error).message.split("\n")[0]}`);
  }
  const tool = (doc["tool"] as Record<string, unknown> | undefined)?.["pysec-herald"];
  const table = file.endsWith("pyproject.toml") ? (tool ?? {}) : doc;
  const parsed = IgnoreFile.safeParse(table);
  if (!parsed.success) throw new UserInputError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data.ignore.map((e) => ({ id: e.id.toUpperCase(), ...(e.reason && { reason: e.reason }), ...(e.until && { until: e.until === "fixed" ? "fixed" : { day: e.until } }) }));
}

export interface IgnoreOutcome {
  readonly results: AuditResult[];
  /** What was ignored, and ignores that no longer hold (expired, or a fix is out): for standard error. */
  readonly notes: string[];
}

/**
 * Drops the findings an ignore holds for; an ignore past its day, or `until = "fixed"` once the
 * advisory has a fixed version, holds no more: the finding stays and the lapse is reported.
 */
export function applyIgnores(results: readonly AuditResult[], ignores: readonly Ignore[], now: Date): IgnoreOutcome {
  if (ignores.length === 0) return { results: [...results], notes: [] };
  const today = now.toISOString().slice(0, 10);
  const notes = new Set<string>();
  const out = results.map((r) => ({
    ...r,
    findings: r.findings.filter((f) => {
      const ids = [f.stored.advisory.id, ...f.stored.advisory.aliases].map((i) => i.toUpperCase());
      const ignore = ignores.find((i) => ids.includes(i.id));
      if (!ignore) return true;
      const why = ignore.reason ? `: ${ignore.reason}` : "";
      if (ignore.until === "fixed" && f.effect.fixed.length > 0) {
        notes.add(`ignore of ${ignore.id} lapsed: a fix is out (${f.effect.fixed.join(", ")}); ${r.pin.name} ${r.pin.version} is audited again`);
        return true;
      }
      if (ignore.until && ignore.until !== "fixed" && ignore.until.day < today) {
        notes.add(`ignore of ${ignore.id} expired on ${ignore.until.day}; ${r.pin.name} ${r.pin.version} is audited again`);
        return true;
      }
      notes.add(`ignored ${ignore.id} for ${r.pin.name} ${r.pin.version}${why}`);
      return false;
    }),
  }));
  return { results: out, notes: [...notes] };
}

import { z } from "zod";
import { parse as parseYaml } from "yaml";
import { canonicalPackage } from "./names.js";

// Upstream data is messy: a bad element of an array is dropped (and counted), never fatal to the record.
function looseArray<T extends z.ZodTypeAny>(item: T) {
  return z
    .array(z.unknown())
    .catch([])
    .transform((xs) => xs.flatMap((x) => {
      const r = item.safeParse(x);
      return r.success ? [r.data as z.output<T>] : [];
    }));
}

const str = z.union([z.string(), z.number()]).transform(String);
const optStr = str.optional().catch(undefined);

const EventSchema = z
  .record(z.string(), z.unknown())
  .transform((e, ctx) => {
    for (const kind of ["introduced", "fixed", "last_affected", "limit"] as const) {
      const v = e[kind];
      if (typeof v === "string" || typeof v === "number") return { kind, version: String(v) };
    }
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "event has no known kind" });
    return z.NEVER;
  });

const RangeSchema = z.object({
  type: z.string(),
  repo: optStr,
  events: looseArray(EventSchema),
});

const AffectedSchema = z.object({
  package: z
    .object({ ecosystem: z.string(), name: str.transform(canonicalPackage), purl: optStr })
    .optional()
    .catch(undefined),
  ranges: looseArray(RangeSchema).default([]),
  versions: looseArray(str).default([]),
  database_specific: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

const Timestamp = z.string().min(1);

/** An OSV record as pysec-herald keeps it. Only `id` and `modified` are required by OSV. */
export const OsvRecord = z.object({
  id: z.string().min(1),
  modified: Timestamp,
  published: Timestamp.optional().catch(undefined),
  withdrawn: Timestamp.optional().catch(undefined),
  aliases: looseArray(z.string()).default([]),
  related: looseArray(z.string()).default([]),
  summary: optStr,
  details: optStr,
  severity: looseArray(z.object({ type: z.string(), score: str })).default([]),
  affected: looseArray(AffectedSchema).default([]),
  references: looseArray(z.object({ type: z.string(), url: z.string() })).default([]),
  database_specific: z.record(z.string(), z.unknown()).optional().catch(undefined),
});

export type Advisory = z.infer<typeof OsvRecord>;
export type Affected = Advisory["affected"][number];
export type OsvRange = Affected["ranges"][number];
export type OsvEvent = OsvRange["events"][number];

export class InvalidRecordError extends Error {
  override name = "InvalidRecordError";
}

/** Real records nest a handful of levels; one nested thousands deep would break storing it. */
export const MAX_RECORD_DEPTH = 64;

function depthOf(root: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth > deepest) deepest = depth;
    if (deepest > MAX_RECORD_DEPTH) return deepest;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Validates an already-parsed object; throws InvalidRecordError naming what is wrong. */
export function toAdvisory(raw: unknown): Advisory {
  if (depthOf(raw) > MAX_RECORD_DEPTH) throw new InvalidRecordError(`invalid OSV record: nested more than ${MAX_RECORD_DEPTH} levels deep`);
  const r = OsvRecord.safeParse(raw);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  throw new InvalidRecordError(`invalid OSV record: ${first?.path.join(".") || "(root)"}: ${first?.message ?? "unknown"}`);
}

export function parseOsvJson(text: string): Advisory {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidRecordError(`not JSON: ${(err as Error).message}`);
  }
  return toAdvisory(raw);
}

/**
 * PyPA writes OSV as YAML. The failsafe schema keeps every scalar a string, so unquoted
 * timestamps stay ISO text and versions like `0.10` are not turned into the number 0.1.
 */
export function parsePypaYaml(text: string): Advisory {
  let raw: unknown;
  try {
    raw = parseYaml(text, { schema: "failsafe" });
  } catch (err) {
    throw new InvalidRecordError(`not YAML: ${(err as Error).message}`);
  }
  return toAdvisory(raw);
}

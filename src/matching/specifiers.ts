import { validRange } from "@renovatebot/pep440";
import { BoundedMemo } from "../util/bounded-memo.js";
import { canonicalPackage, isValidName, type NormalizedName } from "../advisory/names.js";
import { EVERYTHING, type Interval, intersectAll, isVersion } from "./intervals.js";

/** A package a channel watches, with an optional PEP 440 specifier set. */
export interface Watch {
  readonly name: NormalizedName;
  /** As the user wrote it, without spaces (e.g. `>=4.2,<5`); empty for "any version". */
  readonly specifier: string;
  /** The dependency file it came from (`watch -r api/uv.lock`); a new import of the label replaces its set. */
  readonly label?: string;
}

export function watchText(w: Watch): string {
  return `${w.name}${w.specifier}`;
}

export class SpecError extends Error {
  override name = "SpecError";
}

const SPEC_START = /[<>=!~]/;
const CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*([^\s,]+)$/;

/** Parses `name`, `name>=1,<2`, `name[extra]==1.0` into a Watch; throws SpecError with a readable reason. */
export function parseWatch(text: string): Watch {
  const trimmed = text.trim();
  const at = trimmed.search(SPEC_START);
  let rawName = at === -1 ? trimmed : trimmed.slice(0, at);
  const spec = at === -1 ? "" : trimmed.slice(at).replace(/\s+/g, "");
  rawName = rawName.replace(/\[[^\]]*\]$/, "").trim(); // extras do not change what is installed from the index
  if (!rawName) throw new SpecError(`"${text}" has no package name`);
  if (!isValidName(rawName)) throw new SpecError(`"${rawName}" is not a valid package name (letters, digits, and . _ - between them)`);
  if (spec) specIntervals(spec); // validates
  return { name: canonicalPackage(rawName), specifier: spec };
}

function bump(release: number[]): string {
  const next = [...release];
  next[next.length - 1] = (next[next.length - 1] ?? 0) + 1;
  return next.join(".");
}

function releaseOf(v: string): number[] {
  return v.split(".").map((p) => Number.parseInt(p, 10));
}

function wildcard(prefix: string): Interval {
  return { lower: { version: `${prefix}.dev0`, inclusive: true }, upper: { version: `${bump(releaseOf(prefix))}.dev0`, inclusive: false } };
}

function clauseIntervals(op: string, v: string): Interval[] {
  const wild = v.endsWith(".*");
  const base = wild ? v.slice(0, -2) : v;
  if (wild ? !/^\d+(\.\d+)*$/.test(base) : !isVersion(base)) throw new SpecError(`"${v}" is not a valid version`);
  if (wild && op !== "==" && op !== "!=") throw new SpecError(`".*" is only allowed with == and != (got ${op}${v})`);
  switch (op) {
    case ">=": return [{ lower: { version: base, inclusive: true } }];
    case ">": return [{ lower: { version: base, inclusive: false } }];
    case "<=": return [{ upper: { version: base, inclusive: true } }];
    case "<": return [{ upper: { version: base, inclusive: false } }];
    case "==":
    case "===":
      return wild ? [wildcard(base)] : [{ lower: { version: base, inclusive: true }, upper: { version: base, inclusive: true } }];
    case "!=": {
      const hole = wild ? wildcard(base) : { lower: { version: base, inclusive: true }, upper: { version: base, inclusive: true } };
      return [
        { upper: { version: hole.lower!.version, inclusive: !hole.lower!.inclusive } },
        { lower: { version: hole.upper!.version, inclusive: !hole.upper!.inclusive } },
      ];
    }
    case "~=": {
      const release = releaseOf(base.replace(/^(\d+(?:\.\d+)*).*$/, "$1"));
      if (release.length < 2) throw new SpecError(`~= needs at least two release segments (got ~=${v})`);
      return [{ lower: { version: base, inclusive: true }, upper: { version: `${bump(release.slice(0, -1))}.dev0`, inclusive: false } }];
    }
    default:
      throw new SpecError(`unknown operator ${op}`);
  }
}

// Every advisory of a package is evaluated against the same few specifiers: parse each once.
const specMemo = new BoundedMemo<readonly Interval[]>(10_000);

/** The set of versions a specifier set allows, as a union of intervals (shared: do not modify). */
export function specIntervals(spec: string): readonly Interval[] {
  return specMemo.get(spec, () => parseSpecIntervals(spec));
}

function parseSpecIntervals(spec: string): Interval[] {
  if (!spec) return [EVERYTHING];
  if (spec.length > 200) throw new SpecError("specifier is longer than 200 characters");
  let set: Interval[] = [EVERYTHING];
  for (const clause of spec.split(",")) {
    const m = CLAUSE.exec(clause.trim());
    if (!m) throw new SpecError(`"${clause}" is not a version specifier (expected e.g. >=4.2 or ==1.26.4)`);
    set = intersectAll(set, clauseIntervals(m[1]!, m[2]!));
  }
  if (!validRange(spec)) throw new SpecError(`"${spec}" is not a valid PEP 440 specifier set`);
  if (set.length === 0) throw new SpecError(`"${spec}" allows no version at all`);
  return set;
}

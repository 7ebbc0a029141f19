import type { NormalizedName } from "../advisory/names.js";
import { cleanLine, lineCount, logicalLines, parseRequirementLine } from "../deps/pep508.js";
import { UserInputError } from "../errors.js";
import { isVersion } from "../matching/intervals.js";

export interface Pin {
  readonly name: NormalizedName;
  readonly version: string;
  readonly line: number;
  /** The file the pin came from (an included one, or the one named with -r). */
  readonly file: string;
}

/** A `-r other.txt` or `-c constraints.txt` line: the file it names, as written. */
export interface Include {
  readonly path: string;
  readonly line: number;
  /** A constraints file limits versions and installs nothing: it is not audited. */
  readonly constraints?: boolean;
}

export interface ParsedRequirements {
  readonly pins: Pin[];
  readonly includes: Include[];
  /** Every line that cannot be read (not a requirement pip would take), as "file:line: why". */
  readonly errors: string[];
  /**
   * Requirements that are fine but cannot be audited (an editable install, a URL or VCS
   * reference, a range rather than a pin), as "file:line: why": the rest is audited, as
   * pip-audit's --skip-editable does (`--strict` makes them errors).
   */
  readonly skipped: string[];
}

const MAX_BYTES = 1024 * 1024;
const MAX_LINES = 10_000;
const INCLUDE = /^(-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+)(\S+)$/;

/**
 * Parses a pinned requirements file (`pip freeze` / `pip-compile` output). Every line that cannot be
 * read or audited is reported, not just the first; -r/-c lines are returned for the caller.
 */
export function parseRequirements(text: string, file: string): ParsedRequirements {
  // A NUL never appears in a text file; a binary (audit -r /bin/ls) is refused in one line.
  if (text.includes("\0")) throw new UserInputError(`${file}: not a text file (it holds NUL bytes); give a requirements file`);
  if (Buffer.byteLength(text) > MAX_BYTES) throw new UserInputError(`${file}: larger than ${MAX_BYTES} bytes`);
  if (lineCount(text) > MAX_LINES) throw new UserInputError(`${file}: more than ${MAX_LINES} lines`);
  const pins: Pin[] = [];
  const includes: Include[] = [];
  const errors: string[] = [];
  const skipped: string[] = [];
  for (const { line, number } of logicalLines(text)) {
    const r = parseRequirementLine(line);
    const shown = cleanLine(line).slice(0, 80);
    const bad = (why: string) => errors.push(`${file}:${number}: "${shown}" ${why}`);
    const skip = (why: string) => skipped.push(`${file}:${number}: "${shown}" ${why}`);
    switch (r.kind) {
      case "blank":
      case "option":
        continue;
      case "include": {
        const m = INCLUDE.exec(cleanLine(line));
        if (m) includes.push({ path: m[2]!, line: number, ...(/^(-c|--constraint)$/.test(m[1]!) && { constraints: true }) });
        else bad("is not a pinned requirement (an include names one file)");
        continue;
      }
      case "editable":
        skip("is not a pinned requirement (an editable install has no version to check)");
        continue;
      case "url":
        skip("is not a pinned requirement (a URL or VCS reference has no version to check)");
        continue;
      case "invalid":
        bad(`is not a pinned requirement (${r.reason})`);
        continue;
      case "requirement": {
        const pin = /^===?([^,]+)$/.exec(r.specifier);
        if (!pin) skip("is not a pinned requirement (only exact pins name==version can be audited)");
        else if (!isVersion(pin[1]!)) errors.push(`${file}:${number}: "${pin[1]}" is not a valid PEP 440 version`);
        else pins.push({ name: r.name, version: pin[1]!, line: number, file });
      }
    }
  }
  return { pins, includes, errors, skipped };
}

/** One warning per package pinned more than once, naming the lines (a few of them, for a long list). */
export function duplicatePins(pins: readonly Pin[]): string[] {
  const lines = new Map<string, Pin[]>();
  for (const p of pins) lines.set(p.name, [...(lines.get(p.name) ?? []), p]);
  const warnings: string[] = [];
  for (const [name, ps] of lines) {
    if (ps.length < 2) continue;
    const shown = ps.slice(0, 5).map((p) => `${p.file}:${p.line} (==${p.version})`).join(", ");
    warnings.push(`${name} is pinned ${ps.length} times, at ${shown}${ps.length > 5 ? ", …" : ""}; pip would refuse this; every pin is audited`);
  }
  return warnings;
}

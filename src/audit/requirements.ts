import type { NormalizedName } from "../advisory/names.js";
import { cleanLine, lineCount, logicalLines, parseRequirementLine } from "../deps/pep508.js";
import { UserInputError } from "../errors.js";
import { isVersion } from "../matching/intervals.js";

export interface Pin {
  readonly name: NormalizedName;
  readonly version: string;
  readonly line: number;
}

const MAX_BYTES = 1024 * 1024;
const MAX_LINES = 10_000;

/**
 * Parses a pinned requirements file (`pip freeze` / `pip-compile` output). Throws UserInputError
 * naming file and line. A package pinned twice is audited at both pins, with a warning (pip refuses it).
 */
export function parseRequirements(text: string, file: string): { pins: Pin[]; warnings: string[] } {
  if (Buffer.byteLength(text) > MAX_BYTES) throw new UserInputError(`${file}: larger than ${MAX_BYTES} bytes`);
  if (lineCount(text) > MAX_LINES) throw new UserInputError(`${file}: more than ${MAX_LINES} lines`);
  const pins: Pin[] = [];
  for (const { line, number } of logicalLines(text)) {
    const r = parseRequirementLine(line);
    const shown = cleanLine(line).slice(0, 80);
    switch (r.kind) {
      case "blank":
      case "option":
        continue;
      case "include":
      case "editable":
        throw new UserInputError(`${file}:${number}: "${shown}" is not a pinned requirement (-r, -c and -e are not followed; audit the other file too)`);
      case "url":
        throw new UserInputError(`${file}:${number}: "${shown}" is not a pinned requirement (a URL or VCS reference has no version to check)`);
      case "invalid":
        throw new UserInputError(`${file}:${number}: "${shown}" is not a pinned requirement (${r.reason})`);
      case "requirement": {
        const pin = /^===?([^,]+)$/.exec(r.specifier);
        if (!pin) throw new UserInputError(`${file}:${number}: "${shown}" is not a pinned requirement (only exact pins name==version can be audited)`);
        if (!isVersion(pin[1]!)) throw new UserInputError(`${file}:${number}: "${pin[1]}" is not a valid PEP 440 version`);
        pins.push({ name: r.name, version: pin[1]!, line: number });
      }
    }
  }
  return { pins, warnings: duplicatePins(pins, file) };
}

/** One warning per package pinned more than once, naming the lines (a few of them, for a long list). */
function duplicatePins(pins: readonly Pin[], file: string): string[] {
  const lines = new Map<string, Pin[]>();
  for (const p of pins) lines.set(p.name, [...(lines.get(p.name) ?? []), p]);
  const warnings: string[] = [];
  for (const [name, ps] of lines) {
    if (ps.length < 2) continue;
    const shown = ps.slice(0, 5).map((p) => `${p.line} (==${p.version})`).join(", ");
    warnings.push(`${file}: ${name} is pinned ${ps.length} times, at lines ${shown}${ps.length > 5 ? ", …" : ""}; pip would refuse this file; every pin is audited`);
  }
  return warnings;
}

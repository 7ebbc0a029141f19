import { canonicalPackage, isValidName, type NormalizedName } from "../advisory/names.js";
import { UserInputError } from "../errors.js";
import { isVersion } from "../matching/intervals.js";

export interface Pin {
  readonly name: NormalizedName;
  readonly version: string;
  readonly line: number;
}

const MAX_BYTES = 1024 * 1024;
const MAX_LINES = 10_000;
// name[extras] == version, then optional markers; hashes are stripped before this is applied.
const PIN = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;]+)\s*(?:;.*)?$/;
// Global options that carry no requirement and need no following.
const IGNORED_OPTION = /^(--index-url|-i|--extra-index-url|--find-links|-f|--trusted-host|--no-binary|--only-binary|--prefer-binary|--require-hashes|--pre|--no-index)\b/;

/** Parses a pinned requirements file (`pip freeze` / `pip-compile` output). Throws UserInputError naming file and line. */
export function parseRequirements(text: string, file: string): Pin[] {
  if (Buffer.byteLength(text) > MAX_BYTES) throw new UserInputError(`${file}: larger than ${MAX_BYTES} bytes`);
  const physical = text.split(/\r?\n/);
  if (physical.length > MAX_LINES) throw new UserInputError(`${file}: more than ${MAX_LINES} lines`);
  const pins: Pin[] = [];
  for (let i = 0; i < physical.length; i++) {
    const lineNo = i + 1;
    let line = physical[i]!;
    while (line.endsWith("\\") && i + 1 < physical.length) line = line.slice(0, -1) + " " + physical[++i];
    line = line.replace(/(^|\s)#.*$/, "").replace(/\s--hash[=\s]\S+/g, "").trim();
    if (line === "" || IGNORED_OPTION.test(line)) continue;
    if (line.startsWith("-")) {
      throw new UserInputError(`${file}:${lineNo}: "${line.slice(0, 80)}" is not a pinned requirement (-r, -c and -e are not followed; audit the other file too)`);
    }
    const m = PIN.exec(line);
    if (!m) {
      const hint = /[<>~!]=?|@/.test(line) ? " (only exact pins name==version can be audited)" : "";
      throw new UserInputError(`${file}:${lineNo}: "${line.slice(0, 80)}" is not a pinned requirement${hint}`);
    }
    const [, rawName, version] = m;
    if (!isValidName(rawName!)) throw new UserInputError(`${file}:${lineNo}: "${rawName}" is not a valid package name`);
    if (!isVersion(version!)) throw new UserInputError(`${file}:${lineNo}: "${version}" is not a valid PEP 440 version`);
    pins.push({ name: canonicalPackage(rawName!), version: version!, line: lineNo });
  }
  return pins;
}

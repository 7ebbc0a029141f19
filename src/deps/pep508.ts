import { canonicalPackage, isValidName, type NormalizedName } from "../advisory/names.js";

/** One line of a requirements file, or one PEP 508 dependency string, as far as pysec-herald needs it. */
export type RequirementLine =
  | { readonly kind: "requirement"; readonly name: NormalizedName; readonly specifier: string; readonly marker?: string }
  | { readonly kind: "include"; readonly text: string } // -r / -c: another file, not followed
  | { readonly kind: "editable" | "url"; readonly text: string } // -e, name @ url, VCS: no version to watch
  | { readonly kind: "option" } // --index-url and friends: nothing to watch
  | { readonly kind: "blank" }
  | { readonly kind: "invalid"; readonly text: string; readonly reason: string };

const GLOBAL_OPTION = /^(--index-url|-i|--extra-index-url|--find-links|-f|--trusted-host|--no-binary|--only-binary|--prefer-binary|--require-hashes|--pre|--no-index|--use-feature)\b/;
const NAME = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*/;

/** Strips comments and per-requirement options (`--hash=…`) from a logical requirements line. */
export function cleanLine(line: string): string {
  return line.replace(/(^|\s)#.*$/, "").replace(/\s--hash[=\s]\S+/g, "").trim();
}

/** Parses one PEP 508 dependency (`name[extra] (>=1,<2) ; marker`, `name @ url`) or requirements-file line. */
export function parseRequirementLine(raw: string): RequirementLine {
  const line = cleanLine(raw);
  if (line === "") return { kind: "blank" };
  if (/^(-r|-c|--requirement|--constraint)\b/.test(line)) return { kind: "include", text: line };
  if (/^(-e|--editable)\b/.test(line)) return { kind: "editable", text: line };
  if (GLOBAL_OPTION.test(line)) return { kind: "option" };
  if (/^(git\+|hg\+|svn\+|bzr\+|https?:|file:)/.test(line)) return { kind: "url", text: line };
  const [body = "", ...markerParts] = line.split(";");
  const m = NAME.exec(body);
  if (!m || !isValidName(m[1]!)) return { kind: "invalid", text: line, reason: "no valid package name" };
  let rest = body.slice(m[0].length).trim();
  if (rest.startsWith("@")) return { kind: "url", text: line };
  if (rest.startsWith("(") && rest.endsWith(")")) rest = rest.slice(1, -1).trim();
  const specifier = rest.replace(/\s+/g, "");
  if (specifier !== "" && !/^[<>=!~]/.test(specifier)) return { kind: "invalid", text: line, reason: `"${rest.slice(0, 40)}" is not a version specifier` };
  const marker = markerParts.join(";").trim();
  return { kind: "requirement", name: canonicalPackage(m[1]!), specifier, ...(marker && { marker }) };
}

/** Joins backslash continuations; yields each logical line with the number of its first physical line. */
/** Lines as an editor counts them: a final newline ends the last line, it does not start another. */
export function lineCount(text: string): number {
  if (text === "") return 0;
  const breaks = text.match(/\n/g)?.length ?? 0;
  return text.endsWith("\n") ? breaks : breaks + 1;
}

export function* logicalLines(text: string): Generator<{ readonly line: string; readonly number: number }> {
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const number = i + 1;
    let line = physical[i]!;
    while (line.endsWith("\\") && i + 1 < physical.length) line = `${line.slice(0, -1)} ${physical[++i]}`;
    yield { line, number };
  }
}

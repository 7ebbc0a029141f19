import { dirname, join, resolve } from "node:path";
import { errorMessage, UserInputError } from "../errors.js";
import { detectFormat, parseDependencyFile } from "../deps/import.js";
import { duplicatePins, parseRequirements, type Pin } from "./requirements.js";

/**
 * The pins of every file named with -r (`-` is standard input), following their -r lines
 * relative to the file that has them (a -c constraints file installs nothing and is not audited);
 * an include loop is refused. Every problem in every file is reported at once (UserInputError),
 * so one run shows all that needs fixing; lines that cannot be audited are returned as `skipped`,
 * or with `strict` are problems too.
 */
export async function collectPins(files: readonly string[], read: (path: string) => Promise<string>, strict = false): Promise<{ pins: Pin[]; warnings: string[]; skipped: string[] }> {
  const pins: Pin[] = [];
  const errors: string[] = [];
  const skipped: string[] = [];
  async function visit(file: string, chain: readonly string[]): Promise<void> {
    const id = file === "-" ? "-" : resolve(file);
    if (chain.includes(id)) {
      errors.push(`${file}: included again from within itself (an include loop); not followed`);
      return;
    }
    try {
      const text = await read(file);
      // A lock file or pyproject.toml is recognised as `watch -r` recognises it: its pins are audited.
      if (detectFormat(file, text) !== "requirements.txt") {
        const imported = parseDependencyFile(text, file);
        for (const w of imported.watches) {
          if (w.specifier.startsWith("==") && !w.specifier.includes(",")) pins.push({ name: w.name, version: w.specifier.slice(2), line: 0, file });
          else (strict ? errors : skipped).push(`${file}: ${w.name}${w.specifier} is not a pinned requirement (only exact pins can be audited)`);
        }
        (strict ? errors : skipped).push(...imported.notes);
        return;
      }
      const parsed = parseRequirements(text, file);
      pins.push(...parsed.pins);
      errors.push(...parsed.errors);
      (strict ? errors : skipped).push(...parsed.skipped);
      for (const inc of parsed.includes) {
        if (inc.constraints) skipped.push(`${file}:${inc.line}: -c ${inc.path} is a constraints file: it limits versions and installs nothing, so it is not audited`);
        else await visit(file === "-" ? inc.path : join(dirname(file), inc.path), [...chain, id]);
      }
    } catch (err) {
      errors.push(errorMessage(err));
    }
  }
  for (const f of files) await visit(f, []);
  if (errors.length > 0) throw new UserInputError(errors.join("\n"));
  return { pins, warnings: duplicatePins(pins), skipped };
}

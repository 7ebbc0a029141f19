import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";

/** test/fixtures, found from both the TypeScript sources and the compiled dist/ copy. */
export function fixturesDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [resolve(here, "../fixtures"), resolve(here, "../../../test/fixtures")]) {
    if (existsSync(join(candidate, "pypa"))) return candidate;
  }
  throw new Error(`test/fixtures not found from ${here}`);
}

function walk(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [],
  );
}

export function fixturePath(...parts: string[]): string {
  return join(fixturesDir(), ...parts);
}

export function readFixture(...parts: string[]): string {
  return readFileSync(fixturePath(...parts), "utf8");
}

/** A PyPA YAML fixture as the plain object OSV's export would serve (every scalar a string). */
export function pypaRecord(pkg: string, id: string): Record<string, unknown> {
  return parseYaml(readFixture("pypa", "vulns", pkg, `${id}.yaml`), { schema: "failsafe" }) as Record<string, unknown>;
}

/** Every real PyPI record in the fixtures, as OSV JSON objects: the PyPA YAML subset and the MAL records. */
export function allOsvRecords(): Record<string, unknown>[] {
  const pypa = walk(fixturePath("pypa", "vulns"), ".yaml").map(
    (f) => parseYaml(readFileSync(f, "utf8"), { schema: "failsafe" }) as Record<string, unknown>,
  );
  const mal = walk(fixturePath("malicious", "osv"), ".json").map((f) => JSON.parse(readFileSync(f, "utf8")) as Record<string, unknown>);
  return [...pypa, ...mal];
}

/** A real PyPA record republished as a different vulnerability: a new id and no aliases shared with the original. */
export function pypaRecordAs(pkg: string, base: string, id: string): Record<string, unknown> {
  return { ...pypaRecord(pkg, base), id, aliases: [] };
}

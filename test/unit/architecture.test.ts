// The import rules ARCHITECTURE.md states, read off the source files' import lines.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** Each file's imports, as paths from the checkout's root ("src/store/ports/mirror.ts"), packages left out. */
const graph = [...files("src"), ...files("adapters")].map((file) => {
  const text = readFileSync(join(root, file), "utf8");
  const imports = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^"';]*?from\s+"(\.[^"]+)"|import\("(\.[^"]+)"\)/g)]
    .map((m) => relative(root, resolve(join(root, dirname(file)), (m[1] ?? m[2])!)).replace(/\.js$/, ".ts"));
  return { file, imports, lines: text.split("\n").length };
});

const offending = (from: (f: string) => boolean, to: (i: string) => boolean) => graph.filter((g) => from(g.file)).flatMap((g) => g.imports.filter(to).map((i) => `${g.file} → ${i}`));

it("reads the import lines it checks", () => {
  expect(graph.length).toBeGreaterThan(100);
  expect(graph.find((g) => g.file === "src/main.ts")?.imports).toContain("adapters/console/console-adapter.ts");
});

it("only src/main.ts imports adapters/", () => {
  expect(offending((f) => f.startsWith("src/") && f !== "src/main.ts", (i) => i.startsWith("adapters/"))).toEqual([]);
});

it("sources/ import neither pipeline/ nor store/", () => {
  expect(offending((f) => f.startsWith("src/sources/"), (i) => i.startsWith("src/pipeline/") || i.startsWith("src/store/"))).toEqual([]);
});

it("store/ does not import render/", () => {
  expect(offending((f) => f.startsWith("src/store/"), (i) => i.startsWith("src/render/"))).toEqual([]);
});

it("no source file passes 400 lines", () => {
  expect(graph.filter((g) => g.lines > 400).map((g) => `${g.file}: ${g.lines} lines`)).toEqual([]);
});

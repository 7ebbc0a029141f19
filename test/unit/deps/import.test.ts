import { describe, expect, it } from "vitest";
import { detectFormat, parseDependencyFile, poetryConstraint } from "../../../src/deps/import.js";
import { UserInputError } from "../../../src/errors.js";
import { upgradeFor } from "../../../src/matching/upgrade.js";
import { readFixture } from "../../helpers/fixtures.js";

const sample = (name: string) => readFixture("deps", name);
const specs = (name: string, label = name) => parseDependencyFile(sample(name), label).watches.map((w) => `${w.name}${w.specifier}`);

describe("dependency files", () => {
  it("requirements.txt: pins, ranges, extras, markers and hashes; -r/-c, editable, VCS and URL lines reported", () => {
    const r = parseDependencyFile(sample("requirements.txt"), "requirements.txt");
    expect(r.format).toBe("requirements.txt");
    expect(r.watches.map((w) => `${w.name}${w.specifier}`)).toEqual(["certifi==2024.2.2", "django==4.2.1", "flask>=2.2,<3", "requests==2.28.1", "numpy>=1.26"]);
    expect(r.notes).toHaveLength(5);
    expect(r.notes[0]).toMatch(/requirements\.txt:8: "-r base\.txt" refers to another file, which is not followed/);
    expect(r.notes[1]).toMatch(/:9: "-c constraints\.txt" refers to another file/);
    expect(r.notes[2]).toMatch(/:17: "-e \.\/libs\/internal" is an editable install with no version to watch/);
    expect(r.notes[3]).toMatch(/:18: "git\+https:.*" is a URL or VCS reference/);
    expect(r.notes[4]).toMatch(/:19: "urllib3 @ https:.*" is a URL or VCS reference/);
  });

  it("uv.lock: registry packages pinned; the project itself skipped; git sources reported", () => {
    const r = parseDependencyFile(sample("uv.lock"), "api/uv.lock");
    expect(r.format).toBe("uv.lock");
    expect(specs("uv.lock", "api/uv.lock")).toEqual(["django==4.2.1", "requests==2.31.0"]);
    expect(r.notes).toEqual(["api/uv.lock: internal-tools comes from VCS or a directory: not watched"]);
  });

  it("poetry.lock, Pipfile.lock and pylock.toml", () => {
    expect(specs("poetry.lock")).toEqual(["flask==2.2.0", "jinja2==3.1.2"]);
    expect(parseDependencyFile(sample("poetry.lock"), "poetry.lock").notes).toEqual(["poetry.lock: mylib comes from VCS or a directory: not watched"]);
    expect(specs("Pipfile.lock")).toEqual(["urllib3==1.26.5", "pyyaml==5.3", "pytest==8.0.0"]);
    expect(parseDependencyFile(sample("Pipfile.lock"), "Pipfile.lock").notes[0]).toMatch(/mytool has no pinned version/);
    expect(specs("pylock.toml")).toEqual(["aiohttp==3.8.4"]);
  });

  it("pyproject.toml: PEP 621, optional and group dependencies, Poetry constraints", () => {
    const r = parseDependencyFile(sample("pyproject.toml"), "pyproject.toml");
    expect(r.watches.map((w) => `${w.name}${w.specifier}`)).toEqual(["django>=4.2,<5", "requests>=2.28", "cryptography==41.0.0", "pyyaml>=5.1", "pytest>=8", "pillow>=9.0,<10.0"]);
    expect(r.notes[0]).toMatch(/"internal @ git\+https:.*" is a URL or VCS reference/);
    expect(poetryConstraint("^0.2.3")).toBe(">=0.2.3,<0.3.0");
    expect(poetryConstraint("~1.2")).toBe(">=1.2,<1.3");
    expect(poetryConstraint("1.4.2")).toBe("==1.4.2");
  });

  it("one rule for entries from outside an index, in every format: a release artifact (URL, file, archive) is watched at its version; a source tree (VCS, directory, editable) is not", () => {
    const names = (text: string, label: string) => parseDependencyFile(text, label).watches.map((w) => `${w.name}${w.specifier}`);
    expect(names([
      '[[package]]\nname = "a"\nversion = "1.0"\nsource = { registry = "https://pypi.example/simple" }',
      '[[package]]\nname = "b"\nversion = "2.0"\nsource = { url = "https://files.example/b-2.0-py3-none-any.whl" }',
      '[[package]]\nname = "c"\nversion = "3.0"\nsource = { path = "wheels/c-3.0-py3-none-any.whl" }',
      '[[package]]\nname = "d"\nversion = "4.0"\nsource = { git = "https://git.example/d?rev=abc" }',
      '[[package]]\nname = "e"\nversion = "5.0"\nsource = { directory = "../e" }',
    ].join("\n\n"), "uv.lock")).toEqual(["a==1.0", "b==2.0", "c==3.0"]);
    expect(names([
      '[[package]]\nname = "f"\nversion = "1.0"\n[package.source]\ntype = "file"\nurl = "dist/f-1.0.tar.gz"',
      '[[package]]\nname = "g"\nversion = "1.0"\n[package.source]\ntype = "url"\nurl = "https://files.example/g-1.0.zip"',
      '[[package]]\nname = "h"\nversion = "1.0"\n[package.source]\ntype = "directory"\nurl = "../h"',
      '[[package]]\nname = "i"\nversion = "1.0"\n[package.source]\ntype = "git"\nurl = "https://git.example/i.git"',
    ].join("\n\n") + '\n\n[metadata]\nlock-version = "2.0"', "poetry.lock")).toEqual(["f==1.0", "g==1.0"]);
    expect(names([
      'lock-version = "1.0"',
      '[[packages]]\nname = "j"\nversion = "1.0"\narchive = { url = "https://files.example/j-1.0.tar.gz" }',
      '[[packages]]\nname = "k"\nversion = "1.0"\nvcs = { type = "git", url = "https://git.example/k" }',
      '[[packages]]\nname = "l"\nversion = "1.0"\ndirectory = { path = "../l" }',
    ].join("\n\n"), "pylock.toml")).toEqual(["j==1.0"]);
    // A direct reference in requirements declares no version: there is no release to match.
    expect(names("m @ file:///src/m-1.0.tar.gz\nn @ https://files.example/n-1.0.whl\no==1.0\n", "requirements.txt")).toEqual(["o==1.0"]);
  });

  it("recognises pasted text without a file name", () => {
    for (const name of ["uv.lock", "poetry.lock", "Pipfile.lock", "pylock.toml", "pyproject.toml", "requirements.txt"]) {
      expect(detectFormat("pasted", sample(name))).toBe(name);
    }
  });

  it.each([
    ["uv.lock", "[[package]\nname = 'x'", /uv\.lock is not valid TOML/],
    ["Pipfile.lock", "{ \"_meta\": ", /not valid JSON/],
    ["requirements.txt", "# only a comment\n-e .\n", /lists no package pysec-herald can watch/],
    ["requirements.txt", "x==1\n".repeat(20_001), /more than 20000 lines/],
    ["requirements.txt", `${"#".repeat(600 * 1024)}\nx==1`, /larger than 512 KB/],
  ])("rejects a malformed or oversize %s", (label, text, message) => {
    expect(() => parseDependencyFile(text, label)).toThrow(UserInputError);
    expect(() => parseDependencyFile(text, label)).toThrow(message);
  });
});

describe("upgrade wording for pins", () => {
  const django = { name: "django" as never, specifier: "==4.2.1" };
  it("takes the smallest fix above the pin within the same release line", () => {
    expect(upgradeFor(django, ["3.2.20", "4.2.15", "5.0.8", "4.2.16"])).toEqual({ pinned: "django==4.2.1", fix: "4.2.15", spec: "django>=4.2.15,<5" });
  });
  it("falls back to the smallest fix above the pin in a later line, and says nothing for ranges", () => {
    expect(upgradeFor(django, ["5.0.8", "3.2.20"])).toEqual({ pinned: "django==4.2.1", fix: "5.0.8", spec: "django>=5.0.8" });
    expect(upgradeFor(django, ["4.2.0"])).toBeUndefined();
    expect(upgradeFor({ name: "django" as never, specifier: ">=4.2" }, ["4.2.15"])).toBeUndefined();
  });
});

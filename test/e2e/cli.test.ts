import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Readable } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ENV_VARS } from "../../src/config.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { runCaptured } from "../helpers/cli.js";
import { allOsvRecords } from "../helpers/fixtures.js";

let bucket: FakeOsvBucket;
let dir: string;
let env: NodeJS.ProcessEnv;

const cli = (...argv: string[]) => runCaptured(argv, env);

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  dir = mkdtempSync(join(tmpdir(), "pysec-herald-cli-"));
  env = { STORE_URL: `sqlite://${join(dir, "store.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_LEVEL: "silent" };
});

afterAll(async () => {
  await bucket.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("CLI", () => {
  it("--help lists the commands and every environment variable with its default", async () => {
    const { code, out } = await cli("--help");
    expect(code).toBe(0);
    for (const c of ["start", "sync", "lookup", "audit"]) expect(out).toContain(`  ${c}`);
    for (const v of ENV_VARS) {
      expect(out).toContain(v.name);
      if (v.default) expect(out).toContain(`default: ${v.default}`);
    }
  });

  it("lookup and audit on an empty mirror say to sync first (exit 2)", async () => {
    const { code, err } = await cli("lookup", "requests");
    expect(code).toBe(2);
    expect(err).toMatch(/mirror is empty: run `pysec-herald sync`/);
  });

  it("sync seeds the mirror from the fake bucket", async () => {
    const { code, out } = await cli("sync");
    expect(code).toBe(0);
    expect(out).toBe("Mirror holds 320 advisories.\n");
  });

  it("lookup agrees with the fixture records (hand-checked)", async () => {
    const r = await cli("lookup", "requests", "2.5.0", "--json");
    expect(r.code).toBe(0);
    const found = JSON.parse(r.out) as { id: string; fixed: string[] }[];
    expect(found.map((f) => f.id).sort()).toEqual(["PYSEC-2015-17", "PYSEC-2018-28", "PYSEC-2023-74"]);
    expect(found.find((f) => f.id === "PYSEC-2023-74")?.fixed).toEqual(["2.31.0"]);
    const old = JSON.parse((await cli("lookup", "requests", "2.2.1", "--json")).out) as { id: string }[];
    expect(old.map((f) => f.id).sort()).toEqual(["PYSEC-2014-13", "PYSEC-2014-14", "PYSEC-2015-17", "PYSEC-2018-28"]);
    expect((await cli("lookup", "requests", "2.31.0")).out).toBe("No known advisory affects requests 2.31.0.\n");
    expect((await cli("lookup", "Flask", "2.3.1")).out).toContain("PYSEC-2023-62");
    expect((await cli("lookup", "reqeusts!", "1.0")).code).toBe(2);
  });

  it("audit prints pip-audit JSON and exits 1 when something is vulnerable", async () => {
    const req = file("requirements.txt", "# pinned\nrequests==2.5.0 \\\n  --hash=sha256:abc\nflask[async]==2.2.5 ; python_version>'3.7'\n");
    const { code, out } = await cli("audit", "-r", req, "--format", "json");
    expect(code).toBe(1);
    const json = JSON.parse(out) as { dependencies: { name: string; version: string; vulns: { id: string; fix_versions: string[]; aliases: string[]; description: string }[] }[] };
    expect(json.dependencies.map((d) => [d.name, d.version, d.vulns.length])).toEqual([["requests", "2.5.0", 3], ["flask", "2.2.5", 0]]);
    const v74 = json.dependencies[0]!.vulns.find((v) => v.id === "PYSEC-2023-74")!;
    expect(v74.fix_versions).toEqual(["2.31.0"]);
    expect(v74.aliases).toContain("CVE-2023-32681");
    expect(v74.description.length).toBeGreaterThan(20);
  });

  it("audit exits 0 on a clean file and 2 on bad input, naming file and line", async () => {
    expect((await cli("audit", "-r", file("clean.txt", "requests==2.31.0\nflask==2.3.2\n"))).code).toBe(0);
    const table = await cli("audit", "-r", file("clean2.txt", "requests==2.31.0\n"));
    expect([table.out, table.err]).toEqual(["", "No known vulnerabilities found in 1 package\n"]);
    const text = await cli("audit", "-r", join(dir, "clean2.txt"), "--format", "text");
    expect(text.out).toBe("No known vulnerabilities found in 1 package.\n");
    const missing = await cli("audit", "-r", join(dir, "nope.txt"));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.txt: cannot read: ENOENT/);
    // A range cannot be audited: it is named and the rest is audited; --strict refuses the file.
    const bad = await cli("audit", "-r", file("bad.txt", "requests==2.31.0\nrequests>=2\n"));
    expect(bad.code).toBe(0);
    expect(bad.err).toMatch(/skipped: \S*bad\.txt:2: "requests>=2" is not a pinned requirement/);
    const strict = await cli("audit", "-r", join(dir, "bad.txt"), "--strict");
    expect(strict.code).toBe(2);
    expect(strict.err).toMatch(/bad\.txt:2: "requests>=2" is not a pinned requirement/);
    expect((await cli("audit", "-r", file("junk.txt", "requests==2.31.0\nthis is junk\n"))).code).toBe(2);
    expect((await cli("audit")).code).toBe(2);
    expect((await cli("audit", "-r", file("x.txt", "a==1"), "--format", "xml")).code).toBe(2);
  });

  it("unknown commands and options exit 2 with one line and a hint", async () => {
    const r = await cli("frobnicate");
    expect(r.code).toBe(2);
    expect(r.err).toBe('pysec-herald: unknown command "frobnicate". See pysec-herald --help.\n');
    const o = await cli("audit", "--frmat", "json");
    expect(o.code).toBe(2);
    expect(o.err).toBe("pysec-herald: Unknown option '--frmat'. See pysec-herald audit --help.\n");
    expect((await cli("--version")).out).toMatch(/^pysec-herald \d+\.\d+\.\d+\n$/);
  });

  it("an invalid configuration exits 2 naming the variable", async () => {
    const saved = env;
    env = { ...env, OSV_POLL_SECONDS: "soon" };
    const r = await cli("sync");
    env = saved;
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/OSV_POLL_SECONDS/);
    for (const [name, value] of [["ROLES", "poller,cook"], ["ROLES", ","], ["QUEUE_URL", "http://127.0.0.1:6379"], ["STORE_URL", "mysql://db/x"]] as const) {
      env = { ...saved, [name]: value };
      const bad = await cli("sync");
      env = saved;
      expect(bad.code, `${name}=${value}`).toBe(2);
      expect(bad.err, `${name}=${value}`).toMatch(new RegExp(name));
    }
  });
});

it("an unreachable shared store exits 2 naming STORE_URL, without the URL's password", async () => {
  const saved = env;
  try {
    for (const url of ["redis://:pw-sekret-1@127.0.0.1:9", "postgresql://herald:pw-sekret-1@127.0.0.1:9/herald"]) {
      env = { ...saved, STORE_URL: url };
      const r = await cli("export");
      expect(r.code, url).toBe(2);
      expect(r.err, url).toMatch(/STORE_URL: cannot use the (redis|postgresql) store/);
      expect(r.err + r.out, url).not.toContain("pw-sekret-1");
    }
  } finally {
    env = saved;
  }
});

describe("export and import", () => {
  async function seedChannels(storeUrl: string): Promise<void> {
    const { openDb } = await import("../../src/store/open.js");
    const { createKeyvChannelStore } = await import("../../src/store/keyv-channel-store.js");
    const { parseWatch } = await import("../../src/matching/specifiers.js");
    const db = await openDb(storeUrl);
    const channels = createKeyvChannelStore(db);
    await channels.update("slack:T1/C1", (c) => ({ ...c, watches: [parseWatch("django>=4.2,<5"), { ...parseWatch("requests==2.28.1"), label: "api/uv.lock" }], mode: "digest", digestTime: "08:30", timezone: "Europe/Berlin", mutes: [{ kind: "advisory", target: "PYSEC-2023-74", until: "2026-12-31", reason: "not reachable" }] }));
    await channels.update("telegram:-1001", (c) => ({ ...c, watches: [parseWatch("flask")], fixedOnly: true, severity: "high" }));
    await db.close();
  }

  it.skipIf(!inject("redisUrl"))("moves every channel, watch and setting from the SQLite store to Redis and back, byte for byte", async () => {
    const from = `sqlite://${join(dir, "export-from.sqlite")}`;
    await seedChannels(from);
    const backup = join(dir, "backup.json");
    const saved = env;
    try {
      env = { ...saved, STORE_URL: from };
      expect((await cli("export", backup)).code).toBe(0);
      const exported = await cli("export");
      expect(JSON.parse(exported.out)).toMatchObject({ format: "pysec-herald-channels", version: 1, channels: [{ key: "slack:T1/C1", mode: "digest", timezone: "Europe/Berlin" }, { key: "telegram:-1001", fixedOnly: true }] });

      env = { ...saved, STORE_URL: `${inject("redisUrl")}/31` };
      const imported = await cli("import", backup);
      expect(imported).toMatchObject({ code: 0, out: "Imported 2 channels with 3 watches; channels not in the file were left as they were.\n" });
      const again = await cli("export");
      expect(JSON.parse(again.out).channels).toEqual(JSON.parse(exported.out).channels);
    } finally {
      env = saved;
    }
  });

  it("refuses a malformed or foreign backup with exit 2 and writes nothing", async () => {
    const to = `sqlite://${join(dir, "import-to.sqlite")}`;
    const saved = env;
    try {
      env = { ...saved, STORE_URL: to };
      const good = { format: "pysec-herald-channels", version: 1, exportedAt: "2026-11-26T00:00:00.000Z", channels: [] as unknown[] };
      const channel = { v: 1, key: "discord:1", watches: [{ name: "django", specifier: ">=4.2" }], mode: "live", digestTime: "09:00", timezone: "UTC", severity: "any", mutes: [], fixedOnly: false, lookalikes: true, epssFloor: 0, kevOnly: false, urgent: "live", allClear: false };
      const cases: [string, string, RegExp][] = [
        ["truncated.json", JSON.stringify({ ...good, channels: [channel] }).slice(0, 80), /truncated\.json: not JSON/],
        ["foreign.json", JSON.stringify({ hello: 1 }), /not a pysec-herald backup: format/],
        ["badspec.json", JSON.stringify({ ...good, channels: [channel, { ...channel, key: "discord:2", watches: [{ name: "django", specifier: ">=banana" }] }] }), /channels\.1 \(discord:2\)/],
        ["badtime.json", JSON.stringify({ ...good, channels: [{ ...channel, digestTime: "25:00" }] }), /channels\.0\.digestTime/],
      ];
      for (const [name, text, message] of cases) {
        const r = await cli("import", file(name, text));
        expect(r.code, name).toBe(2);
        expect(r.err, name).toMatch(message);
      }
      expect(JSON.parse((await cli("export")).out).channels).toEqual([]);
      expect((await cli("import", join(dir, "missing.json"))).err).toMatch(/missing\.json: cannot read: ENOENT/);
      expect((await cli("import")).code).toBe(2);
    } finally {
      env = saved;
    }
  });
});

describe("audit as pip-audit users expect", () => {
  it("prints pip-audit's table by default, markdown on request, and the closing line on stderr", async () => {
    const req = file("table.txt", "requests==2.28.1\nflask==2.3.2\n");
    const table = await cli("audit", "-r", req);
    expect(table.code).toBe(1);
    const lines = table.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Name\s+Version\s+ID\s+Fix Versions$/);
    expect(lines[1]).toMatch(/^-+ -+ -+ -+$/);
    expect(lines.slice(2).some((l) => /^requests\s+2\.28\.1\s+PYSEC-2023-74\s+2\.31\.0$/.test(l))).toBe(true);
    expect(table.err).toMatch(/^Found \d+ known vulnerabilit(y|ies) in 1 package\n$/);
    const md = await cli("audit", "-r", req, "--format", "markdown");
    expect(md.out.split("\n").slice(0, 2)).toEqual(["| Name | Version | ID | Fix Versions |", "| --- | --- | --- | --- |"]);
    expect(md.out).toContain("| requests | 2.28.1 | PYSEC-2023-74 | 2.31.0 |");
  });

  it("--ignore-vuln drops an id or alias, and ignoring all of them exits 0", async () => {
    const req = file("ignore.txt", "requests==2.28.1\n");
    const all = JSON.parse((await cli("audit", "-r", req, "--format", "json")).out) as { dependencies: { vulns: { id: string; aliases: string[] }[] }[] };
    const ids = all.dependencies[0]!.vulns.map((v) => v.id);
    expect(ids).toContain("PYSEC-2023-74");
    const one = await cli("audit", "-r", req, "--format", "json", "--ignore-vuln", "CVE-2023-32681");
    expect((JSON.parse(one.out) as typeof all).dependencies[0]!.vulns.map((v) => v.id)).not.toContain("PYSEC-2023-74");
    const none = await cli("audit", "-r", req, ...ids.flatMap((id) => ["--ignore-vuln", id]));
    expect(none.code).toBe(0);
  });

  it("reads several -r files and standard input, follows -r relative to the file (not -c constraints), refuses a loop, and names every line it skips", async () => {
    mkdirSync(join(dir, "sub"), { recursive: true });
    file("sub/base.txt", "requests==2.28.1\n-c ../constraints.txt\n");
    file("constraints.txt", "flask==2.3.2\n");
    const top = file("sub/top.txt", "-r base.txt\n");
    const other = file("other.txt", "urllib3==2.0.0\n");
    const r = await cli("audit", "-r", top, "-r", other, "--format", "json");
    // Constraints install nothing: flask is not audited, and the line saying so is named.
    expect((JSON.parse(r.out) as { dependencies: { name: string }[] }).dependencies.map((d) => d.name)).toEqual(["requests", "urllib3"]);
    expect(r.err).toContain("base.txt:2: -c ../constraints.txt is a constraints file: it limits versions and installs nothing, so it is not audited");
    const stdin = Readable.from(["django==4.2.1\n"]);
    const piped = await runCaptured(["audit", "-r", "-", "--format", "json"], env, undefined, stdin);
    expect((JSON.parse(piped.out) as { dependencies: { name: string }[] }).dependencies.map((d) => d.name)).toEqual(["django"]);
    file("loop-a.txt", "-r loop-b.txt\n");
    file("loop-b.txt", "-r loop-a.txt\n");
    const loop = await cli("audit", "-r", join(dir, "loop-a.txt"));
    expect(loop.code).toBe(2);
    expect(loop.err).toContain("include loop");
    const bad = await cli("audit", "-r", file("many-bad.txt", "a>=1\nb==2\nc<3\n-e ./x\n"), "--strict");
    expect(bad.code).toBe(2);
    expect(bad.err.match(/many-bad\.txt:\d+:/g)).toEqual(["many-bad.txt:1:", "many-bad.txt:3:", "many-bad.txt:4:"]);
    const lenient = await cli("audit", "-r", join(dir, "many-bad.txt"), "-f", "json");
    expect(lenient.code).toBe(0);
    expect(lenient.err.match(/many-bad\.txt:\d+:/g)).toEqual(["many-bad.txt:1:", "many-bad.txt:3:", "many-bad.txt:4:"]);
    expect(lenient.err).toMatch(/^skipped: /);
    expect((JSON.parse(lenient.out) as { dependencies: { name: string }[]; warnings: string[] }).warnings).toHaveLength(3);
  });
});

describe("each command's own options", () => {
  it("`<command> --help` shows that command's options; an option a command does not take is refused", async () => {
    const help = await cli("audit", "--help");
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/^Usage: pysec-herald audit \[-r\] FILE\.\.\./);
    expect(help.out).toContain("--strict");
    expect(help.out).not.toContain("STORE_URL");
    expect((await cli("help", "lookup")).out).toMatch(/^Usage: pysec-herald lookup <package> \[version\]/);
    const refused = await cli("lookup", "requests", "--signals");
    expect(refused.code).toBe(2);
    expect(refused.err).toBe("pysec-herald: Unknown option '--signals'. See pysec-herald lookup --help.\n");
    expect((await cli("sync", "--watch", "x")).code).toBe(2);
  });

  it("lookup -f json and audit --json print JSON; -o FILE writes the answer there; export FILE says what it wrote", async () => {
    expect((await cli("sync")).code).toBe(0);
    for (const args of [["--format", "json"], ["-f", "json"], ["--json"]]) {
      const r = await cli("lookup", "requests==2.28.1", ...args);
      expect((JSON.parse(r.out) as { id: string }[]).map((f) => f.id)).toContain("PYSEC-2023-74");
    }
    expect((await cli("lookup", "requests", "-f", "xml")).code).toBe(2);
    const req = file("o.txt", "requests==2.28.1\n");
    const json = await cli("audit", req, "--json");
    expect((JSON.parse(json.out) as { dependencies: unknown[] }).dependencies).toHaveLength(1);
    const report = join(dir, "report.json");
    const written = await cli("audit", "-r", req, "-f", "json", "-o", report);
    expect(written.code).toBe(1);
    expect(written.out).toBe("");
    expect((JSON.parse((await import("node:fs")).readFileSync(report, "utf8")) as { dependencies: { name: string }[] }).dependencies[0]!.name).toBe("requests");
    expect((await cli("audit", "-r", req, "-o", join(dir, "no", "such", "dir", "x.txt"))).err).toMatch(/cannot write: ENOENT/);
    const backup = await cli("export", join(dir, "backup.json"));
    expect(backup.err).toMatch(/^Wrote \d+ channels to .*backup\.json\.\n$/);
  });

  it("a package pinned twice counts once in the totals; a binary file is refused in one line", async () => {
    const twice = await cli("audit", "-r", file("twice.txt", "requests==2.28.1\nflask==2.3.2\nRequests==2.28.1\n"));
    expect(twice.err).toContain("Found 1 known vulnerability in 1 package");
    const clean = await cli("audit", "-r", file("twice-clean.txt", "requests==2.31.0\nrequests==2.31.0\n"));
    expect(clean.err).toContain("No known vulnerabilities found in 1 package");
    const binary = await cli("audit", "-r", "/bin/ls");
    expect(binary.code).toBe(2);
    expect(binary.err.trim().split("\n")).toHaveLength(1);
    expect(binary.err).toContain("not a text file");
  });
});

describe("audit reads every file watch -r reads", () => {
  it("uv.lock, poetry.lock, Pipfile.lock, pylock.toml and pyproject.toml: the same pins as watch -r", async () => {
    const { parseDependencyFile } = await import("../../src/deps/import.js");
    const { readFixture } = await import("../helpers/fixtures.js");
    expect((await cli("sync")).code).toBe(0);
    for (const name of ["uv.lock", "poetry.lock", "Pipfile.lock", "pylock.toml", "pyproject.toml"]) {
      const text = readFixture("deps", name);
      const path = file(name, text);
      const r = await cli("audit", path, "-f", "json");
      expect([0, 1], `${name}: ${r.err}`).toContain(r.code);
      const audited = (JSON.parse(r.out) as { dependencies: { name: string; version: string }[] }).dependencies.map((d) => `${d.name}==${d.version}`).sort();
      const watched = parseDependencyFile(text, name).watches.filter((w) => /^==[^,]+$/.test(w.specifier)).map((w) => `${w.name}${w.specifier}`).sort();
      expect(audited, name).toEqual([...new Set(watched)]);
    }
  });

  it("a requirements file in UTF-16 with a BOM (pip freeze > in PowerShell), UTF-8 with a BOM, or CRLF is read as pip reads it", async () => {
    const text = "requests==2.28.1\r\nflask==2.3.2\r\n";
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const utf16be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
    const utf8bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    for (const [name, bytes] of [["le.txt", utf16le], ["be.txt", utf16be], ["bom.txt", utf8bom]] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const r = await cli("audit", "-r", path, "-f", "json");
      expect(r.err, name).not.toContain("skipped");
      expect((JSON.parse(r.out) as { dependencies: { name: string }[] }).dependencies.map((d) => d.name), name).toEqual(["requests", "flask"]);
    }
  });
});

describe("an ignore file people commit", () => {
  it("ignores with a reason, until a day or until a fix is out; expired and lapsed ones are reported and audited again", async () => {
    expect((await cli("sync")).code).toBe(0);
    const req = file("ign-req.txt", "requests==2.28.1\n");
    const clock = (day: string) => ({ now: () => new Date(`${day}T12:00:00Z`), sleep: async () => undefined, random: () => 0.5 });
    const audit = (day: string, ...args: string[]) => runCaptured(["audit", "-r", req, ...args], env, clock(day));
    // PYSEC-2023-74 has a fix (2.31.0): an until-fixed ignore of it has lapsed already.
    const ignores = file("ignores.toml", '[[ignore]]\nid = "PYSEC-2023-74"\nreason = "no proxies here"\nuntil = 2027-01-31\n');
    const held = await audit("2026-12-04", "--ignore-file", ignores);
    expect(held.code).toBe(0);
    expect(held.err).toContain("ignored PYSEC-2023-74 for requests 2.28.1: no proxies here");
    const expired = await audit("2027-02-01", "--ignore-file", ignores);
    expect(expired.code).toBe(1);
    expect(expired.err).toContain("ignore of PYSEC-2023-74 expired on 2027-01-31; requests 2.28.1 is audited again");
    // By an alias, until a fix is out (it is).
    const untilFixed = file("until-fixed.toml", '[[ignore]]\nid = "CVE-2023-32681"\nuntil = "fixed"\n');
    const lapsed = await audit("2026-12-04", "--ignore-file", untilFixed);
    expect(lapsed.code).toBe(1);
    expect(lapsed.err).toContain("ignore of CVE-2023-32681 lapsed: a fix is out (2.31.0)");
    // pyproject.toml's [tool.pysec-herald] table, when the pyproject is what is audited.
    const pyproject = file("pyproject.toml", '[project]\nname = "x"\ndependencies = ["requests==2.28.1"]\n\n[[tool.pysec-herald.ignore]]\nid = "PYSEC-2023-74"\nreason = "accepted"\n');
    const fromPyproject = await runCaptured(["audit", pyproject], env, clock("2026-12-04"));
    expect(fromPyproject.err).toContain("ignored PYSEC-2023-74 for requests 2.28.1: accepted");
    const bad = await audit("2026-12-04", "--ignore-file", file("bad.toml", '[[ignore]]\nid = "X"\nuntil = "soon"\n'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad\.toml: ignore\.0\.until/);
  });
});

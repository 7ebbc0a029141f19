import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli.js";
import { ENV_VARS } from "../../src/config.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { allOsvRecords } from "../helpers/fixtures.js";

let bucket: FakeOsvBucket;
let dir: string;
let env: NodeJS.ProcessEnv;

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await runCli(argv, { stdout, stderr, env });
  return { code, out, err };
}

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
    const text = await cli("audit", "-r", file("clean2.txt", "requests==2.31.0\n"));
    expect(text.out).toBe("No known vulnerabilities found in 1 packages.\n");
    const missing = await cli("audit", "-r", join(dir, "nope.txt"));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.txt: cannot read: ENOENT/);
    const bad = await cli("audit", "-r", file("bad.txt", "requests==2.31.0\nrequests>=2\n"));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad\.txt:2: "requests>=2" is not a pinned requirement/);
    expect((await cli("audit")).code).toBe(2);
    expect((await cli("audit", "-r", file("x.txt", "a==1"), "--format", "xml")).code).toBe(2);
  });

  it("unknown commands and options exit 2 with the usage", async () => {
    const r = await cli("frobnicate");
    expect(r.code).toBe(2);
    expect(r.err).toContain("Usage: pysec-herald");
    expect((await cli("--bogus")).code).toBe(2);
  });

  it("an invalid configuration exits 2 naming the variable", async () => {
    const saved = env;
    env = { ...env, OSV_POLL_SECONDS: "soon" };
    const r = await cli("sync");
    env = saved;
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/OSV_POLL_SECONDS/);
  });
});

// Vitest global setup: real Redis and PostgreSQL servers on 127.0.0.1 for the store contract suite
// and the queue tests, in temporary directories, stopped after the run (and by a watchdog if the
// test runner dies first). .ci/run installs the Debian packages that provide them; on a machine
// without them those suites are skipped with one line saying so, except under CI=true.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { realClockEnv } from "./moved-clock.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Empty when this machine has no redis-server (the suites that need it are skipped). */
    redisUrl: string;
    /** Empty when this machine has no PostgreSQL server. */
    postgresUrl: string;
  }
}

const INSTALL = { redis: "apt-get install -y redis-server", postgres: "apt-get install -y postgresql" } as const;

class Missing extends Error {}

/** Servers run on the real clock, also when the suite runs with the date moved (moved-clock.ts). */
const SERVER_ENV = realClockEnv();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function findBinary(name: string, dirs: readonly string[]): string {
  for (const d of dirs) if (existsSync(join(d, name))) return join(d, name);
  throw new Missing(name);
}

function postgresDirs(): string[] {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return [...versions.map((v) => join(root, v, "bin")), ...(process.env["PATH"] ?? "").split(":")];
}

// PostgreSQL refuses to run as root; as root, run it as the postgres user the package creates.
const asUser = (cmd: string, args: string[]): [string, string[]] =>
  process.getuid?.() === 0 ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];

/** Starts a server that exits when this process does, even if teardown never runs. */
function tethered(cmd: string, args: string[]): ChildProcess {
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const script = `${quoted} & c=$!; trap 'kill $c; wait $c; exit 0' TERM; while kill -0 ${process.pid} 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 1; done; kill $c 2>/dev/null; wait $c`;
  return spawn("sh", ["-c", script], { stdio: ["ignore", "ignore", "pipe"], env: SERVER_ENV });
}

async function waitUntil(check: () => boolean, what: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (child.exitCode !== null) throw new Error(`${what} exited during start-up:\n${log()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not start within 30 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stderrOf(child: ChildProcess): () => string {
  let text = "";
  child.stderr?.on("data", (c: Buffer) => (text += c.toString()));
  return () => text;
}

/** A Redis server on 127.0.0.1 (also for `npm run bench`); throws Missing-named errors where there is none. */
export async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const bin = findBinary("redis-server", ["/usr/bin", "/usr/local/bin", ...(process.env["PATH"] ?? "").split(":")]);
  const cli = findBinary("redis-cli", ["/usr/bin", "/usr/local/bin", ...(process.env["PATH"] ?? "").split(":")]);
  const port = await freePort();
  const child = tethered(bin, ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no", "--databases", "32"]);
  const log = stderrOf(child);
  await waitUntil(() => spawnSync(cli, ["-h", "127.0.0.1", "-p", String(port), "ping"], { env: SERVER_ENV }).stdout?.toString().trim() === "PONG", "redis-server", child, log);
  return { url: `redis://127.0.0.1:${port}`, child };
}

async function startPostgres(): Promise<{ url: string; child: ChildProcess; dir: string }> {
  const dirs = postgresDirs();
  const initdb = findBinary("initdb", dirs);
  const postgres = findBinary("postgres", dirs);
  const isReady = findBinary("pg_isready", dirs);
  const dir = mkdtempSync(join(tmpdir(), "pysec-herald-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  const [icmd, iargs] = asUser(initdb, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const init = spawnSync(icmd, iargs, { encoding: "utf8", env: SERVER_ENV });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const [pcmd, pargs] = asUser(postgres, ["-D", data, "-h", "127.0.0.1", "-p", String(port), "-k", dir, "-F"]);
  const child = tethered(pcmd, pargs);
  const log = stderrOf(child);
  await waitUntil(() => spawnSync(isReady, ["-h", "127.0.0.1", "-p", String(port)], { env: SERVER_ENV }).status === 0, "postgres", child, log);
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, child, dir };
}

export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

type Started = { url: string; child: ChildProcess; dir?: string };

/** A server this machine lacks is a skip (one line on stderr), except under CI=true, where it is an error. */
async function orSkip(kind: keyof typeof INSTALL, start: () => Promise<Started>): Promise<Started | undefined> {
  try {
    return await start();
  } catch (err) {
    if (!(err instanceof Missing)) throw err;
    const line = `${kind} suites skipped: no ${err.message} on this machine (install with \`${INSTALL[kind]}\`; .ci/run does).`;
    if (process.env["CI"] === "true") throw new Error(`CI=true, and ${line}`);
    process.stderr.write(`${line}\n`);
    return undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [redis, pg] = await Promise.all([orSkip("redis", startRedis), orSkip("postgres", startPostgres)]);
  project.provide("redisUrl", redis?.url ?? "");
  project.provide("postgresUrl", pg?.url ?? "");
  return async () => {
    await Promise.all([redis && stop(redis.child), pg && stop(pg.child)]);
    if (pg?.dir) rmSync(pg.dir, { recursive: true, force: true });
  };
}

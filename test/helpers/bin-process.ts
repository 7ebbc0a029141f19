import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { resolve } from "node:path";
import { childEnv } from "./moved-clock.js";

export interface BinProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;
  /** What it printed so far on stdout / stderr. */
  out(): string;
  err(): string;
  /** The HTTP port from its "pysec-herald started" log line (JSON logs, PORT=0). */
  readonly port: Promise<number>;
}

/** The compiled bin's `start` as a process, as a user runs it. */
export function startBin(env: Record<string, string>, args: string[] = []): BinProcess {
  const bin = resolve(import.meta.dirname, "../../dist/src/bin.js");
  const child = spawn(process.execPath, [bin, "start", ...args], { env: { ...childEnv(), ...env }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  // A test that fails before it stops the bot must not leave it running after the test process ends.
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  void exited.then(() => process.off("exit", reap));
  const port = new Promise<number>((ok, fail) => {
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
      const line = err.split("\n").find((l) => l.startsWith("{") && l.includes("pysec-herald started"));
      if (line) ok((JSON.parse(line) as { port: number }).port);
    });
    void exited.then((code) => fail(new Error(`exited (${code}) before starting:\n${err}`)));
  });
  port.catch(() => undefined);
  return { child, exited, out: () => out, err: () => err, port };
}

/** Resolves once `read()` includes `needle`; fails after `ms` with what was printed. */
export function waitFor(read: () => string, needle: string, ms = 20_000): Promise<void> {
  return new Promise((ok, fail) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (read().includes(needle)) {
        clearInterval(timer);
        ok();
      } else if (Date.now() - started > ms) {
        clearInterval(timer);
        fail(new Error(`"${needle}" not seen; output so far:\n${read()}`));
      }
    }, 50);
  });
}

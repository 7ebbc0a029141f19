import { PassThrough } from "node:stream";
import { runCli, type CliIo } from "../../src/cli.js";

/** Runs one CLI invocation in process, capturing what it prints. */
export async function runCaptured(argv: readonly string[], env: NodeJS.ProcessEnv, clock?: CliIo["clock"], stdin?: CliIo["stdin"]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const code = await runCli(argv, { stdout, stderr, env, ...(clock && { clock }), ...(stdin && { stdin }) });
  return { code, out, err };
}

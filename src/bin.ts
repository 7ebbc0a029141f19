#!/usr/bin/env node
import { runCli } from "./cli.js";

const stopSignal = new Promise<void>((resolve) => {
  process.once("SIGINT", resolve);
  process.once("SIGTERM", resolve);
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  stopSignal,
});
// stdin keeps the event loop alive after `start` stops.
process.stdin.destroy();

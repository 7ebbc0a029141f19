// The process entry once the runtime is known to be new enough (bin.ts): signals, then the CLI.
import { runCli } from "./cli.js";

// Platforms (Fly.io, Kubernetes) kill after a grace period; whatever is still in flight at 10 s
// stays in the outbox or queue for the next start, so exiting then loses nothing.
const SHUTDOWN_GRACE_MS = 10_000;

// `on`, not `once`: a second signal during shutdown must not kill the process halfway.
const stopSignal = new Promise<void>((resolve) => {
  process.on("SIGINT", resolve);
  process.on("SIGTERM", resolve);
});
void stopSignal.then(() =>
  setTimeout(() => {
    process.stderr.write(`pysec-herald: not stopped within ${SHUTDOWN_GRACE_MS / 1000} s of the signal; exiting anyway\n`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref(),
);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  stopSignal,
});
// stdin keeps the event loop alive after `start` stops.
process.stdin.destroy();

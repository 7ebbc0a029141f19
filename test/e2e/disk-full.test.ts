// The real process with its store on a small tmpfs that is then filled: it keeps running, says the
// store is failing, loses nothing, and catches up once space is freed. Mounting needs root
// (CAP_SYS_ADMIN); elsewhere the test says so and is skipped (the SQLITE_FULL unit test still runs).
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { startFakeOsvBucket } from "../fakes/osv-bucket.js";
import { startBin, waitFor } from "../helpers/bin-process.js";
import { allOsvRecords, pypaRecordAs } from "../helpers/fixtures.js";
import { until } from "../helpers/until.js";

const dir = mkdtempSync(join(tmpdir(), "pysec-herald-full-"));
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", dir]).status === 0;
if (!mounted) console.log("disk-full test skipped: mounting a tmpfs needs root (run the suite as root to include it)");

afterAll(() => {
  if (mounted) spawnSync("umount", ["-l", dir]);
  rmSync(dir, { recursive: true, force: true });
});

/** Fills the file system with one file (dd stops at ENOSPC). */
function fill(path: string): void {
  spawnSync("dd", ["if=/dev/zero", `of=${path}`, "bs=64k"], { stdio: "ignore" });
}

it.runIf(mounted)("a full disk: the bot keeps running, reports the store failing, retries, and delivers everything once space is back", async () => {
  const bucket = await startFakeOsvBucket(allOsvRecords());
  const bot = startBin({ STORE_URL: `sqlite://${join(dir, "s.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", OSV_POLL_SECONDS: "1", PYSEC_HERALD_WATCH: "requests==2.28.1", LOG_FORMAT: "json", PORT: "0" });
  try {
    await waitFor(bot.out, "Type help for the commands.");
    const port = await bot.port;
    const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).json() as Promise<{ status: string; store: string; storeError?: string }>;

    const filler = join(dir, "filler");
    fill(filler);
    // Thirty large records: more than the little space SQLite may still find in its pages.
    for (let i = 0; i < 30; i++) bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", `PYSEC-2099-${100 + i}`), details: "x".repeat(20_000) });
    const failing = await until(async () => {
      const h = await health();
      return h.store === "failing" && h;
    }, 20_000);
    expect(failing).toMatchObject({ status: "failing", storeError: expect.stringMatching(/^cannot write since .*: database or disk is full$/) });
    const down = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(down.status).toBe(503);

    bot.child.stdin.write("watch flask\nstatus\n");
    await waitFor(bot.out, "Nothing was changed: the bot cannot write to its store right now (database or disk is full).");
    await waitFor(bot.out, "Store: cannot write since");
    expect(bot.out()).not.toContain("=== NEW ADVISORY: PYSEC-2099-1");

    rmSync(filler);
    bucket.put(pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-999"));
    await waitFor(bot.out, "=== NEW ADVISORY: PYSEC-2099-999", 60_000);
    for (let i = 0; i < 30; i++) await waitFor(bot.out, `=== NEW ADVISORY: PYSEC-2099-${100 + i} `);
    expect(await health()).toMatchObject({ status: "ok", store: "ok" });
    bot.child.stdin.write("watch flask\n");
    await waitFor(bot.out, "Now watching flask.");

    // What it held before the disk filled is still there: the original watch and its advisory.
    bot.child.stdin.write("list\n");
    await waitFor(bot.out, "requests==2.28.1");
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const rss = Number(/pysec_herald_process_resident_memory_bytes (\d+)/.exec(metrics)?.[1]);
    expect(rss).toBeGreaterThan(0);
    expect(rss).toBeLessThan(400 * 1024 * 1024);
    expect(bot.child.exitCode).toBeNull();
  } finally {
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    await bucket.close();
  }
}, 120_000);

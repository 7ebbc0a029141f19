import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import { startBin, waitFor } from "../helpers/bin-process.js";
import { allOsvRecords, pypaRecordAs } from "../helpers/fixtures.js";

let bucket: FakeOsvBucket;
let dir: string;

beforeAll(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  dir = mkdtempSync(join(tmpdir(), "pysec-herald-start-"));
});

afterAll(async () => {
  await bucket.close();
  rmSync(dir, { recursive: true, force: true });
});

it("the compiled bin runs the bot: console watches, stdin commands, live alerts, clean SIGTERM", async () => {
  const bot = startBin({ STORE_URL: `sqlite://${join(dir, "s.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", OSV_POLL_SECONDS: "1", PYSEC_HERALD_WATCH: "requests==2.28.1\ndjango>=4.2,<5", LOG_LEVEL: "info", PORT: "0" }, ["--watch", "flask"]);
  const { child, exited } = bot;

  await waitFor(bot.out, "Now watching flask, requests==2.28.1, django>=4.2,<5.");
  expect(bot.out()).toContain("requests==2.28.1: 1 advisory (PYSEC-2023-74) → upgrade to 2.31.0");
  await waitFor(bot.out, "pysec-herald is running. This console watches 3 packages; the advisory mirror is ready. Type help for the commands.");
  child.stdin.write("lookup requests 2.31.0\nwatch bad$name\n");
  await waitFor(bot.out, "No known advisory affects requests 2.31.0");
  await waitFor(bot.out, "is not a valid package name");

  bucket.put({ ...pypaRecordAs("requests", "PYSEC-2023-74", "PYSEC-2099-77") });
  await waitFor(bot.out, "=== NEW ADVISORY: PYSEC-2099-77");

  const port = await bot.port;
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  const body = (await health.json()) as { status: string; store: string; sources: Record<string, { lastSuccessAgeSeconds?: number; failing: boolean }> };
  expect(body).toMatchObject({ status: "ok", store: "ok", sources: { osv: { failing: false } } });
  expect(body.sources["osv"]?.lastSuccessAgeSeconds).toBeGreaterThanOrEqual(0);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  expect(metrics).toMatch(/pysec_herald_polls_total\{source="osv",outcome="ok"\} [1-9]/);
  expect(metrics).toMatch(/pysec_herald_deliveries_total\{platform="console",outcome="sent"\} [1-9]/);
  expect(metrics).toMatch(/pysec_herald_outbox_depth\{state="pending"\} 0/);
  expect(metrics).toContain("pysec_herald_process_resident_memory_bytes");

  const stopping = Date.now();
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(Date.now() - stopping).toBeLessThan(10_000);
  expect(bot.err()).not.toMatch(/"level":50/);
});

it("with Discord configured, the bin serves the gateway, answers a command, and never logs the token", async () => {
  const { startFakeDiscord } = await import("../fakes/discord-api.js");
  const { commandInteraction } = await import("../helpers/discord.js");
  const discord = await startFakeDiscord();
  const token = "secret-bot-token-0123456789";
  const { child, exited, out, err } = startBin({
    STORE_URL: `sqlite://${join(dir, "d.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_LEVEL: "trace",
    DISCORD_TOKEN: token, DISCORD_APPLICATION_ID: "100000000000000001", DISCORD_API_URL: discord.api, PORT: "0",
  });
  await discord.identified();
  discord.dispatchInteraction(commandInteraction("watch requests", { channel: "200000000000000002", guild: "400000000000000004", permissions: "16" }));
  await waitFor(() => JSON.stringify(discord.calls), "Now watching requests");
  child.kill("SIGTERM");
  expect(await exited).toBe(0);
  await discord.close();
  expect(err()).toContain("pysec-herald started");
  expect(err()).not.toContain(token);
  expect(out()).toBe(""); // the console adapter is off while a chat platform is configured
});

it("SIGTERM with Telegram long polling logs that each adapter stopped, and nothing about reaching Telegram", async () => {
  const { startFakeTelegram } = await import("../fakes/telegram-api.js");
  const tg = await startFakeTelegram();
  const bot = startBin({
    STORE_URL: `sqlite://${join(dir, "t.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_LEVEL: "info", PORT: "0",
    TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url,
  });
  try {
    await waitFor(bot.err, "pysec-herald started");
    await waitFor(() => JSON.stringify(tg.calls.map((c) => c.method)), "getUpdates");
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  } finally {
    await tg.close();
  }
  const lines = bot.err().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { msg: string; platform?: string });
  expect(lines.filter((l) => / stopped$/.test(l.msg)).map((l) => l.msg)).toEqual(["telegram stopped"]);
  expect(bot.err()).not.toMatch(/cannot reach|reached telegram again|did not stop/);
});

it("LOG_FORMAT=pretty writes readable lines instead of JSON (a terminal gets them by default)", async () => {
  // Nothing listens on port 9: OSV is unreachable.
  const bot = startBin({ STORE_URL: `sqlite://${join(dir, "p.sqlite")}`, OSV_BUCKET_URL: "http://127.0.0.1:9", SOURCES: "osv", HTTP_TIMEOUT_SECONDS: "1", LOG_FORMAT: "pretty", PORT: "0" });
  await waitFor(bot.err, "pysec-herald started");
  bot.child.kill("SIGTERM");
  expect(await bot.exited).toBe(0);
  expect(bot.err()).toMatch(/WARN.*poll failed; cursor unchanged/);
  expect(bot.err()).not.toMatch(/^\{"level"/m);
  // The banner says the mirror cannot answer yet.
  expect(bot.out()).toContain("the advisory mirror is not ready yet (OSV unreachable since");
});

it("NO_COLOR: pretty lines without colour codes; `quit` on the console stops the bot; a STORE_URL in a directory far from any is refused, not made", async () => {
  const bot = startBin({ STORE_URL: `sqlite://${join(dir, "n.sqlite")}`, OSV_BUCKET_URL: "http://127.0.0.1:9", SOURCES: "osv", HTTP_TIMEOUT_SECONDS: "1", LOG_FORMAT: "pretty", NO_COLOR: "1", PORT: "0" });
  await waitFor(bot.err, "pysec-herald started");
  expect(bot.err()).not.toContain("\u001b[");
  await waitFor(bot.out, "Type help for the commands.");
  bot.child.stdin.write("quit\n");
  expect(await bot.exited).toBe(0);
  const typo = join(dir, "no", "such", "dir", "x.sqlite");
  const refused = startBin({ STORE_URL: `sqlite://${typo}`, OSV_BUCKET_URL: "http://127.0.0.1:9", SOURCES: "osv", PORT: "0" });
  expect(await refused.exited).not.toBe(0);
  expect(refused.err()).toContain(`STORE_URL: ${join(dir, "no", "such", "dir")} does not exist`);
  expect(existsSync(join(dir, "no"))).toBe(false);
});

// A chat platform that cannot be reached at start: on every adapter the real process says so (the
// host and the next try), keeps polling and serving /healthz, and connects once the platform is back.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeDiscord } from "../fakes/discord-api.js";
import { startFakeOsvBucket, type FakeOsvBucket } from "../fakes/osv-bucket.js";
import type { FakeServer } from "../fakes/fake-server.js";
import { slashPayload, startFakeSlack } from "../fakes/slack-api.js";
import { startFakeTelegram, textUpdate } from "../fakes/telegram-api.js";
import { startBin, waitFor, type BinProcess } from "../helpers/bin-process.js";
import { commandInteraction } from "../helpers/discord.js";
import { allOsvRecords } from "../helpers/fixtures.js";
import { postSigned } from "../helpers/slack.js";
import { until } from "../helpers/until.js";

let bucket: FakeOsvBucket;
let dir: string;

beforeAll(async () => {
  bucket = await startFakeOsvBucket(allOsvRecords());
  dir = mkdtempSync(join(tmpdir(), "pysec-herald-unreachable-"));
});
afterAll(async () => {
  await bucket.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the bin while `fake` refuses connections; checks what it says and that the rest runs; then brings the fake back. */
async function whileUnreachable(platform: string, fake: FakeServer, env: Record<string, string>): Promise<BinProcess> {
  await fake.unreachable(true);
  const bot = startBin({ STORE_URL: `sqlite://${join(dir, `${platform}.sqlite`)}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", OSV_POLL_SECONDS: "1", LOG_FORMAT: "json", PORT: "0", ...env });
  const host = new URL(fake.url).host;
  await waitFor(bot.err, `cannot reach ${platform} at ${host}; retrying in 5 s (the rest of the bot keeps running)`);
  const line = JSON.parse(bot.err().split("\n").find((l) => l.includes(`cannot reach ${platform}`))!) as { host: string; nextRetryAt: string; level: number };
  expect(line).toMatchObject({ host, level: 40 });
  expect(Date.parse(line.nextRetryAt)).toBeGreaterThan(Date.now());
  // The poller and the HTTP server are not held up.
  const health = (await (await fetch(`http://127.0.0.1:${await bot.port}/healthz`)).json()) as { sources: { osv: { lastSuccessAgeSeconds?: number } } };
  expect(health.sources.osv.lastSuccessAgeSeconds).toBeGreaterThanOrEqual(0);
  expect(bot.err()).not.toMatch(/"level":(50|60)/);
  expect(bot.err()).not.toContain("    at "); // no stack trace
  await fake.unreachable(false);
  await waitFor(bot.err, `connected to ${platform} at ${host}`, 15_000);
  return bot;
}

async function stop(bot: BinProcess): Promise<void> {
  bot.child.kill("SIGTERM");
  expect(await bot.exited).toBe(0);
}

it("Discord: retried until the API answers, then the gateway serves commands", async () => {
  const discord = await startFakeDiscord();
  try {
    const bot = await whileUnreachable("discord", discord, { DISCORD_TOKEN: "discord-token", DISCORD_APPLICATION_ID: "100000000000000001", DISCORD_API_URL: discord.api });
    await discord.identified();
    discord.dispatchInteraction(commandInteraction("watch requests", { channel: "200000000000000002", guild: "400000000000000004", permissions: "16" }));
    await waitFor(() => JSON.stringify(discord.calls), "Now watching requests");
    await stop(bot);
  } finally {
    await discord.close();
  }
}, 60_000);

it("Slack: auth.test is retried instead of ending the process; then commands are answered", async () => {
  const slack = await startFakeSlack();
  try {
    const bot = await whileUnreachable("slack", slack, { SLACK_BOT_TOKEN: "xoxb-unreachable", SLACK_SIGNING_SECRET: "s3cret", SLACK_API_URL: slack.api });
    const answer = await postSigned(`http://127.0.0.1:${await bot.port}/slack/events`, "s3cret", slashPayload("watch flask", "C0SEC", "U1", slack.url));
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("Now watching flask");
    await stop(bot);
  } finally {
    await slack.close();
  }
}, 60_000);

it("Telegram: getMe is retried with a word in the log, then long polling answers", async () => {
  const tg = await startFakeTelegram();
  try {
    const bot = await whileUnreachable("telegram", tg, { TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.url });
    tg.pushUpdate(textUpdate("/watch flask", 42, 42));
    await until(() => tg.sent(42).some((c) => String(c.body["text"]).includes("Now watching flask")), 15_000);
    await stop(bot);
  } finally {
    await tg.close();
  }
}, 60_000);

it("a rejected token: one line naming the variable, that platform stays off, the others go on", async () => {
  const tg = await startFakeTelegram();
  const slack = await startFakeSlack();
  const discord = await startFakeDiscord();
  slack.revoked.add("xoxb-revoked");
  let bot: BinProcess | undefined;
  try {
    bot = startBin({
      STORE_URL: `sqlite://${join(dir, "rejected.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_FORMAT: "json", PORT: "0",
      TELEGRAM_BOT_TOKEN: "999:not-this-bots-token", TELEGRAM_API_ROOT: tg.url,
      SLACK_BOT_TOKEN: "xoxb-revoked", SLACK_SIGNING_SECRET: "s3cret", SLACK_API_URL: slack.api,
      DISCORD_TOKEN: "discord-token", DISCORD_APPLICATION_ID: "100000000000000001", DISCORD_API_URL: discord.api,
    });
    await waitFor(bot.err, "telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): set a valid TELEGRAM_BOT_TOKEN and restart; telegram stays off, the rest of the bot keeps running");
    await waitFor(bot.err, "slack rejected SLACK_BOT_TOKEN (invalid_auth)");
    // Discord goes on: it connects and answers.
    await discord.identified();
    discord.dispatchInteraction(commandInteraction("watch requests", { channel: "200000000000000002", guild: "400000000000000004", permissions: "16" }));
    await waitFor(() => JSON.stringify(discord.calls), "Now watching requests");
    // No retries of a rejected token, and no "cannot reach".
    await new Promise((r) => setTimeout(r, 6_000));
    expect(bot.err().match(/rejected TELEGRAM_BOT_TOKEN/g)).toHaveLength(1);
    expect(tg.requests.filter((r) => r.path.endsWith("/getMe"))).toHaveLength(1);
    expect(bot.err()).not.toContain("cannot reach");
    expect(bot.err()).not.toContain("999:not-this-bots-token");
    await stop(bot);
  } finally {
    // A failed assertion must not leave the bot running after the test.
    if (bot?.child.exitCode === null) bot.child.kill("SIGKILL");
    await Promise.all([tg.close(), slack.close(), discord.close()]);
  }
}, 60_000);

it("a revoked Discord token is one line naming DISCORD_TOKEN; a half-configured Discord is a configuration error", async () => {
  const discord = await startFakeDiscord();
  discord.revoked.add("revoked-discord-token");
  try {
    const bot = startBin({ STORE_URL: `sqlite://${join(dir, "revoked.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", LOG_FORMAT: "json", PORT: "0", DISCORD_TOKEN: "revoked-discord-token", DISCORD_APPLICATION_ID: "100000000000000001", DISCORD_API_URL: discord.api });
    await waitFor(bot.err, "discord rejected DISCORD_TOKEN");
    expect(bot.err()).not.toContain("cannot reach");
    await stop(bot);
  } finally {
    await discord.close();
  }
  const half = startBin({ STORE_URL: `sqlite://${join(dir, "half.sqlite")}`, OSV_BUCKET_URL: bucket.url, SOURCES: "osv", DISCORD_TOKEN: "some-token", PORT: "0" });
  expect(await half.exited).toBe(2);
  expect(half.err()).toContain("DISCORD_APPLICATION_ID: DISCORD_TOKEN needs DISCORD_APPLICATION_ID");
}, 60_000);
